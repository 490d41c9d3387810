package io.audiencesync.cli;

import io.audiencesync.PinterestConnection;
import io.audiencesync.SyncApp;
import io.audiencesync.config.ConfigException;
import io.audiencesync.config.PinterestSettings;
import io.audiencesync.pinterest.AdAccount;
import io.audiencesync.pinterest.AuthorizationFlow;
import io.audiencesync.pinterest.PinterestAccessException;
import io.audiencesync.pinterest.PinterestClient;
import io.audiencesync.pinterest.PinterestOAuth;
import io.audiencesync.pinterest.RefreshingTokenProvider;
import io.audiencesync.pinterest.StoredToken;
import io.audiencesync.pinterest.TokenFile;
import io.audiencesync.pinterest.TokenGrant;
import io.audiencesync.pinterest.TokenProvider;
import io.audiencesync.pinterest.TokenStore;
import io.audiencesync.routes.PinterestRoute;
import io.audiencesync.sync.RunLifecycle;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "auth",
        mixinStandardHelpOptions = true,
        description = "Authorizes this tool for your Pinterest ad account and keeps the tokens in the token file "
                + "(pinterest.token-file, readable by you only); syncs refresh them on their own from then on. It "
                + "prints a Pinterest URL to open in a browser, listens on pinterest.redirect-uri (a loopback URL "
                + "registered in your Pinterest app) for the redirect, exchanges the code with the app's "
                + "credentials (pinterest.client-id, pinterest.client-secret) and checks the token can read the ad "
                + "account. No browser on this machine? Open the URL elsewhere and pass the code from the redirect "
                + "with --code.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:authorized: the tokens are stored and can read the ad account",
            "1:Pinterest could not be reached",
            "2:a setting is missing or invalid, the authorization was refused, or the token cannot read the ad account"})
final class AuthCommand implements Callable<Integer> {

    @Option(names = "--ad-account-id", paramLabel = "ID",
            description = "The advertiser account to sync to (Pinterest Business Access > Ad Accounts); asked for when missing"
                    + " and pinterest.ad-account-id is not set.")
    String adAccountId;

    @Option(names = "--code", paramLabel = "CODE",
            description = "Exchange this authorization code instead of listening for the redirect. It must come from an"
                    + " authorize URL with the same pinterest.redirect-uri and is valid once, for a few minutes.")
    String code;

    @Option(names = "--timeout-seconds", paramLabel = "SECONDS", defaultValue = "300",
            description = "How long to wait for the browser's redirect (default ${DEFAULT-VALUE}).")
    int timeoutSeconds;

    @Mixin
    VerboseOption verbose;

