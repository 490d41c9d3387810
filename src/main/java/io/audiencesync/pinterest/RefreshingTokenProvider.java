package io.audiencesync.pinterest;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

/**
 * Tokens from where they are kept ({@link TokenStore}), refreshed when the access token expires within
 * {@link #REFRESH_MARGIN} (Pinterest's {@code expires_in} is trusted) and once when Pinterest answers 401. Every refresh saves the new tokens, the new
 * refresh token included: with continuous refresh the old one stops working. Refreshes happen under the token
 * store's lock and first re-read it, so another process sharing the tokens that refreshed meanwhile is followed
 * rather than raced. Thread-safe.
 */
public final class RefreshingTokenProvider implements TokenProvider {

    /** Refresh this long before the access token expires, so no call goes out with a token about to lapse. */
    public static final Duration REFRESH_MARGIN = Duration.ofMinutes(5);
    private static final Logger LOG = LoggerFactory.getLogger(RefreshingTokenProvider.class);

    private final PinterestOAuth oauth;
    private final TokenStore store;
    private final Clock clock;
    private StoredToken current;

    public RefreshingTokenProvider(PinterestOAuth oauth, TokenStore store, Clock clock) {
        this.oauth = oauth;
        this.store = store;
        this.clock = clock;
        this.current = store.load();
    }

    /**
     * Starts from a refresh token given in the settings (no tokens kept yet): refreshes at once and keeps the
     * tokens, which are the source from then on.
     */
    public static RefreshingTokenProvider start(PinterestOAuth oauth, TokenStore store, String refreshToken, String adAccountId,
                                                Clock clock) {
        store.whileLocked(() -> {
            if (!store.exists()) {
                TokenGrant grant = oauth.refresh(refreshToken);
                StoredToken token = StoredToken.issued(grant, clock.instant(), adAccountId);
                if (token.refreshToken() == null) {
                    token = new StoredToken(token.accessToken(), refreshToken, token.expiresAt(), null, token.scope(), adAccountId);
                }
                store.save(token);
                LOG.info("Exchanged pinterest.refresh-token for an access token; tokens are kept in {} from now on", store.where());
            }
            return null;
        });
        return new RefreshingTokenProvider(oauth, store, clock);
    }

    @Override
    public synchronized String accessToken() {
        if (current.expiresWithin(REFRESH_MARGIN, clock.instant())) {
            refresh(current.accessToken(), current.expiresAt() == null ? "its expiry is unknown"
                    : "it expires at " + current.expiresAt());
        }
        return current.accessToken();
    }

    @Override
    public synchronized Optional<String> refreshAfterUnauthorized(String rejected) {
        if (rejected.equals(current.accessToken())) {
            refresh(rejected, "Pinterest answered 401");
        }
        return Optional.of(current.accessToken());
    }

    @Override
    public synchronized Expiry expiry() {
        return new Expiry(store.where().toString(), true, current.expiresAt(), current.refreshTokenExpiresAt());
    }

    private void refresh(String stale, String why) {
        current = store.whileLocked(() -> {
            StoredToken kept = store.exists() ? store.load() : current;
            if (!kept.accessToken().equals(stale) && !kept.expiresWithin(REFRESH_MARGIN, clock.instant())) {
                LOG.info("Using the access token another process refreshed meanwhile ({})", store.where());
                return kept;
            }
            if (kept.refreshToken() == null) {
                throw new InvalidGrantException("refresh the access token", 400, null,
                        store.where() + " holds no refresh token", null);
            }
            StoredToken next = kept.renewedBy(oauth.refresh(kept.refreshToken()), clock.instant());
            store.save(next);
            LOG.info("Refreshed the Pinterest access token ({}): it now expires at {}, the refresh token at {}; saved to {}",
                    why, next.expiresAt(), next.refreshTokenExpiresAt(), store.where());
            return next;
        });
    }

    @Override
    public String toString() {
        return "RefreshingTokenProvider[" + store.where() + "]";
    }

    @Override
    public void close() {
        oauth.close();
    }
}
