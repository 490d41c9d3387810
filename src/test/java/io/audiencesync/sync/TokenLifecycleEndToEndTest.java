package io.audiencesync.sync;

import io.audiencesync.LogCapture;
import io.audiencesync.TestOAuth;
import io.audiencesync.pinterest.InvalidGrantException;
import io.audiencesync.pinterest.PinterestOAuth;
import io.audiencesync.pinterest.StoredToken;
import io.audiencesync.pinterest.TokenFile;
import io.audiencesync.pinterest.TokenGrant;
import io.audiencesync.emulator.PinterestEmulator;
import io.audiencesync.emulator.RecordedCall;
import io.audiencesync.report.Outcome;
import io.audiencesync.report.RunReport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;

import static io.audiencesync.sync.SyncHarness.email;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Syncs whose tokens come from the token file or pinterest.refresh-token: refresh before expiry, on 401, rotation, failures. */
class TokenLifecycleEndToEndTest {

    private static final String CSV = "id,email,maid,idfa\n1,a@example.com,,\n2,b@example.com,,\n";
    private static final String TOKEN_CALL = "/v5/oauth/token";

    @TempDir
    Path dir;
    private PinterestEmulator emulator;
    private SyncHarness sync;
    private PinterestOAuth oauth;

    @BeforeEach
    void start() {
        startEmulator(PinterestEmulator.builder());
    }

    private void startEmulator(PinterestEmulator.Builder builder) {
        if (emulator != null) {
            emulator.close();
        }
        emulator = builder.port(0).start();
        sync = new SyncHarness(emulator, dir).withOAuthApp();
        oauth = TestOAuth.oauth(emulator);
    }

    @AfterEach
    void stop() {
        emulator.close();
    }

    private StoredToken authorized() {
        return TestOAuth.tokenFile(emulator, sync.tokenFile());
    }

    private StoredToken saved() {
        return new TokenFile(sync.tokenFile()).load();
    }

    private List<RecordedCall> tokenCalls() {
        return emulator.calls().stream().filter(c -> c.path().equals(TOKEN_CALL)).toList();
    }

    @Test
    void aSyncRunsOnTheTokenFileAloneWithTheAdAccountAuthStoredInIt() {
        authorized();
        sync.unset("pinterest.ad-account-id");

        int exit = sync.sync("day1.csv", CSV);

        assertThat(exit).isZero();
        assertThat(emulator.members(sync.onlyListId())).containsExactlyInAnyOrder(email("a@example.com"), email("b@example.com"));
        assertThat(tokenCalls()).as("a fresh token is not refreshed").hasSize(1);
    }

    @Test
    void anAccessTokenExpiringWithinFiveMinutesIsRefreshedBeforeTheFirstCall() {
        StoredToken first = authorized();
        new TokenFile(sync.tokenFile()).save(new StoredToken(first.accessToken(), first.refreshToken(),
                Instant.now().plus(Duration.ofMinutes(4)), first.refreshTokenExpiresAt(), first.scope(), first.adAccountId()));
        int before = emulator.calls().size();

        int exit = sync.sync("day1.csv", CSV);

        assertThat(exit).isZero();
        List<RecordedCall> calls = emulator.calls().subList(before, emulator.calls().size());
        assertThat(calls.get(0).path()).as("the refresh comes first").isEqualTo(TOKEN_CALL);
        assertThat(calls).extracting(RecordedCall::status).doesNotContain(401);
        assertThat(calls).filteredOn(c -> c.path().equals(TOKEN_CALL)).hasSize(1);
        StoredToken now = saved();
        assertThat(now.accessToken()).isNotEqualTo(first.accessToken());
        assertThat(now.expiresAt()).isAfter(Instant.now().plus(Duration.ofDays(29)));
    }

