package io.audiencesync.pinterest;

import io.audiencesync.observe.Secrets;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;

/**
 * The content of the token file: the current access and refresh tokens, when each expires, the scope granted
 * and the ad account {@code auth} checked. {@code toString()} never shows a token.
 *
 * @param expiresAt              when the access token expires (from {@code expires_in}), or null when unknown
 * @param refreshTokenExpiresAt  when the refresh token expires, or null when Pinterest did not say
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record StoredToken(
        String accessToken,
        String refreshToken,
        Instant expiresAt,
        Instant refreshTokenExpiresAt,
        String scope,
        String adAccountId) {

    public StoredToken {
        Objects.requireNonNull(accessToken, "accessToken");
        Secrets.register(accessToken);
        Secrets.register(refreshToken);
    }

    /** The tokens a grant gave at {@code now} (an authorization code exchanged, or a first refresh). */
    public static StoredToken issued(TokenGrant grant, Instant now, String adAccountId) {
        return new StoredToken(grant.accessToken(), grant.refreshToken(), expiry(grant.expiresIn(), now),
                refreshExpiry(grant, now), grant.scope(), adAccountId);
    }

    /** These tokens after a refresh; a grant without a refresh token leaves the current one in place. */
    public StoredToken renewedBy(TokenGrant grant, Instant now) {
        boolean rotated = grant.refreshToken() != null && !grant.refreshToken().isBlank();
        return new StoredToken(grant.accessToken(), rotated ? grant.refreshToken() : refreshToken,
                expiry(grant.expiresIn(), now), rotated ? refreshExpiry(grant, now) : refreshTokenExpiresAt,
                grant.scope() != null ? grant.scope() : scope, adAccountId);
    }

    /** Whole seconds, as Pinterest counts them. */
    private static Instant expiry(Long seconds, Instant now) {
        return seconds == null ? null : now.plusSeconds(seconds).truncatedTo(ChronoUnit.SECONDS);
    }

    /**
     * With continuous refresh a refresh token lives this long from the refresh that issued it: the expiry kept when
     * an answer gives neither {@code refresh_token_expires_at} nor {@code refresh_token_expires_in}.
     */
    public static final Duration REFRESH_TOKEN_LIFETIME = Duration.ofDays(60);

    private static Instant refreshExpiry(TokenGrant grant, Instant now) {
        if (grant.refreshToken() == null) {
            return null;
        }
        if (grant.refreshTokenExpiresAt() != null) {
            return Instant.ofEpochSecond(grant.refreshTokenExpiresAt());
        }
        return expiry(grant.refreshTokenExpiresIn() != null ? grant.refreshTokenExpiresIn()
                : REFRESH_TOKEN_LIFETIME.toSeconds(), now);
    }

    public StoredToken withAdAccountId(String id) {
        return new StoredToken(accessToken, refreshToken, expiresAt, refreshTokenExpiresAt, scope, id);
    }

    /** True when the access token expires before {@code now + margin} (or its expiry is unknown). */
    public boolean expiresWithin(Duration margin, Instant now) {
        return expiresAt == null || expiresAt.isBefore(now.plus(margin));
    }

    @Override
    public String toString() {
        return "StoredToken[accessToken=(redacted), refreshToken=" + (refreshToken == null ? "none" : "(redacted)")
                + ", expiresAt=" + expiresAt + ", refreshTokenExpiresAt=" + refreshTokenExpiresAt + ", scope=" + scope
                + ", adAccountId=" + adAccountId + "]";
    }
}
