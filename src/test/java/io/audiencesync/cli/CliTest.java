package io.audiencesync.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class CliTest {

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"run", "plan", "emulator", "demo", "bench"})
    void everyCommandHasHelp(String command) {
        CliHarness.Result result = execute(command, "--help");
        assertThat(result.code()).isZero();
        assertThat(result.out()).startsWith("Usage: pinterest-audience-sync " + command);
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
