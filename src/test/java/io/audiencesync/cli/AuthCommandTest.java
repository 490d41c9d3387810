package io.audiencesync.cli;

import io.audiencesync.LogCapture;
import io.audiencesync.TestOAuth;
import io.audiencesync.pinterest.StoredToken;
import io.audiencesync.pinterest.TokenFile;
import io.audiencesync.emulator.PinterestEmulator;
import io.audiencesync.emulator.RecordedCall;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The auth command against the emulator over loopback HTTP; the test plays the browser. */
class AuthCommandTest {

    private static final String ACCOUNT = PinterestEmulator.DEFAULT_AD_ACCOUNT_ID;
    private static final String SECRET = PinterestEmulator.DEFAULT_CLIENT_SECRET;

    @TempDir
    Path dir;
    private PinterestEmulator emulator;
    private String redirect;
    private Path config;
    private Path tokenFile;
    private final ExecutorService background = Executors.newSingleThreadExecutor();

    @BeforeEach
    void start() throws IOException {
        emulator = PinterestEmulator.builder().start();
        redirect = "http://127.0.0.1:" + TestOAuth.freePort() + "/callback";
        tokenFile = dir.resolve("data/pinterest-token.json");
        config = writeConfig("");
    }

    @AfterEach
    void stop() {
        background.shutdownNow();
        emulator.close();
    }

    private Path writeConfig(String extra) throws IOException {
        Path file = dir.resolve("sync.properties");
        Files.writeString(file, String.join("\n",
                "pinterest.api-url=" + emulator.baseUrl(),
                "pinterest.authorize-url=" + emulator.authorizeUrl(),
                "pinterest.client-id=" + PinterestEmulator.DEFAULT_CLIENT_ID,
                "pinterest.client-secret=" + SECRET,
                "pinterest.redirect-uri=" + redirect,
                "sync.data-dir=" + dir.resolve("data"),
                extra, ""));
        return file;
    }

    /** One command run with its own out and err, readable while it runs. */
    private static final class Run {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final CommandLine commandLine = Cli.commandLine();

        Run() {
            commandLine.setOut(new PrintWriter(out, true));
            commandLine.setErr(new PrintWriter(err, true));
        }

        /** The first line of output starting with {@code prefix}, waiting for it up to 10 seconds. */
        String awaitLine(String prefix) throws InterruptedException {
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (System.nanoTime() < until) {
                for (String line : out.toString().split("\n")) {
                    if (line.startsWith(prefix)) {
                        return line.strip();
                    }
                }
                Thread.sleep(20);
            }
            throw new AssertionError("no line starting with " + prefix + " in:\n" + out + err);
        }
    }

    private Future<Integer> auth(Run run, String... args) {
        String[] all = new String[args.length + 3];
        all[0] = "auth";
        System.arraycopy(args, 0, all, 1, args.length);
        all[args.length + 1] = "--config";
        all[args.length + 2] = config.toString();
        return background.submit(() -> run.commandLine.execute(all));
    }

    private long tokenCalls() {
        return emulator.calls().stream().filter(c -> c.path().equals("/v5/oauth/token")).count();
    }

