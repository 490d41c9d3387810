package io.audiencesync.config;

/**
 * Where the state lives ({@code state.*}). The JDBC settings apply to {@code state.store=postgres} only; the
 * password is never printed.
 */
public record StateSettings(Store store, String jdbcUrl, String jdbcUser, String jdbcPassword, String jdbcSchema) {

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

    @Override
    public String toString() {
        return "StateSettings[store=" + store + ", jdbcUrl=" + jdbcUrl + ", jdbcUser=" + jdbcUser + ", jdbcSchema="
                + jdbcSchema + "]";
    }
}
