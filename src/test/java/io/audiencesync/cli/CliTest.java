package io.audiencesync.cli;

import io.audiencesync.TestOAuth;
import io.audiencesync.pinterest.StoredToken;
import io.audiencesync.pinterest.TokenFile;
import io.audiencesync.emulator.PinterestEmulator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class CliTest {

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"run", "check", "plan", "runs", "auth", "audiences", "status", "emulator", "demo", "bench"})
    void everyCommandHasHelp(String command) {
        CliHarness.Result result = execute(command, "--help");
        assertThat(result.code()).isZero();
        assertThat(result.out()).startsWith("Usage: pinterest-audience-sync " + command);
        assertThat(result.out() + result.err()).doesNotContain("picocli WARN");
        // A setting's name is never cut at the end of a line (picocli wraps at a hyphen or a dot otherwise).
        assertThat(result.out()).doesNotContainPattern("[a-z]+\\.[a-z-]*-\\n").doesNotContainPattern("\\b(sync|source|pinterest|state)\\.\\n");
    }

    @ParameterizedTest
    @ValueSource(strings = {"run", "check", "plan", "runs", "auth", "audiences", "status", "emulator", "demo", "bench"})
    void everyCommandPrintsTheVersionAsItsHelpSays(String command) {
        for (String option : new String[] {"-V", "--version"}) {
            CliHarness.Result result = execute(command, option);
            assertThat(result.code()).isZero();
            assertThat(result.out()).startsWith("pinterest-audience-sync ").contains("(Java ");
            assertThat(execute(command, "--help").out()).contains("-V, --version");
        }
    }

    @Test
    void runHelpListsTheExitCodes() {
        assertThat(execute("run", "--help").out()).contains("Exit codes").contains("0   every batch was acknowledged")
                .contains("2   a configuration or authorization error");
    }

    @Test
    void aMissingRequiredSettingStopsWithExitTwoNamingTheKey() throws IOException {
        Path config = dir.resolve("sync.properties");
        Files.writeString(config, "pinterest.ad-account-id=549755885175\npinterest.access-token=t\nsync.data-dir=" + dir + "\n");
        CliHarness.Result result = execute("run", "--once", "--config", config.toString());
        assertThat(result.code()).isEqualTo(2);
        assertThat(result.err()).contains("sync.name: is not set").contains("SYNC_NAME");
    }

    @Test
    void anInvalidSettingIsNamedWithWhatIsExpectedButASecretIsNeverRepeated() throws IOException {
        Path config = dir.resolve("sync.properties");
        Files.writeString(config, "pinterest.ad-account-id=act_12\npinterest.access-token=very-secret\nsync.name=n\n");
        CliHarness.Result result = execute("run", "--once", "--config", config.toString());
        assertThat(result.code()).isEqualTo(2);
        assertThat(result.err()).contains("pinterest.ad-account-id: must be the numeric ad account id").contains("'act_12'")
                .doesNotContain("very-secret");
    }

    @ParameterizedTest
    @ValueSource(strings = {"run", "auth", "audiences", "status", "emulator", "demo"})
    void helpNeverShowsASecret(String command) {
        String previous = System.setProperty("pinterest.client-secret", "sys-prop-secret");
        try {
            assertThat(execute(command, "--help").out()).doesNotContain("sys-prop-secret")
                    .doesNotContain(PinterestEmulator.DEFAULT_CLIENT_SECRET);
        } finally {
            restore("pinterest.client-secret", previous);
        }
    }

    @Test
    void aSecretWithABadValueIsNamedButNeverRepeated() throws IOException {
        Path config = dir.resolve("sync.properties");
        Files.writeString(config, "pinterest.ad-account-id=549755885175\npinterest.client-id=1\n"
                + "pinterest.client-secret=very secret\npinterest.access-token=t\n");
        CliHarness.Result result = execute("audiences", "--config", config.toString());
        assertThat(result.code()).isEqualTo(2);
        assertThat(result.err()).contains("pinterest.client-secret: must not contain whitespace").doesNotContain("very secret");
    }

    @Test
    void withoutAnyTokenTheRunStopsNamingEveryWayToGiveOne() throws IOException {
        Path config = dir.resolve("sync.properties");
        Files.writeString(config, "pinterest.ad-account-id=549755885175\nsync.name=n\nsync.data-dir=" + dir + "\n");
        CliHarness.Result result = execute("run", "--once", "--config", config.toString());
        assertThat(result.code()).isEqualTo(2);
        assertThat(result.err()).contains("pinterest.token-file: no Pinterest token: run 'pinterest-audience-sync auth'")
                .contains(dir.resolve("pinterest-token.json").toString())
                .contains("pinterest.refresh-token").contains("pinterest.access-token");
    }

    @Test
    void aRefreshTokenWithoutTheAppsCredentialsNamesTheMissingKey() throws IOException {
        Path config = dir.resolve("sync.properties");
        Files.writeString(config, "pinterest.ad-account-id=549755885175\nsync.name=n\nsync.data-dir=" + dir
                + "\npinterest.refresh-token=pinr_abc\n");
        CliHarness.Result result = execute("run", "--once", "--config", config.toString());
        assertThat(result.code()).isEqualTo(2);
        assertThat(result.err()).contains("pinterest.client-id: is not set (needed to use pinterest.refresh-token)")
                .doesNotContain("pinr_abc");
    }

    @Test
    void aDamagedTokenFileStopsWithItsNameButNotItsContent() throws IOException {
        Files.writeString(dir.resolve("pinterest-token.json"), "{\"access_token\": pina_leaked");
        Path config = dir.resolve("sync.properties");
        Files.writeString(config, "sync.name=n\nsync.data-dir=" + dir + "\npinterest.client-id=1\npinterest.client-secret=s\n");
        CliHarness.Result result = execute("run", "--once", "--config", config.toString());
        assertThat(result.code()).isEqualTo(2);
        assertThat(result.err()).contains("pinterest.token-file: the token file " + dir.resolve("pinterest-token.json"))
                .contains("run auth again").doesNotContain("pina_leaked");
    }

    @Test
    void anInvalidGrantMakesRunOnceExitTwoAndSayToRunAuthAgain() throws IOException {
        try (PinterestEmulator emulator = PinterestEmulator.builder().start()) {
            StoredToken token = TestOAuth.tokenFile(emulator, dir.resolve("pinterest-token.json"));
            TestOAuth.oauth(emulator).refresh(token.refreshToken()); // spent: as good as revoked
            new TokenFile(dir.resolve("pinterest-token.json")).save(new StoredToken(token.accessToken(), token.refreshToken(),
                    Instant.now().minusSeconds(1), token.refreshTokenExpiresAt(), token.scope(), token.adAccountId()));
            Files.createDirectories(dir.resolve("inbox"));
            Files.writeString(dir.resolve("inbox/day1.csv"), "email\na@example.com\n");
            Path config = dir.resolve("sync.properties");
            Files.writeString(config, String.join("\n", "pinterest.api-url=" + emulator.baseUrl(), "sync.name=n",
                    "sync.data-dir=" + dir, "pinterest.client-id=" + PinterestEmulator.DEFAULT_CLIENT_ID,
                    "pinterest.client-secret=" + PinterestEmulator.DEFAULT_CLIENT_SECRET,
                    "source.file.poll-delay-ms=50", "source.file.read-lock-check-interval-ms=50", "source.file.stable-seconds=0", ""));

            CliHarness.Result result = execute("run", "--once", "--config", config.toString());

            assertThat(result.code()).isEqualTo(2);
            assertThat(result.err()).contains("code 283").contains("run 'pinterest-audience-sync auth' again")
                    .doesNotContain(token.refreshToken()).doesNotContain(token.accessToken())
                    .doesNotContain(PinterestEmulator.DEFAULT_CLIENT_SECRET);
            assertThat(emulator.customerLists()).isEmpty();
        }
    }

    private static void restore(String key, String previous) {
        if (previous == null) {
            System.clearProperty(key);
        } else {
            System.setProperty(key, previous);
        }
    }

    @Test
    void aStateStoreThatCannotBeOpenedStopsAtStartWithoutRepeatingThePassword() throws IOException {
        Path config = dir.resolve("sync.properties");
        Files.writeString(config, "pinterest.ad-account-id=549755885175\npinterest.access-token=t\nsync.name=n\n"
                + "sync.data-dir=" + dir + "\nstate.store=postgres\n"
                + "state.jdbc-url=jdbc:postgresql://127.0.0.1:1/audiences?password=hunter2\nstate.jdbc-password=hunter3\n");
        CliHarness.Result result = execute("run", "--once", "--config", config.toString());
        assertThat(result.code()).isEqualTo(2);
        assertThat(result.err()).contains("state.jdbc-url: cannot open the PostgreSQL state store at")
                .contains("password=***").doesNotContain("hunter2").doesNotContain("hunter3");
    }

    @Test
    void anUnknownStateStoreIsNamed() throws IOException {
        Path config = dir.resolve("sync.properties");
        Files.writeString(config, "pinterest.ad-account-id=549755885175\npinterest.access-token=t\nsync.name=n\n"
                + "sync.data-dir=" + dir + "\nstate.store=mongo\n");
        CliHarness.Result result = execute("run", "--once", "--config", config.toString());
        assertThat(result.code()).isEqualTo(2);
        assertThat(result.err()).contains("state.store: must be file or postgres, got 'mongo'");
    }

    @Test
    void anUnknownOptionIsAUsageError() {
        CliHarness.Result result = execute("run", "--twice");
        assertThat(result.code()).isEqualTo(2);
        assertThat(result.err()).contains("Unknown option: '--twice'");
    }

    private static CliHarness.Result execute(String... args) {
        return CliHarness.execute(args);
    }
}
