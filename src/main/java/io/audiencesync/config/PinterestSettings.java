package io.audiencesync.config;

import io.audiencesync.observe.Secrets;

import io.audiencesync.pinterest.TokenFile;
import io.audiencesync.pinterest.TokenStore;
import io.audiencesync.pinterest.TokenStoreException;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Function;

/**
 * The settings for talking to Pinterest: the API, the ad account, the OAuth app and where tokens come from.
 * Read and validated once; {@code toString()} never shows the client secret or a token.
 *
 * @param adAccountId {@code pinterest.ad-account-id}, else the account {@code auth} stored in the token file;
 *                    null when neither says
 */
public record PinterestSettings(
        URI apiUrl,
        String adAccountId,
        Duration connectTimeout,
        Duration requestTimeout,
        RetrySettings retry,
        String clientId,
        String clientSecret,
        URI redirectUri,
        URI authorizeUrl,
        URI tokenUrl,
        Path tokenFile,
        StateSettings state,
        String refreshToken,
        String accessToken) {

    public PinterestSettings {
        Secrets.register(clientSecret);
        Secrets.register(refreshToken);
        Secrets.register(accessToken);
    }

    public static final String AD_ACCOUNT_ID = "pinterest.ad-account-id";
    public static final String CLIENT_ID = "pinterest.client-id";
    public static final String CLIENT_SECRET = "pinterest.client-secret";
    public static final String TOKEN_FILE = "pinterest.token-file";

    public static PinterestSettings load(Function<String, Optional<String>> lookup) {
        SettingsReader r = new SettingsReader(lookup);
        Path tokenFile = Path.of(r.required(TOKEN_FILE));
        StateSettings state = r.state();
        String adAccountId = r.optional(AD_ACCOUNT_ID);
        if (adAccountId != null) {
            SettingsReader.checkedId(AD_ACCOUNT_ID, adAccountId);
        } else {
            adAccountId = accountInTokens(tokenStore(state, tokenFile));
        }
        return new PinterestSettings(
                r.url("pinterest.api-url"),
                adAccountId,
                Duration.ofSeconds(r.integer("pinterest.connect-timeout-seconds", 1, 600)),
                Duration.ofSeconds(r.integer("pinterest.request-timeout-seconds", 1, 3600)),
                new RetrySettings(
                        r.integer("pinterest.max-attempts", 1, 100),
                        Duration.ofSeconds(r.integer("pinterest.retry-budget-seconds", 0, 86_400)),
                        Duration.ofMillis(r.integer("pinterest.retry-base-delay-ms", 1, 600_000)),
                        Duration.ofMillis(r.integer("pinterest.retry-max-delay-ms", 1, 3_600_000)),
                        r.integer("pinterest.write-rate-per-minute", 1, 100_000)),
                r.optional(CLIENT_ID),
                r.secret(CLIENT_SECRET),
                r.url("pinterest.redirect-uri"),
                r.url("pinterest.authorize-url"),
                r.url("pinterest.token-url"),
                tokenFile,
                state,
                r.secret("pinterest.refresh-token"),
                r.secret("pinterest.access-token"));
    }

    private static String accountInTokens(TokenStore tokens) {
        if (!tokens.exists()) {
            return null;
        }
        try {
            String id = tokens.load().adAccountId();
            return id == null ? null : SettingsReader.checkedId(TOKEN_FILE + " (its ad_account_id)", id);
        } catch (TokenStoreException e) {
            throw new ConfigException(TOKEN_FILE, e.getMessage());
        }
    }

    /**
     * Where the tokens are kept: the token file, or with {@code state.store=postgres} the store's {@code token} table,
     * shared by every replica (a token file found there is taken in when the table has none).
     */
    public TokenStore tokenStore() {
        return tokenStore(state, tokenFile);
    }

    private static TokenStore tokenStore(StateSettings state, Path tokenFile) {
        TokenFile file = new TokenFile(tokenFile);
        return state.store() == StateSettings.Store.POSTGRES ? state.openPostgres().tokens(file) : file;
    }

    /** The ad account every call goes to; a sync cannot run without one. */
    public String requireAdAccountId() {
        if (adAccountId == null) {
            throw new ConfigException(AD_ACCOUNT_ID, "is not set: run 'auth --ad-account-id ID' (it keeps the id in the token file) or set "
                    + AD_ACCOUNT_ID + " (environment variable PINTEREST_AD_ACCOUNT_ID); the id is under Business Access > Ad Accounts");
        }
        return adAccountId;
    }

    /** The token source in order: the tokens kept (token file or table), {@code pinterest.refresh-token}, {@code pinterest.access-token}. */
    public TokenSource tokenSource() {
        TokenStore tokens = tokenStore();
        if (tokens.exists()) {
            requireClientCredentials("to refresh the tokens in " + tokens.where());
            return new TokenSource.Stored(tokens);
        }
        if (refreshToken != null) {
            requireClientCredentials("to use pinterest.refresh-token");
            return new TokenSource.RefreshToken(tokens, refreshToken);
        }
        if (accessToken != null) {
            return new TokenSource.AccessToken(accessToken);
        }
        throw new ConfigException(TOKEN_FILE, "no Pinterest token: run 'pinterest-audience-sync auth' (it keeps the tokens in "
                + tokens.where() + "), or set pinterest.refresh-token or pinterest.access-token");
    }

    /** The OAuth app's credentials, needed by {@code auth} and by every refresh. */
    public void requireClientCredentials(String why) {
        if (clientId == null) {
            throw new ConfigException(CLIENT_ID, "is not set (needed " + why + "); it is the app id under developers.pinterest.com > My apps"
                    + " (environment variable PINTEREST_CLIENT_ID)");
        }
        if (clientSecret == null) {
            throw new ConfigException(CLIENT_SECRET, "is not set (needed " + why + "); it is the app secret under"
                    + " developers.pinterest.com > My apps (environment variable PINTEREST_CLIENT_SECRET)");
        }
    }

    @Override
    public String toString() {
        return "PinterestSettings[apiUrl=" + apiUrl + ", adAccountId=" + adAccountId + ", clientId=" + clientId
                + ", clientSecret=" + (clientSecret == null ? "(not set)" : "(set)") + ", redirectUri=" + redirectUri
                + ", tokenUrl=" + tokenUrl + ", tokenFile=" + tokenFile
                + ", refreshToken=" + (refreshToken == null ? "(not set)" : "(set)")
                + ", accessToken=" + (accessToken == null ? "(not set)" : "(set)") + "]";
    }
}