    @Test
    void a401IsAnsweredWithOneRefreshAndOneRetryOfTheSameCall() {
        StoredToken first = authorized();
        emulator.failNextAuthenticatedCalls(1);
        int before = emulator.calls().size();

        int exit = sync.sync("day1.csv", CSV);

        assertThat(exit).isZero();
        List<RecordedCall> calls = emulator.calls().subList(before, emulator.calls().size());
        assertThat(calls.get(0).status()).isEqualTo(401);
        assertThat(calls.get(1).path()).isEqualTo(TOKEN_CALL);
        assertThat(calls.get(2).path()).isEqualTo(calls.get(0).path());
        assertThat(calls.get(2).status()).isEqualTo(200);
        assertThat(calls).filteredOn(c -> c.path().equals(TOKEN_CALL)).hasSize(1);
        assertThat(saved().accessToken()).isNotEqualTo(first.accessToken());
        assertThat(emulator.members(sync.onlyListId())).hasSize(2);
    }

    @Test
    void a401AfterTheRefreshStopsTheRunWithExitTwoAndCreatesNothing() {
        authorized();
        emulator.failNextAuthenticatedCalls(2);

        int exit = sync.sync("day1.csv", CSV);

        assertThat(exit).isEqualTo(2);
        assertThat(tokenCalls()).as("one refresh, no loop").hasSize(2);
        assertThat(emulator.customerLists()).isEmpty();
        RunReport report = sync.lastReport();
        assertThat(report.outcome()).isEqualTo(Outcome.STOPPED);
        assertThat(report.error()).contains("401").contains("even after a refresh").contains("auth");
    }