    @Test
    void theFullFlowStoresOwnerOnlyTokensThatReadTheAdAccountAndShowsNoSecret() throws Exception {
        Run run = new Run();
        String everything;
        try (LogCapture logs = new LogCapture()) {
            Future<Integer> exit = auth(run, "--ad-account-id", ACCOUNT, "--verbose");

            String url = run.awaitLine(emulator.authorizeUrl());
            assertThat(url).isEqualTo(emulator.authorizeUrl() + "?client_id=" + PinterestEmulator.DEFAULT_CLIENT_ID
                    + "&redirect_uri=" + TestOAuth.enc(redirect) + "&response_type=code&scope=ads:read,ads:write&state="
                    + TestOAuth.param(url, "state"));
            assertThat(TestOAuth.param(url, "state")).hasSizeGreaterThanOrEqualTo(32);
            String location = TestOAuth.location(url);
            assertThat(location).startsWith(redirect + "?code=");
            HttpResponse<String> landing = TestOAuth.get(location);

            assertThat(landing.statusCode()).isEqualTo(200);
            assertThat(landing.body()).contains("Pinterest access granted");
            assertThat(exit.get(30, TimeUnit.SECONDS)).as(run.err.toString()).isZero();
            everything = run.out + "\n" + run.err + "\n" + logs.text();
            assertThat(everything).as("the redirect's code").doesNotContain(TestOAuth.param(location, "code"));
        }

        assertThat(run.out.toString()).contains("Tokens saved to " + tokenFile)
                .contains("The token can read ad account " + ACCOUNT + " 'Emulated ad account " + ACCOUNT + "' (owner emulator, US, USD).");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(tokenFile))).isEqualTo("rw-------");
        StoredToken token = new TokenFile(tokenFile).load();
        assertThat(token.adAccountId()).isEqualTo(ACCOUNT);
        assertThat(token.scope()).isEqualTo("ads:read,ads:write");
        assertThat(token.expiresAt()).isAfter(Instant.now().plus(Duration.ofDays(29)));
        assertThat(everything).doesNotContain(token.accessToken()).doesNotContain(token.refreshToken()).doesNotContain(SECRET)
                .doesNotContain("pina_").doesNotContain("pinr_");

        // The stored tokens alone (no access token, no ad account id configured) now work for the other commands.
        CliHarness.Result audiences = CliHarness.execute("audiences", "--config", config.toString());
        assertThat(audiences.code()).as(audiences.err()).isZero();
        assertThat(audiences.out()).contains("No customer lists in ad account " + ACCOUNT);
    }

    @Test
    void aRedirectWithAnotherStateIsRefusedAndNoTokenIsRequested() throws Exception {
        Run run = new Run();
        Future<Integer> exit = auth(run, "--ad-account-id", ACCOUNT);
        String location = TestOAuth.location(run.awaitLine(emulator.authorizeUrl()));
        String forged = location.replaceFirst("state=[^&]*", "state=forged");

        HttpResponse<String> landing = TestOAuth.get(forged);

        assertThat(landing.statusCode()).isEqualTo(400);
        assertThat(landing.body()).contains("state does not match");
        assertThat(exit.get(30, TimeUnit.SECONDS)).isEqualTo(2);
        assertThat(run.err.toString()).contains("authorization failed: the redirect's state does not match")
                .contains("no token was requested");
        assertThat(tokenCalls()).isZero();
        assertThat(tokenFile).doesNotExist();
    }

    @Test
    void aDeniedConsentIsReportedAndNoTokenIsRequested() throws Exception {
        Run run = new Run();
        Future<Integer> exit = auth(run, "--ad-account-id", ACCOUNT);
        String state = TestOAuth.param(run.awaitLine(emulator.authorizeUrl()), "state");

        HttpResponse<String> landing = TestOAuth.get(redirect + "?error=access_denied&state=" + TestOAuth.enc(state));

        assertThat(landing.statusCode()).isEqualTo(400);
        assertThat(exit.get(30, TimeUnit.SECONDS)).isEqualTo(2);
        assertThat(run.err.toString()).contains("Pinterest answered access_denied");
        assertThat(tokenCalls()).isZero();
    }

    @Test
    void aCodeObtainedElsewhereIsExchangedWithoutListeningAndWorksOnce() throws Exception {
        String code = TestOAuth.code(emulator, redirect, "ads:read,ads:write");

        CliHarness.Result first = CliHarness.execute("auth", "--code", code, "--ad-account-id", ACCOUNT, "--config", config.toString());

        assertThat(first.code()).as(first.err()).isZero();
        assertThat(first.out()).contains("The token can read ad account " + ACCOUNT);
        assertThat(new TokenFile(tokenFile).load().adAccountId()).isEqualTo(ACCOUNT);

        CliHarness.Result again = CliHarness.execute("auth", "--code", code, "--ad-account-id", ACCOUNT, "--config", config.toString());
        assertThat(again.code()).isEqualTo(2);
        assertThat(again.err()).contains("HTTP 400 code 283").contains("run 'pinterest-audience-sync auth' again")
                .doesNotContain(code).doesNotContain(SECRET);
    }

    @Test
    void theAdAccountIdIsAskedForWhenNotGiven() throws Exception {
        String code = TestOAuth.code(emulator, redirect, "ads:read,ads:write");
        InputStream stdin = System.in;
        try {
            System.setIn(new ByteArrayInputStream((ACCOUNT + "\n").getBytes(StandardCharsets.UTF_8)));
            CliHarness.Result result = CliHarness.execute("auth", "--code", code, "--config", config.toString());
            assertThat(result.code()).as(result.err()).isZero();
            assertThat(result.out()).contains("Ad account id (Pinterest Business Access > Ad Accounts): ");
            assertThat(new TokenFile(tokenFile).load().adAccountId()).isEqualTo(ACCOUNT);

            // Once stored, the account is reused; without the token file and on an empty stdin there is none.
            Files.delete(tokenFile);
            System.setIn(new ByteArrayInputStream(new byte[0]));
            CliHarness.Result none = CliHarness.execute("auth", "--code", "x", "--config", config.toString());
            assertThat(none.code()).isEqualTo(2);
            assertThat(none.err()).contains("no ad account id given: pass --ad-account-id ID");
        } finally {
            System.setIn(stdin);
        }
    }

    @Test
    void anAdAccountTheTokenCannotReadIsReportedAfterTheTokensAreSaved() {
        String code = TestOAuth.code(emulator, redirect, "ads:read,ads:write");
        CliHarness.Result result = CliHarness.execute("auth", "--code", code, "--ad-account-id", "123", "--config", config.toString());
        assertThat(result.code()).isEqualTo(2);
        assertThat(result.err()).contains("the tokens are saved, but they cannot read ad account 123")
                .contains("HTTP 403 code 29");
        assertThat(new TokenFile(tokenFile).load().adAccountId()).isEqualTo("123");
    }

    @Test
    void missingAppCredentialsOrANonLoopbackRedirectAreNamedSettings() throws IOException {
        Files.writeString(config, Files.readString(config).replace("pinterest.client-id=", "unused.client-id="));
        CliHarness.Result noId = CliHarness.execute("auth", "--ad-account-id", ACCOUNT, "--config", config.toString());
        assertThat(noId.code()).isEqualTo(2);
        assertThat(noId.err()).contains("pinterest.client-id: is not set").doesNotContain(SECRET);

        config = writeConfig("pinterest.redirect-uri=https://example.com/callback");
        CliHarness.Result remote = CliHarness.execute("auth", "--ad-account-id", ACCOUNT, "--config", config.toString());
        assertThat(remote.code()).isEqualTo(2);
        assertThat(remote.err()).contains("pinterest.redirect-uri: must be a plain http loopback URL").contains("--code");

        CliHarness.Result badId = CliHarness.execute("auth", "--ad-account-id", "act_1", "--config", config.toString());
        assertThat(badId.code()).isEqualTo(2);
        assertThat(badId.err()).contains("must be the numeric ad account id");
        assertThat(emulator.calls()).extracting(RecordedCall::path).isEmpty();
    }
}
