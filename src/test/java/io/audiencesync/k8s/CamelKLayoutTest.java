package io.audiencesync.k8s;

import io.audiencesync.emulator.PinterestEmulator;
import io.audiencesync.sync.ChildSync;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The jar in the file layout the Camel K operator gives an Integration's pod: the routes from the sources directory,
 * the settings from the mounted ConfigMap and the Secret's properties file under conf.d, the operator's own
 * application.properties, and the CAMEL_K_CONF / CAMEL_K_CONF_D variables that point at them.
 */
class CamelKLayoutTest {

    @TempDir
    Path dir;

    @Test
    void theJarSyncsFromCamelKsMountsWithTheIntegrationsSourcesOnly() throws Exception {
        try (PinterestEmulator emulator = PinterestEmulator.builder().port(0).start()) {
            Path base = layout(emulator);
            Files.createDirectories(dir.resolve("data/inbox"));
            Files.writeString(dir.resolve("data/inbox/day1.csv"), "email\na@example.com\nb@example.com\n");
            ChildSync.Exit run = run(base, "run", "--once");
            // The jar's own copies of the routes are not loaded too: their ids would clash with the sources'.
            assertThat(run.code()).as(run.output()).isZero();
            assertThat(emulator.members(emulator.customerLists().get(0).id())).hasSize(2);
            assertThat(emulator.customerLists().get(0).name()).isEqualTo("Customer List-From Camel K");
            assertThat(run.output()).doesNotContain("the-stale-token");
        }
    }

    @Test
    void aSecretKeyNamedAsASettingHoldsThatSettingsValue() throws Exception {
        try (PinterestEmulator emulator = PinterestEmulator.builder().port(0).start()) {
            Path base = layout(emulator, true);
            Files.createDirectories(dir.resolve("data/inbox"));
            Files.writeString(dir.resolve("data/inbox/day1.csv"), "email\na@example.com\n");
            ChildSync.Exit run = run(base, "run", "--once");
            assertThat(run.code()).as(run.output()).isZero();
            assertThat(emulator.members(emulator.customerLists().get(0).id())).hasSize(1);
            assertThat(run.output()).doesNotContain(PinterestEmulator.DEFAULT_ACCESS_TOKEN);
        }
    }

    @Test
    void theRoutesAreTheMountedSources() throws Exception {
        try (PinterestEmulator emulator = PinterestEmulator.builder().port(0).start()) {
            Path base = layout(emulator);
            Files.writeString(base.resolve("sources/broken.camel.yaml"), "- route:\n    from:\n      uri: nosuch:component\n");
            ChildSync.Exit run = run(base, "run", "--once");
            assertThat(run.code()).isNotZero();
            assertThat(run.output()).contains("nosuch");
        }
    }

    @Test
    void checkReadsCamelKsMountsTooAndNamesAMisspelledKeyInThem() throws Exception {
        try (PinterestEmulator emulator = PinterestEmulator.builder().port(0).start()) {
            Path base = layout(emulator);
            ChildSync.Exit good = run(base, "check", "--offline");
            assertThat(good.code()).as(good.output()).isZero();
            assertThat(good.output()).containsPattern("sync\\.name += From Camel K +\\(file\\)")
                    .containsPattern("pinterest\\.access-token += \\(set, not shown\\) +\\(file\\)");

            Files.writeString(base.resolve("conf.d/_configmaps/pinterest-audience-sync-config/application.properties"),
                    "\nsync.batchsize=10\n", java.nio.file.StandardOpenOption.APPEND);
            ChildSync.Exit bad = run(base, "check", "--offline");
            assertThat(bad.code()).isEqualTo(2);
            assertThat(bad.output()).contains("sync.batchsize: is not a setting (in a config Camel K mounted under"
                    + " CAMEL_K_CONF_D); did you mean sync.batch-size?");
        }
    }

