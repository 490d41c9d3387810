package io.audiencesync.pinterest;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * The access token {@link PinterestClient} sends. A refreshable provider renews it before it expires and once
 * when Pinterest answers 401; a static one cannot.
 */
public interface TokenProvider extends AutoCloseable {

    /** The access token to send now (refreshed first when it is about to expire). */
    String accessToken();

    /**
     * Pinterest answered 401 to {@code rejected}: a token to retry with once, or empty when this provider cannot
     * refresh (the caller then stops with the 401).
     */
    Optional<String> refreshAfterUnauthorized(String rejected);

    /** What {@code status} and the run's warnings show about the tokens; never a token. */
    Expiry expiry();

    /** Stops what refreshes the tokens, if anything does. */
    @Override
    default void close() {
    }

    /**
     * @param source                 where the tokens come from, for people (a file path or a setting's key)
     * @param accessTokenExpiresAt   null when unknown (a static access token)
     * @param refreshTokenExpiresAt  null when there is no refresh token or Pinterest did not say
     */
    record Expiry(String source, boolean refreshable, Instant accessTokenExpiresAt, Instant refreshTokenExpiresAt) {

        /** Warn this long before the refresh token expires: after that only {@code auth} helps. */
        public static final Duration REFRESH_TOKEN_WARNING = Duration.ofDays(7);

        /** A warning when the refresh token expires within {@link #REFRESH_TOKEN_WARNING} of {@code now} (or has expired). */
        public Optional<String> refreshTokenWarning(Instant now) {
            if (refreshTokenExpiresAt == null || refreshTokenExpiresAt.isAfter(now.plus(REFRESH_TOKEN_WARNING))) {
                return Optional.empty();
            }
            if (!refreshTokenExpiresAt.isAfter(now)) {
                return Optional.of("the Pinterest refresh token expired at " + refreshTokenExpiresAt
                        + ": run 'pinterest-audience-sync auth' again");
            }
            return Optional.of("the Pinterest refresh token expires at " + refreshTokenExpiresAt + " (in "
                    + describe(Duration.between(now, refreshTokenExpiresAt)) + "): run 'pinterest-audience-sync auth' again before"
                    + " then, or syncs stop with exit code 2");
        }

        /**
         * What {@code status} and {@code check} show: each token's expiry and the time left, where the tokens come
         * from, and the warning when the refresh token lapses within {@link #REFRESH_TOKEN_WARNING}.
         */
        public java.util.List<String> lines(Instant now) {
            java.util.List<String> lines = new java.util.ArrayList<>();
            if (refreshable) {
                lines.add("Access token: " + expires(accessTokenExpiresAt, now) + "; refreshed automatically (" + source + ")");
                lines.add("Refresh token: " + expires(refreshTokenExpiresAt, now) + "; each refresh renews it (60 days"
                        + " from the last refresh)");
            } else {
                lines.add("Access token: from " + source + ", expiry unknown and never refreshed: when Pinterest stops"
                        + " accepting it syncs stop with exit code 2; 'auth' sets up tokens that are refreshed");
            }
            refreshTokenWarning(now).ifPresent(warning -> lines.add("WARNING: " + warning));
            return lines;
        }

        private static String expires(Instant at, Instant now) {
            if (at == null) {
                return "expiry not known";
            }
            return at.isAfter(now) ? "expires at " + at + " (in " + describe(Duration.between(now, at)) + ")"
                    : "EXPIRED at " + at;
        }

        /** "3 days 4 hours", "25 minutes": for people. */
        public static String describe(Duration d) {
            if (d.isNegative()) {
                return "0 minutes";
            }
            if (d.toDays() > 0) {
                return d.toDays() + (d.toDays() == 1 ? " day " : " days ") + d.toHoursPart() + (d.toHoursPart() == 1 ? " hour" : " hours");
            }
            if (d.toHours() > 0) {
                return d.toHours() + (d.toHours() == 1 ? " hour " : " hours ") + d.toMinutesPart() + " minutes";
            }
            return d.toMinutes() + (d.toMinutes() == 1 ? " minute" : " minutes");
        }
    }

    /** {@code pinterest.access-token}: sent as it is, never refreshed. */
    static TokenProvider fixed(String accessToken) {
        return new TokenProvider() {
            @Override
            public String accessToken() {
                return accessToken;
            }

            @Override
            public Optional<String> refreshAfterUnauthorized(String rejected) {
                return Optional.empty();
            }

            @Override
            public Expiry expiry() {
                return new Expiry("pinterest.access-token", false, null, null);
            }

            @Override
            public String toString() {
                return "TokenProvider[pinterest.access-token, not refreshable]";
            }
        };
    }
}
