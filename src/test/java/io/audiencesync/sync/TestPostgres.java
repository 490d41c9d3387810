package io.audiencesync.sync;

import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The real PostgreSQL the SQL-source tests run against: 127.0.0.1:5432, database {@code test}, user
 * {@code postgres}, trust authentication (the machine's service; {@code .ci/run} starts it). Where none answers the
 * tests are skipped with the reason, except under {@code CI=true}, where they fail: CI must not skip them silently.
 * Each test gets its own {@code pas_it_*} names and drops them.
 */
final class TestPostgres {

    static final String URL = "jdbc:postgresql://127.0.0.1:5432/test";
    static final String USER = "postgres";

    /** A prefix of names (tables, sequences, functions) no other test uses: {@code pas_it_<random>_}. */
    final String prefix = "pas_it_" + Long.toString(ThreadLocalRandom.current().nextLong(1L << 40), 36) + "_";

    private TestPostgres() {
    }

    /** Null once PostgreSQL answered, else why it did not; checked once per JVM. */
    private static String unavailable;
    private static boolean checked;

    /**
     * The database for a test, checked once per JVM: where PostgreSQL does not answer the calling test is skipped
     * with the reason (called from {@code @BeforeEach}, so that every test shows as skipped), or fails under CI.
     */
    static synchronized TestPostgres require() {
        if (!checked) {
            checked = true;
            try (Connection ignored = connect()) {
                unavailable = null;
            } catch (SQLException e) {
                unavailable = "PostgreSQL does not answer at " + URL + " as user " + USER + " (" + e.getMessage() + ")";
            }
        }
        if (unavailable != null) {
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                Assertions.fail(unavailable + ": CI=true, so the SQL-source tests must run (.ci/run starts PostgreSQL)");
            }
            Assumptions.abort(unavailable + ": skipping this SQL-source test");
        }
        return new TestPostgres();
    }

    static Connection connect() throws SQLException {
        Properties properties = new Properties();
        properties.setProperty("user", USER);
        properties.setProperty("connectTimeout", "3");
        return DriverManager.getConnection(URL, properties);
    }

    /** {@code name} with this class's prefix, e.g. {@code pas_it_k3j2x_customers}. */
    String name(String name) {
        return prefix + name;
    }

    void execute(String... statements) {
        try (Connection connection = connect(); Statement statement = connection.createStatement()) {
            for (String sql : statements) {
                statement.execute(sql);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot run " + String.join("; ", statements), e);
        }
    }

    /** Drops every table, sequence and function of this prefix. */
    void dropAll() {
        String like = prefix.toLowerCase(Locale.ROOT).replace("_", "\\_") + "%";
        execute("""
                DO $$ DECLARE r record; BEGIN
                  FOR r IN SELECT c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                           WHERE n.nspname = 'public' AND c.relname LIKE '%1$s' AND c.relkind IN ('r', 'S') LOOP
                    EXECUTE format(CASE r.relkind WHEN 'r' THEN 'DROP TABLE IF EXISTS %%I CASCADE'
                                                  ELSE 'DROP SEQUENCE IF EXISTS %%I CASCADE' END, r.relname);
                  END LOOP;
                  FOR r IN SELECT p.oid::regprocedure AS fn FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
                           WHERE n.nspname = 'public' AND p.proname LIKE '%1$s' LOOP
                    EXECUTE 'DROP FUNCTION IF EXISTS ' || r.fn || ' CASCADE';
                  END LOOP;
                END $$""".formatted(like));
    }
}