    @Test
    void theRotatedRefreshTokenIsPersistedAndTheOldOneIsSpent() throws IOException {
        StoredToken first = authorized();
        emulator.failNextAuthenticatedCalls(1);
        sync.sync("day1.csv", CSV);
        StoredToken second = saved();
        assertThat(second.refreshToken()).isNotEqualTo(first.refreshToken());
        assertThatThrownBy(() -> oauth.refresh(first.refreshToken())).isInstanceOf(InvalidGrantException.class);

        // The next run works from what was persisted: another forced refresh spends the saved refresh token.
        emulator.failNextAuthenticatedCalls(1);
        assertThat(sync.sync("day2.csv", CSV)).isZero();
        assertThat(saved().refreshToken()).isNotIn(first.refreshToken(), second.refreshToken());
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(sync.tokenFile()))).isEqualTo("rw-------");
    }

    @Test
    void anInvalidGrantStopsTheRunWithExitTwoAndSaysToRunAuthAgain() {
        StoredToken first = authorized();
        oauth.refresh(first.refreshToken()); // spent elsewhere: as good as revoked
        new TokenFile(sync.tokenFile()).save(new StoredToken(first.accessToken(), first.refreshToken(),
                Instant.now().minusSeconds(60), first.refreshTokenExpiresAt(), first.scope(), first.adAccountId()));

        int exit = sync.sync("day1.csv", CSV);

        assertThat(exit).isEqualTo(2);
        RunReport report = sync.lastReport();
        assertThat(report.outcome()).isEqualTo(Outcome.STOPPED);
        assertThat(report.error()).contains("code 283").contains("run 'pinterest-audience-sync auth' again")
                .doesNotContain(first.refreshToken());
        assertThat(emulator.customerLists()).isEmpty();
        // Read completely, the file is in the desired state: after a new auth, no file needs to be dropped again.
        assertThat(sync.filesIn(".failed")).isEmpty();
        assertThat(sync.filesIn(".done")).hasSize(1);
    }

    @Test
    void aRefreshTokenFromTheSettingsIsExchangedAtStartAndTheTokenFileIsUsedFromThenOn() throws IOException {
        TokenGrant grant = TestOAuth.grant(emulator);
        sync.set("pinterest.refresh-token", grant.refreshToken());

        assertThat(sync.sync("day1.csv", CSV)).isZero();

        assertThat(sync.tokenFile()).exists();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(sync.tokenFile()))).isEqualTo("rw-------");
        assertThat(saved().refreshToken()).isNotEqualTo(grant.refreshToken());
        assertThat(saved().adAccountId()).isEqualTo(PinterestEmulator.DEFAULT_AD_ACCOUNT_ID);
        int issued = emulator.tokensIssued();

        // The setting's token is spent now; the file wins, so the second run neither needs nor uses it.
        assertThat(sync.sync("day2.csv", CSV)).isZero();
        assertThat(emulator.tokensIssued()).isEqualTo(issued);
    }

    @Test
    void everyRunWarnsWhenTheRefreshTokenExpiresWithinSevenDays() {
        startEmulator(PinterestEmulator.builder().refreshTokenLifetime(Duration.ofDays(3)));
        authorized();
        try (LogCapture logs = new LogCapture()) {
            // two runs (one file each: of files waiting together only the newest is synced)
            assertThat(sync.sync("day1.csv", CSV)).isZero();
            assertThat(sync.sync("day2.csv", CSV)).isZero();
            assertThat(sync.reports()).hasSize(2);
            assertThat(logs.warnings()).filteredOn(w -> w.contains("refresh token expires at")).hasSize(2)
                    .allSatisfy(w -> assertThat(w).contains("in 2 days").contains("run 'pinterest-audience-sync auth' again"));
        }
    }

    /**
     * The refresh token's expiry, as the token endpoint sent it and the token file keeps it: check, status, the run's
     * summary and the process's metric show it; from 7 days before it lapses each also warns, saying to run auth.
     */
    @ParameterizedTest
    @ValueSource(ints = {6, 30})
    void theRefreshTokensTimeLeftIsShownAndAWarningStartsSevenDaysBeforeItLapses(int days) throws IOException {
        startEmulator(PinterestEmulator.builder().refreshTokenLifetime(Duration.ofDays(days)));
        StoredToken token = authorized();
        assertThat(token.refreshTokenExpiresAt()).isBetween(Instant.now().plus(Duration.ofDays(days)).minusSeconds(60),
                Instant.now().plus(Duration.ofDays(days)));
        boolean warns = days < 7;
        String timeLeft = "Refresh token: expires at " + token.refreshTokenExpiresAt() + " (in " + (days - 1) + " days 23 hours)";
        String warning = "WARNING: the Pinterest refresh token expires at " + token.refreshTokenExpiresAt() + " (in "
                + (days - 1) + " days 23 hours): run 'pinterest-audience-sync auth' again before then";
        List<String> pushes = new java.util.concurrent.CopyOnWriteArrayList<>();
        com.sun.net.httpserver.HttpServer gateway = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0), 0);
        gateway.createContext("/", exchange -> {
            pushes.add(new String(exchange.getRequestBody().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        gateway.start();
        try {
            java.util.Map<String, String> settings = new java.util.HashMap<>(sync.settings);
            settings.remove("sync.once");
            settings.put("sync.pushgateway-url", "http://127.0.0.1:" + gateway.getAddress().getPort());

            io.audiencesync.cli.CliHarness.Result check = io.audiencesync.cli.CliHarness.execute(dir, settings, "check");
            assertThat(check.code()).as(check.out()).isZero();
            assertThat(check.out()).contains(timeLeft);
            assertThat(io.audiencesync.cli.CliHarness.execute(dir, settings, "check", "--offline").out()).contains(timeLeft)
                    .matches(out -> out.contains("WARNING: the Pinterest refresh token") == warns, "warns from 7 days before");
            io.audiencesync.cli.CliHarness.Result status = io.audiencesync.cli.CliHarness.execute(dir, settings, "status");
            assertThat(status.out()).contains(timeLeft);
            // A workspace of several syncs: status is one table, then the one token's expiry (no call to Pinterest).
            Path syncs = Files.createDirectories(dir.resolve("syncs"));
            Files.writeString(syncs.resolve("buyers.properties"), "sync.identifiers=email=EMAIL\n");
            Files.writeString(syncs.resolve("leads.properties"), "sync.identifiers=mail=EMAIL\n");
            java.util.Map<String, String> workspace = new java.util.HashMap<>(settings);
            workspace.put("sync.definitions-dir", syncs.toString());
            workspace.remove("source.file.dir");
            workspace.remove("sync.name");
            int calls = emulator.calls().size();
            io.audiencesync.cli.CliHarness.Result table = io.audiencesync.cli.CliHarness.execute(dir, workspace, "status");
            assertThat(table.code()).as(table.err()).isZero();
            assertThat(table.out()).startsWith("sync ").contains(timeLeft);
            assertThat(table.out().contains("WARNING: the Pinterest refresh token expires at")).isEqualTo(warns);
            assertThat(emulator.calls()).hasSize(calls);
            sync.drop("day1.csv", CSV);
            io.audiencesync.cli.CliHarness.Result run = io.audiencesync.cli.CliHarness.execute(dir, settings, "run", "--once");
            assertThat(run.code()).isZero();
            String summary = run.out().replaceAll("\\s+", " ");
            assertThat(pushes).singleElement().asString()
                    .contains("pinterest_sync_refresh_token_expiry_timestamp_seconds " + (double) token.refreshTokenExpiresAt().getEpochSecond())
                    .doesNotContain("pinterest_sync_refresh_token_expiry_timestamp_seconds{");
            if (warns) {
                assertThat(check.out()).contains(warning);
                assertThat(status.out()).contains(warning);
                assertThat(summary).contains("WARNING the Pinterest refresh token expires at " + token.refreshTokenExpiresAt())
                        .contains("run 'pinterest-audience-sync auth' again");
                assertThat(sync.lastReport().warnings()).singleElement().asString().contains("refresh token expires at");
            } else {
                // No token warning (the emulator's two-value audience is too small: that warning is another's).
                assertThat(check.out()).doesNotContainPattern("WARNING[^\\n]*refresh token");
                assertThat(status.out()).doesNotContainPattern("WARNING[^\\n]*refresh token");
                assertThat(summary).doesNotContain("WARNING the Pinterest refresh token").doesNotContain("auth' again");
                assertThat(sync.lastReport().warnings()).isEmpty();
            }
        } finally {
            gateway.stop(0);
        }
    }

    @Test
    void noTokenOrSecretReachesTheLogsTheReportsOrTheState() throws IOException {
        StoredToken first = authorized();
        new TokenFile(sync.tokenFile()).save(new StoredToken(first.accessToken(), first.refreshToken(),
                Instant.now().plusSeconds(60), first.refreshTokenExpiresAt(), first.scope(), first.adAccountId()));
        emulator.failNextAuthenticatedCalls(1);
        String logText;
        try (LogCapture logs = new LogCapture()) {
            assertThat(sync.sync("day1.csv", CSV)).isZero();
            logText = logs.text();
        }
        StoredToken last = saved();
        assertThat(logText).contains("Refreshed the Pinterest access token").contains("retrying once");
        StringBuilder written = new StringBuilder(logText);
        try (Stream<Path> files = Files.walk(sync.data)) {
            for (Path p : files.filter(Files::isRegularFile).filter(p -> !p.equals(sync.tokenFile())).toList()) {
                // ISO-8859-1 maps every byte: binary state files are searched as they are
                written.append(new String(Files.readAllBytes(p), java.nio.charset.StandardCharsets.ISO_8859_1));
            }
        }
        assertThat(written.toString()).doesNotContain(first.accessToken()).doesNotContain(first.refreshToken())
                .doesNotContain(last.accessToken()).doesNotContain(last.refreshToken())
                .doesNotContain(PinterestEmulator.DEFAULT_CLIENT_SECRET)
                .doesNotContain("pina_").doesNotContain("pinr_");
    }
}
