package io.audiencesync.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;

class SettingsSourcesTest {

    @TempDir
    Path dir;

    @Test
    void theNearestSettingIsTheOneWithTheFewestEditsOrTheOneANamespaceWasLeftOffOf() {
        SettingsSources sources = new SettingsSources(null, false, Map.of(), Map.of(), new Properties());
        assertThat(SettingsSources.nearest("sync.identifer", sources.knownKeys())).isEqualTo("sync.identifiers");
        assertThat(SettingsSources.nearest("sync.batchsize", sources.knownKeys())).isEqualTo("sync.batch-size");
        assertThat(SettingsSources.nearest("management.port", sources.knownKeys())).isEqualTo("camel.management.port");
        assertThat(SettingsSources.nearest("sync.colour-of-the-sky", sources.knownKeys())).isNull();
    }

    @Test
    void unknownKeysAreProblemsWhereverTheyAreWrittenButCamelsOwnAndOtherNamespacesAreNot() throws IOException {
        Path file = dir.resolve("application.properties");
        Files.writeString(file, "sync.name=x\nsync.identifer=email=EMAIL\ncamel.main.name=mine\nmy.own.key=1\n"
                + "logging.level.org.apache.camel=DEBUG\n");
        Properties system = new Properties();
        system.setProperty("source.file.delimeter", ";");
        system.setProperty("java.home", "/usr");
        SettingsSources sources = new SettingsSources(file, true, Map.of("sync.dryrun", "true"), Map.of(), system);
        assertThat(sources.problems()).extracting(ConfigException::getMessage).containsExactly(
                "sync.identifer: is not a setting (in " + file.toAbsolutePath() + "); did you mean sync.identifiers?",
                "source.file.delimeter: is not a setting (-Dsource.file.delimeter); did you mean source.file.delimiter?",
                "sync.dryrun: is not a setting; did you mean sync.dry-run?");
    }

    @Test
    void environmentVariablesThatLookLikeSettingsAreWarningsAndKubernetesOwnAreLeftAlone() {
        SettingsSources sources = new SettingsSources(null, false, Map.of(), Map.of("SYNC_BATCHSIZE", "10",
                "SYNC_BATCH_SIZE", "10", "PINTEREST_AUDIENCE_SYNC_SERVICE_HOST", "10.0.0.1",
                "PINTEREST_AUDIENCE_SYNC_PORT", "tcp://10.0.0.1:9876", "HOME", "/root"), new Properties());
        assertThat(sources.warnings()).containsExactly("environment variable SYNC_BATCHSIZE is not a setting and is"
                + " ignored; did you mean SYNC_BATCH_SIZE (sync.batch-size)?");
        assertThat(sources.problems()).isEmpty();
    }

    @Test
    void eachValueIsSaidToComeFromWhereCamelTakesIt() throws IOException {
        Path file = dir.resolve("application.properties");
        Files.writeString(file, "sync.name=from-file\nsync.mode=add-only\nsync.batch-size=10\n");
        Properties system = new Properties();
        system.setProperty("sync.mode", "segment");
        SettingsSources sources = new SettingsSources(file, false, Map.of("sync.mode", "x", "sync.once", "true"),
                Map.of("SYNC_NAME", "from-env"), system);
        assertThat(sources.origin("sync.name")).isEqualTo(SettingsSources.Origin.ENVIRONMENT);
        assertThat(sources.origin("sync.mode")).isEqualTo(SettingsSources.Origin.SYSTEM_PROPERTY);
        assertThat(sources.origin("sync.once")).isEqualTo(SettingsSources.Origin.COMMAND_LINE);
        assertThat(sources.origin("sync.batch-size")).isEqualTo(SettingsSources.Origin.FILE);
        assertThat(sources.origin("sync.keep-runs")).isEqualTo(SettingsSources.Origin.DEFAULT);
    }
}
