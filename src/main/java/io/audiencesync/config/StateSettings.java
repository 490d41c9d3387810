package io.audiencesync.config;

import io.audiencesync.observe.Secrets;

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
