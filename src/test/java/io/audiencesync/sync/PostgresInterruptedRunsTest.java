package io.audiencesync.sync;

import io.audiencesync.PostgresTestDatabase;
import org.junit.jupiter.api.AfterEach;

/**
 * Runs stopped part-way with the state in PostgreSQL converge with the next {@code run --once} and no new file, as
 * with the file store (a resume reads no rows, and once found its plan's work directory missing).
 */
class PostgresInterruptedRunsTest extends InterruptedRunsTest {

    private String schema;

    @Override
    boolean runWritesToTheDiskToItsEnd() {
        return false;
    }

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
