package io.audiencesync;

import io.audiencesync.config.ConfigException;
import io.audiencesync.config.PinterestSettings;
import io.audiencesync.config.TokenSource;
import io.audiencesync.pinterest.PinterestClient;
import io.audiencesync.pinterest.PinterestOAuth;
import io.audiencesync.pinterest.RefreshingTokenProvider;
import io.audiencesync.pinterest.TokenFile;
import io.audiencesync.pinterest.TokenFileException;
import io.audiencesync.pinterest.TokenProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.function.BooleanSupplier;
import java.util.function.IntConsumer;

/** The Pinterest client and its tokens, made from the settings: the one place that picks the token source. */
public record PinterestConnection(TokenProvider tokens, PinterestClient client) {

    private static final Logger LOG = LoggerFactory.getLogger(PinterestConnection.class);

    /** Opens the token source (a refresh token from the settings is exchanged at once) and the client. */
    public static PinterestConnection open(PinterestSettings settings) {
        return open(settings, status -> { }, () -> false);
    }

    /**
     * @param onStatus told the HTTP status of every answer, for the metrics
     * @param stopping true once the process is shutting down: no retry is waited for then
     */
    public static PinterestConnection open(PinterestSettings settings, IntConsumer onStatus, BooleanSupplier stopping) {
        String adAccountId = settings.requireAdAccountId();
        TokenProvider tokens = tokens(settings);
        return new PinterestConnection(tokens, new PinterestClient(settings.apiUrl(), adAccountId, tokens,
                options(settings, onStatus, stopping)));
    }

    /** Timeouts and retries from the settings. */
    public static PinterestClient.Options options(PinterestSettings settings, IntConsumer onStatus, BooleanSupplier stopping) {
        return new PinterestClient.Options(settings.connectTimeout(), settings.requestTimeout(), settings.retry(), onStatus,
                stopping);
    }

    /** The token file if it exists, else {@code pinterest.refresh-token}, else {@code pinterest.access-token}. */
    public static TokenProvider tokens(PinterestSettings settings) {
        TokenSource source = settings.tokenSource();
        try {
            if (source instanceof TokenSource.TokenFile file) {
                LOG.info("Pinterest tokens: {} (refreshed automatically)", file.file());
                return new RefreshingTokenProvider(oauth(settings), new TokenFile(file.file()), Clock.systemUTC());
            }
            if (source instanceof TokenSource.RefreshToken refresh) {
                LOG.info("Pinterest tokens: pinterest.refresh-token, kept in {} once refreshed", settings.tokenFile());
                return RefreshingTokenProvider.start(oauth(settings), new TokenFile(settings.tokenFile()), refresh.value(),
                        settings.adAccountId(), Clock.systemUTC());
            }
        } catch (TokenFileException e) {
            throw new ConfigException(PinterestSettings.TOKEN_FILE, e.getMessage());
        }
        LOG.info("Pinterest tokens: pinterest.access-token (not refreshed; 'auth' sets up tokens that are)");
        return TokenProvider.fixed(((TokenSource.AccessToken) source).value());
    }

    /** The token endpoint client with the app's credentials; they must be set. */
    public static PinterestOAuth oauth(PinterestSettings settings) {
        settings.requireClientCredentials("to obtain or refresh Pinterest tokens");
        return new PinterestOAuth(settings.tokenUrl(), settings.clientId(), settings.clientSecret(), settings.connectTimeout(),
                settings.requestTimeout());
    }
}