    @Test
    void theSyncFilesMountedAsAResourceAreTheWorkspace() throws Exception {
        try (PinterestEmulator emulator = PinterestEmulator.builder().port(0).start()) {
            Path base = layout(emulator);
            // The mount trait's resource: the syncs ConfigMap's keys as files, where sync.definitions-dir points.
            Path syncs = Files.createDirectories(dir.resolve("etc/pinterest-audience-sync/syncs"));
            for (Object doc : new Load(LoadSettings.builder().build()).loadAllFromString(Files.readString(Path.of("k8s/syncs-configmap.yaml")))) {
                @SuppressWarnings("unchecked")
                Map<String, Object> data = (Map<String, Object>) ((Map<String, Object>) doc).get("data");
                for (Map.Entry<String, Object> key : data.entrySet()) {
                    Files.writeString(syncs.resolve(key.getKey()), (String) key.getValue());
                }
            }
            Path config = base.resolve("conf.d/_configmaps/pinterest-audience-sync-config/application.properties");
            Files.writeString(config, Files.readString(config).replace("source.file.dir=" + dir.resolve("data/inbox"), "")
                    .replace("sync.name=From Camel K", "").replace("sync.definitions-dir=\n", "sync.definitions-dir=" + syncs + "\n"));
            ChildSync.Exit check = run(base, "check", "--offline");
            assertThat(check.code()).as(check.output()).isZero();
            assertThat(check.output()).contains("2 syncs [leads, users-1]").contains("== Sync 'users-1' (Customer List-Users 1)")
                    .contains("== Sync 'leads' (Customer List-Leads)");
        }
    }

    @Test
    void theEmbeddedSettingsNeverReplaceRoutesGivenAnotherWay() throws Exception {
        // camel run (Camel JBang) and Camel K give the routes themselves: a properties key would replace them.
        java.util.Properties embedded = io.audiencesync.config.SettingsSources.embeddedDefaults();
        assertThat(embedded).doesNotContainKey("camel.main.routes-include-pattern");
    }

    /** /etc/camel as the operator mounts it, with the ConfigMap and Secret of k8s/ (pointed at the emulator). */
    private Path layout(PinterestEmulator emulator) throws Exception {
        return layout(emulator, false);
    }

    /** @param keyNamedAsSetting the Secret's key is pinterest.access-token itself, holding the token */
    private Path layout(PinterestEmulator emulator, boolean keyNamedAsSetting) throws Exception {
        Path base = Files.createDirectories(dir.resolve("etc/camel"));
        Files.writeString(base.resolve("application.properties"), "camel.k.logging.level=INFO\n");
        Path sources = Files.createDirectories(base.resolve("sources"));
        try (Stream<Path> routes = Files.list(Path.of("routes"))) {
            for (Path route : routes.filter(p -> p.toString().endsWith(".camel.yaml")).toList()) {
                Files.copy(route, sources.resolve(route.getFileName()));
            }
        }
        String configMap = null;
        for (Object doc : new Load(LoadSettings.builder().build()).loadAllFromString(Files.readString(Path.of("k8s/configmap.yaml")))) {
            @SuppressWarnings("unchecked")
            Map<String, Object> data = (Map<String, Object>) ((Map<String, Object>) doc).get("data");
            configMap = (String) data.get("application.properties");
        }
        Path config = Files.createDirectories(base.resolve("conf.d/_configmaps/pinterest-audience-sync-config"));
        // The cluster's values, with this test's emulator, directory and name last (the last one of a key wins).
        Files.writeString(config.resolve("application.properties"), configMap + "\npinterest.api-url=" + emulator.baseUrl()
                + "\npinterest.ad-account-id=" + PinterestEmulator.DEFAULT_AD_ACCOUNT_ID + "\nsync.name=From Camel K"
                + "\nsync.data-dir=" + dir.resolve("data") + "\nsource.file.dir=" + dir.resolve("data/inbox")
                + "\nsource.file.stable-seconds=0\nsync.identifiers=email=EMAIL\nstate.store=file"
                // one sync here (the workspace's sync files are read by theSyncFilesMountedAsAResourceAreTheWorkspace)
                + "\nsync.definitions-dir=\n", StandardCharsets.UTF_8);
        Path secret = Files.createDirectories(base.resolve("conf.d/_secrets/pinterest-audience-sync-camel-k"));
        if (keyNamedAsSetting) {
            Files.writeString(secret.resolve("pinterest.access-token"), PinterestEmulator.DEFAULT_ACCESS_TOKEN + "\n");
        } else {
            Files.writeString(secret.resolve("secret.properties"), "pinterest.access-token=" + PinterestEmulator.DEFAULT_ACCESS_TOKEN + "\n");
        }
        // Kubernetes keeps a Secret's earlier versions in dot-directories: never keys.
        Path stale = Files.createDirectories(secret.resolve("..2026_11_30_00_00_00.000000001"));
        Files.writeString(stale.resolve("secret.properties"), "pinterest.access-token=the-stale-token\n");
        return base;
    }

    /** The CLI as a process of its own, with the variables the operator sets in an Integration's pod. */
    private ChildSync.Exit run(Path base, String... args) throws Exception {
        return ChildSync.runCli(dir, Map.of("CAMEL_K_CONF", base.resolve("application.properties").toString(),
                "CAMEL_K_CONF_D", base.resolve("conf.d").toString()), List.of(args));
    }
}
