package io.audiencesync.sync;

import io.audiencesync.PostgresTestDatabase;
import org.junit.jupiter.api.AfterEach;

/** Every SIGKILL scenario of {@link CrashSafetyTest} with the state in PostgreSQL. */
class PostgresCrashSafetyTest extends CrashSafetyTest {

    private String schema;

    @Override
    void configureStore(ChildSync child) {
        PostgresTestDatabase.assumeAvailable();
        schema = PostgresTestDatabase.newSchema();
        child.settings.putAll(PostgresTestDatabase.settings(schema));
    }

    @AfterEach
    void dropSchema() {
        if (schema != null) {
            PostgresTestDatabase.dropSchema(schema);
        }
    }
}