    @Mixin
    ConfigOption config;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Where the ad account id is read from when it has to be asked for; tests replace it. */
    InputStream in = System.in;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try (Quiet quiet = verbose.quiet()) {
            return authorize(out, err);
        } catch (RuntimeException e) {
            if (!Failures.explained(e)) {
                throw e;
            }
            return Failures.report(err, e);
        }
    }

    private int authorize(PrintWriter out, PrintWriter err) {
        PinterestSettings settings = SyncApp.readSettings(config.existing(), Map.of(), PinterestSettings::load);
        try (PinterestOAuth oauth = PinterestConnection.oauth(settings)) {
            return authorize(settings, oauth, out, err);
        }
    }

    private int authorize(PinterestSettings settings, PinterestOAuth oauth, PrintWriter out, PrintWriter err) {
        String account = adAccount(settings, out);
        String redirectUri = settings.redirectUri().toString();

        TokenGrant grant;
        if (code != null) {
            grant = oauth.exchangeCode(code.strip(), redirectUri);
        } else {
            String unusable = AuthorizationFlow.unusableRedirect(settings.redirectUri());
            if (unusable != null) {
                throw new ConfigException("pinterest.redirect-uri", unusable);
            }
            AuthorizationFlow flow = new AuthorizationFlow(settings.authorizeUrl(), settings.clientId(), settings.redirectUri());
            AuthorizationFlow.Result result = flow.awaitRedirect(url -> {
                out.println("Open this URL in a browser, sign in to Pinterest and allow access (ads:read, ads:write):");
                out.println();
                out.println(url);
                out.println();
                out.println("Waiting for Pinterest to redirect to " + redirectUri + " ...");
                out.flush();
            }, Duration.ofSeconds(timeoutSeconds));
            if (result instanceof AuthorizationFlow.Result.Refused refused) {
                err.println("pinterest-audience-sync: authorization failed: " + refused.reason());
                err.flush();
                return SyncApp.CONFIG_ERROR;
            }
            grant = oauth.exchangeCode(((AuthorizationFlow.Result.Authorized) result).code(), redirectUri);
        }

        TokenStore kept = settings.tokenStore();
        StoredToken token = StoredToken.issued(grant, Instant.now(), account);
        kept.save(token);
        out.println("Tokens saved to " + kept.where() + (kept instanceof TokenFile ? " (readable by you only)."
                : " (every replica uses them; whoever can read that table can use them: grant it to this tool's database"
                + " user only)."));
        out.println("  access token expires at " + token.expiresAt() + ", refresh token at " + token.refreshTokenExpiresAt()
                + "; syncs refresh them on their own.");
        if (token.refreshToken() == null) {
            out.println("  Pinterest sent no refresh token: run auth again when the access token expires.");
        }

        TokenProvider tokens = new RefreshingTokenProvider(oauth, kept, Clock.systemUTC());
        try (PinterestRoute.Standalone route = PinterestRoute.standalone(settings.apiUrl(), account, tokens,
                PinterestConnection.options(settings, status -> { }, () -> false))) {
            PinterestClient client = route.client();
            AdAccount ad = client.getAdAccount();
            out.println("The token can read ad account " + ad.id() + " '" + ad.name() + "'"
                    + (ad.owner() == null || ad.owner().username() == null ? "" : " (owner " + ad.owner().username()
                    + (ad.country() == null ? "" : ", " + ad.country()) + (ad.currency() == null ? "" : ", " + ad.currency()) + ")")
                    + ".");
        } catch (PinterestAccessException e) {
            err.println("pinterest-audience-sync: the tokens are saved, but they cannot read ad account " + account + ": "
                    + RunLifecycle.explain(e));
            err.flush();
            return SyncApp.CONFIG_ERROR;
        }
        out.println("Next: 'pinterest-audience-sync audiences' lists its customer list audiences; 'run' syncs.");
        out.flush();
        return 0;
    }

    /** --ad-account-id, else pinterest.ad-account-id (or the one the token file keeps), else asked for. */
    private String adAccount(PinterestSettings settings, PrintWriter out) {
        if (adAccountId != null) {
            String id = checked(adAccountId.strip(), "--ad-account-id");
            if (settings.adAccountId() != null && !settings.adAccountId().equals(id)) {
                out.println("Note: the settings name ad account " + settings.adAccountId() + "; pinterest.ad-account-id, when set,"
                        + " wins over the account stored with the tokens.");
            }
            return id;
        }
        if (settings.adAccountId() != null) {
            out.println("Ad account " + settings.adAccountId() + " (from the settings; pass --ad-account-id to choose another).");
            return settings.adAccountId();
        }
        out.print("Ad account id (Pinterest Business Access > Ad Accounts): ");
        out.flush();
        String line;
        try {
            line = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)).readLine();
        } catch (IOException e) {
            line = null;
        }
        if (line == null || line.isBlank()) {
            throw new ConfigException(PinterestSettings.AD_ACCOUNT_ID, "no ad account id given: pass --ad-account-id ID"
                    + " (Business Access > Ad Accounts)");
        }
        return checked(line.strip(), "the ad account id");
    }

    private static String checked(String id, String what) {
        if (!id.matches("\\d{1,18}")) {
            throw new ConfigException(PinterestSettings.AD_ACCOUNT_ID, what + " must be the numeric ad account id (up to 18 digits;"
                    + " Business Access > Ad Accounts), got '" + id + "'");
        }
        return id;
    }
}
