package io.audiencesync.config;

import io.audiencesync.observe.Secrets;
import io.audiencesync.state.LocalStateFiles;
import io.audiencesync.state.ListState;
import io.audiencesync.state.PostgresStateStore;
import io.audiencesync.state.StateFiles;

import java.nio.file.Path;
import java.sql.SQLException;

/**
 * Where the state lives ({@code state.*}). The JDBC settings apply to {@code state.store=postgres} only; the
 * password is never printed.
 */
public record StateSettings(Store store, String jdbcUrl, String jdbcUser, String jdbcPassword, String jdbcSchema) {

    public StateSettings {
        Secrets.register(jdbcPassword);
        if (jdbcUrl != null) {
            Secrets.register(JdbcSettings.urlSecret(jdbcUrl));
        }
    }

    /** {@code state.store}: the embedded files under {@code sync.data-dir}, or PostgreSQL. */
    public enum Store {
        FILE, POSTGRES;

        static Store parse(String text) {
            return switch (text.strip().toLowerCase(java.util.Locale.ROOT)) {
                case "file" -> FILE;
                case "postgres", "postgresql" -> POSTGRES;
                default -> throw new IllegalArgumentException("must be file or postgres, got '" + text.strip() + "'");
            };
        }
    }

    /**
     * The PostgreSQL store these settings name, its schema created or migrated; {@code state.store} must be postgres.
     *
     * @throws ConfigException when the database cannot be reached or migrated
     */
    public PostgresStateStore openPostgres() {
        return openPostgres(Path.of(System.getProperty("java.io.tmpdir"), "pinterest-audience-sync"), ListState.DEFAULT_SORT_BUFFER);
    }

    /**
     * Like {@link #openPostgres()}, for the syncs: folding a list's batches sorts {@code sortBufferValues} values at a
     * time in memory, the rest under {@code workRoot}.
     */
    public PostgresStateStore openPostgres(Path workRoot, int sortBufferValues) {
        try {
            return new PostgresStateStore(jdbcUrl, jdbcUser, jdbcPassword, jdbcSchema, workRoot, sortBufferValues);
        } catch (SQLException e) {
            throw new ConfigException("state.jdbc-url", "cannot open the PostgreSQL state store at " + redact(jdbcUrl)
                    + ": " + e.getMessage());
        }
    }

    /** Where the workspace's own files are kept: under {@code dataDir}, or in the PostgreSQL store. */
    public StateFiles files(Path dataDir) {
        return store == Store.FILE ? LocalStateFiles.INSTANCE : openPostgres().files(dataDir);
    }

    /** The JDBC URL fit for a log or a message: a password given as a URL parameter is masked. */
    public static String redact(String jdbcUrl) {
        return jdbcUrl == null ? null : jdbcUrl.replaceAll("(?i)(password=)[^&;]*", "$1***");
    }

    @Override
    public String toString() {
        return "StateSettings[store=" + store + ", jdbcUrl=" + redact(jdbcUrl) + ", jdbcUser=" + jdbcUser + ", jdbcSchema="
                + jdbcSchema + "]";
    }
}
