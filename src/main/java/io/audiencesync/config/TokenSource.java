package io.audiencesync.config;

import java.nio.file.Path;

/**
 * Where the Pinterest access token comes from, in the order they are tried: the token file {@code auth} wrote
 * (refreshable), a refresh token from the settings (refreshed at once, then kept in the token file), a static
 * access token (never refreshed). {@code toString()} never shows a token.
 */
public sealed interface TokenSource {

    /** The token file exists: its tokens are used and refreshed, and every refresh is saved back to it. */
    record TokenFile(Path file) implements TokenSource {
    }

    /** {@code pinterest.refresh-token}: exchanged for an access token at start; the result goes to the token file. */
    record RefreshToken(String value) implements TokenSource {
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
