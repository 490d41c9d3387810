package io.audiencesync.state;

import io.audiencesync.PostgresTestDatabase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.sql.SQLException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The state store contract on a real PostgreSQL (skipped, saying why, when none answers; failed under CI=true). */
class PostgresStateStoreTest extends StateStoreContract {

    private String schema;

    @AfterEach
    void dropSchema() {
        if (schema != null) {
            PostgresTestDatabase.dropSchema(schema);
        }
    }

    @Override
    StateStore newStore(Path dir, int sortBufferValues) {
        PostgresTestDatabase.assumeAvailable();
        if (schema == null) {
            schema = PostgresTestDatabase.newSchema();
        }
        try {
            return new PostgresStateStore(PostgresTestDatabase.URL, PostgresTestDatabase.USER, PostgresTestDatabase.PASSWORD, schema);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void theSchemaIsMigratedOnceAndANewerOneIsRefused() throws SQLException {
        newStore(dir, 1_000).close();
        newStore(dir, 1_000).close();
        PostgresTestDatabase.execute("insert into " + schema + ".schema_version (version) values (99)");
        assertThatThrownBy(() -> new PostgresStateStore(PostgresTestDatabase.URL, PostgresTestDatabase.USER,
                PostgresTestDatabase.PASSWORD, schema))
                .isInstanceOf(SQLException.class).hasMessageContaining("version 99, newer than this tool");
        assertThat(schema).startsWith("pas_test_");
    }
}
