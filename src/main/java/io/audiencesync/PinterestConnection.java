package io.audiencesync;

import io.audiencesync.config.ConfigException;
import io.audiencesync.config.PinterestSettings;
import io.audiencesync.config.TokenSource;
import io.audiencesync.pinterest.PinterestClient;
import io.audiencesync.pinterest.PinterestOAuth;
import io.audiencesync.pinterest.RefreshingTokenProvider;
import io.audiencesync.pinterest.StoredToken;
import io.audiencesync.pinterest.TokenProvider;
import io.audiencesync.pinterest.TokenStoreException;
import io.audiencesync.routes.PinterestRoute;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.IntConsumer;

/**
 * The Pinterest client and its tokens, made from the settings: the one place that picks the token source. A command
 * that runs no sync calls through a {@code pinterest} route of its own (closed with the connection); the syncs of a
 * workspace share the one of their Camel context ({@link WorkspaceServices}).
 */
public record PinterestConnection(TokenProvider tokens, PinterestClient client, AutoCloseable route)
        implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PinterestConnection.class);

    /** For a command that runs no sync: the token source (a refresh token is exchanged at once) and a route of its own. */
    public static PinterestConnection open(PinterestSettings settings) {
        String adAccountId = settings.requireAdAccountId();
        TokenProvider tokens = tokens(settings);
        PinterestRoute.Standalone standalone = PinterestRoute.standalone(settings.apiUrl(), adAccountId, tokens,
                options(settings, status -> { }, () -> false));
        return new PinterestConnection(tokens, standalone.client(), standalone);
    }

    @Override
    public void close() {
        try {
            route.close();
        } catch (Exception e) {
            LOG.debug("closing the pinterest route", e);
        }
        tokens.close();
    }

    /** Timeouts and retries from the settings. */
    public static PinterestClient.Options options(PinterestSettings settings, IntConsumer onStatus, BooleanSupplier stopping) {
        return new PinterestClient.Options(settings.connectTimeout(), settings.requestTimeout(), settings.retry(), onStatus,
                stopping);
    }

    /** The tokens kept if there are any, else {@code pinterest.refresh-token}, else {@code pinterest.access-token}. */
    public static TokenProvider tokens(PinterestSettings settings) {
        TokenSource source = settings.tokenSource();
        try {
            if (source instanceof TokenSource.Stored stored) {
                LOG.info("Pinterest tokens: {} (refreshed automatically)", stored.tokens().where());
                return refreshing(settings, oauth -> new RefreshingTokenProvider(oauth, stored.tokens(), Clock.systemUTC()));
            }
            if (source instanceof TokenSource.RefreshToken refresh) {
                LOG.info("Pinterest tokens: pinterest.refresh-token, kept in {} once refreshed", refresh.tokens().where());
                return refreshing(settings, oauth -> RefreshingTokenProvider.start(oauth, refresh.tokens(), refresh.value(),
                        settings.adAccountId(), Clock.systemUTC()));
            }
        } catch (TokenStoreException e) {
            throw new ConfigException(PinterestSettings.TOKEN_FILE, e.getMessage());
        }
        LOG.info("Pinterest tokens: pinterest.access-token (not refreshed; 'auth' sets up tokens that are)");
        return TokenProvider.fixed(((TokenSource.AccessToken) source).value());
    }

    /**
     * When the tokens expire, from what is kept here, without a call to Pinterest: the tokens kept, else those of a
     * refresh token not exchanged yet (not known) or of a static access token (never refreshed).
     */
    public static TokenProvider.Expiry expiry(PinterestSettings settings) {
        TokenSource source = settings.tokenSource();
        try {
            if (source instanceof TokenSource.Stored stored) {
                StoredToken token = stored.tokens().load();
                return new TokenProvider.Expiry(stored.tokens().where(), true, token.expiresAt(), token.refreshTokenExpiresAt());
            }
        } catch (TokenStoreException e) {
            throw new ConfigException(PinterestSettings.TOKEN_FILE, e.getMessage());
        }
        if (source instanceof TokenSource.RefreshToken) {
            return new TokenProvider.Expiry("pinterest.refresh-token, not exchanged yet", true, null, null);
        }
        return TokenProvider.fixed("").expiry();
    }

    /** Tokens refreshed through the token endpoint's route, which is stopped again if they cannot be had. */
    private static TokenProvider refreshing(PinterestSettings settings, Function<PinterestOAuth, TokenProvider> tokens) {
        PinterestOAuth oauth = oauth(settings);
        try {
            return tokens.apply(oauth);
        } catch (RuntimeException e) {
            oauth.close();
            throw e;
        }
    }

    /** The token endpoint client with the app's credentials; they must be set. */
    public static PinterestOAuth oauth(PinterestSettings settings) {
        settings.requireClientCredentials("to obtain or refresh Pinterest tokens");
        return PinterestRoute.oauth(settings.tokenUrl(), settings.clientId(), settings.clientSecret(),
                settings.connectTimeout(), settings.requestTimeout());
    }
}
