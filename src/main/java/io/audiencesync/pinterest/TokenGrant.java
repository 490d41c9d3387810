package io.audiencesync.pinterest;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * Pinterest's answer from {@code POST /oauth/token} ({@code OauthAccessTokenResponse}): {@code expires_in} and
 * {@code refresh_token_expires_in} are seconds, {@code refresh_token_expires_at} unix seconds. The refresh fields
 * come with the authorization-code and refresh grants. {@code toString()} never shows a token.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record TokenGrant(
        String accessToken,
        String tokenType,
        Long expiresIn,
        String scope,
        String refreshToken,
        Long refreshTokenExpiresIn,
        Long refreshTokenExpiresAt) {

    @Override
    public String toString() {
        return "TokenGrant[accessToken=(redacted), expiresIn=" + expiresIn + ", scope=" + scope + ", refreshToken="
                + (refreshToken == null ? "none" : "(redacted)") + ", refreshTokenExpiresAt=" + refreshTokenExpiresAt + "]";
    }
}
