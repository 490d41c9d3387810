package io.audiencesync;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The PostgreSQL the tests use: 127.0.0.1:5432, database {@code test}, user {@code postgres} unless
 * {@code PAS_TEST_JDBC_URL}, {@code PAS_TEST_JDBC_USER}, {@code PAS_TEST_JDBC_PASSWORD} say otherwise. Each test
 * class works in a schema of its own ({@code pas_test_…}), dropped afterwards.
 */
public final class PostgresTestDatabase {

    public static final String URL = env("PAS_TEST_JDBC_URL", "jdbc:postgresql://127.0.0.1:5432/test");
    public static final String USER = env("PAS_TEST_JDBC_USER", "postgres");
    public static final String PASSWORD = env("PAS_TEST_JDBC_PASSWORD", "");

    private PostgresTestDatabase() {
    }

    /** Skips the calling test, saying why, when nothing answers; under {@code CI=true} fails it instead. */
    public static void assumeAvailable() {
        try (Connection c = DriverManager.getConnection(URL, USER, PASSWORD)) {
            if (c.isValid(5)) {
                return;
            }
        } catch (SQLException e) {
            String message = "PostgreSQL does not answer at " + URL + " as " + USER + " (" + e.getMessage()
                    + "); start it (.ci/run does) or point PAS_TEST_JDBC_URL at one";
            if ("true".equals(System.getenv("CI"))) {
                Assertions.fail(message);
            }
            Assumptions.abort(message);
        }
    }

    public static String newSchema() {
        return "pas_test_" + Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE);
    }

    public static void dropSchema(String schema) {
        execute("drop schema if exists " + schema + " cascade");
    }

    public static void execute(String sql) {
        try (Connection c = DriverManager.getConnection(URL, USER, PASSWORD); Statement st = c.createStatement()) {
            st.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
    }

    /** The first column of the rows {@code sql} returns, as text. */
    public static List<String> query(String sql) {
        List<String> values = new ArrayList<>();
        try (Connection c = DriverManager.getConnection(URL, USER, PASSWORD); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                values.add(rs.getString(1));
            }
        } catch (SQLException e) {
            throw new IllegalStateException(sql + ": " + e.getMessage(), e);
        }
        return values;
    }

    /** The settings that put a sync's state in {@code schema}. */
    public static Map<String, String> settings(String schema) {
        return Map.of("state.store", "postgres", "state.jdbc-url", URL, "state.jdbc-user", USER,
                "state.jdbc-password", PASSWORD, "state.jdbc-schema", schema);
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
