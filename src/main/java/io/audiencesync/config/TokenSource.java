package io.audiencesync.config;

import io.audiencesync.pinterest.TokenStore;

/**
 * Where the Pinterest access token comes from, in the order they are tried: the tokens {@code auth} kept
 * (refreshable), a refresh token from the settings (refreshed at once, then kept), a static
 * access token (never refreshed). {@code toString()} never shows a token.
 */
public sealed interface TokenSource {

    /** Tokens are kept (token file or PostgreSQL): they are used and refreshed, and every refresh is saved back. */
    record Stored(TokenStore tokens) implements TokenSource {
    }

    /** {@code pinterest.refresh-token}: exchanged for an access token at start; the result is kept in {@code tokens}. */
    record RefreshToken(TokenStore tokens, String value) implements TokenSource {
        @Override
        public String toString() {
            return "RefreshToken[pinterest.refresh-token]";
        }
    }

    /** {@code pinterest.access-token}: used as it is; when Pinterest stops accepting it, {@code auth} is the remedy. */
    record AccessToken(String value) implements TokenSource {
        @Override
        public String toString() {
            return "AccessToken[pinterest.access-token]";
        }
    }
}
