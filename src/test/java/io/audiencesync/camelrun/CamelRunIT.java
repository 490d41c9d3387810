package io.audiencesync.camelrun;

import io.audiencesync.TestOAuth;
import io.audiencesync.identity.Normalizer;
import io.audiencesync.emulator.PinterestEmulator;
import io.audiencesync.sync.ChildSync;
import org.apache.camel.tooling.maven.MavenArtifact;
import org.apache.camel.tooling.maven.MavenDownloaderImpl;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The README's {@code camel run} command, run as Camel JBang runs it: Camel's KameletMain in a JVM of its own, with
 * nothing of this project on its class path. Its Maven downloader resolves the thin jar and the dependencies its pom
 * declares from the local repository (the build installs the jar there before this test, as {@code mvn install}
 * does), the routes come from the files on the command line, the settings from the properties files and the
 * environment, and the sync runs against the emulator over loopback HTTP.
 */
class CamelRunIT {

    /** What camel run does with its command line, as a script for Java's source launcher. */
    static final Path LAUNCHER = Path.of("src/test/resources/camel-run/CamelRun.java").toAbsolutePath();

    /** The runtime of Camel JBang 4.18, resolved as jbang resolves it. */
    static String runtimeClassPath;

    @TempDir
    Path dir;

    @BeforeAll
    static void resolveCamelJBangsRuntime() throws Exception {
        try (MavenDownloaderImpl maven = new MavenDownloaderImpl()) {
            // offline: the build fetched these (pom.xml, pre-integration-test), nothing is downloaded here
            maven.setOffline(true);
            maven.build();
            List<MavenArtifact> artifacts = maven.resolveArtifacts(List.of(
                    "org.apache.camel:camel-kamelet-main:" + System.getProperty("camel.version"),
                    // a logging backend, as Camel JBang brings its own
                    "ch.qos.logback:logback-classic:" + System.getProperty("logback.version")), Set.of(), true, false);
            List<String> path = new ArrayList<>();
            artifacts.forEach(a -> path.add(a.getFile().getAbsolutePath()));
            runtimeClassPath = String.join(File.pathSeparator, path);
        }
        assertThat(runtimeClassPath).doesNotContain("pinterest-audience-sync").doesNotContain("target/classes");
    }

    @Test
    void theRoutesOnTheCommandLineSyncWithTheProjectsBeansAndStopOnSigterm() throws Exception {
        try (PinterestEmulator emulator = PinterestEmulator.builder().port(0).start()) {
            int port = TestOAuth.freePort();
            Path settings = settings(emulator, "camel.management.port=" + port);
            Process camel = camelRun(settings);
            try {
                await(() -> ready(port), camel, "readiness at /observe/health/ready");
                // six values, then one gone: within the removal guards (a smaller cut would be withheld)
                List<String> emails = List.of("Alice@Example.com", "bob@example.com", "carol@example.com",
                        "dan@example.com", "erin@example.com", "frank@example.com");
                drop("day1.csv", "email\n" + String.join("\n", emails) + "\n");
                await(() -> reports().size() == 1, camel, "the run's report");
                assertThat(Files.readString(reports().get(0))).contains("\"outcome\" : \"SUCCEEDED\"");
                String list = emulator.customerLists().get(0).id();
                assertThat(emulator.customerLists().get(0).name()).isEqualTo("Customer List-Camel run");
                assertThat(emulator.members(list)).hasSize(6).contains(Normalizer.sha256("alice@example.com"));

                drop("day2.csv", "email\n" + String.join("\n", emails.subList(1, 6)) + "\n");
                await(() -> reports().size() == 2, camel, "the second run's report");
                assertThat(emulator.members(list)).hasSize(5).doesNotContain(Normalizer.sha256("alice@example.com"))
                        .contains(Normalizer.sha256("bob@example.com"));
            } finally {
                camel.destroy();
                assertThat(camel.waitFor(60, TimeUnit.SECONDS)).as(log()).isTrue();
            }
            String log = log();
            // Nine routes from routes/ (seven of them made from its templates, for the one sync) and the probe, each
            // once: the properties never replace the command line's files, and the jar's own copies are not loaded too
            // (their ids would clash).
            assertThat(log).contains("Routes startup (total:10 templates:7)").contains("Started probe (timer://probe)")
                    .contains("probe: loaded from the command line").contains("Started file-source")
                    .contains("Stopped: the sync 'Camel run' no longer watches")
                    // the sync's profile and shutdown timeout, not camel run's dev defaults (10 s)
                    .contains("starting with profile: production").contains("shutting down (timeout:30s)");
            assertThat(log).doesNotContain(PinterestEmulator.DEFAULT_ACCESS_TOKEN).doesNotContainIgnoringCase("alice@example.com")
                    .doesNotContain("bob@example.com");
        }
    }

    @Test
    void syncOnceEndsCamelRunWhenTheInboxIsDrained() throws Exception {
        try (PinterestEmulator emulator = PinterestEmulator.builder().port(0).start()) {
            // as run --once sets it: no probes, no scrape, for a process that ends by itself
            Path settings = settings(emulator, "camel.management.enabled=false\ncamel.metrics.enabled=false");
            drop("day1.csv", "email\nalice@example.com\n");
            Process camel = camelRun(settings, "--prop=sync.once=true");
            assertThat(camel.waitFor(3, TimeUnit.MINUTES)).as("camel run did not end by itself: " + log()).isTrue();
            assertThat(reports()).as(log()).hasSize(1);
            assertThat(Files.readString(reports().get(0))).contains("\"outcome\" : \"SUCCEEDED\"");
            assertThat(emulator.members(emulator.customerLists().get(0).id())).hasSize(1);
        }
    }

    /** {@code camel run routes/*.camel.yaml probe.camel.yaml sync.properties application.properties --dep=...}. */
    private Process camelRun(Path settings, String... more) throws IOException {
        Path probe = dir.resolve("probe.camel.yaml");
        Files.writeString(probe, """
                - route:
                    id: probe
                    from:
                      uri: timer:probe
                      parameters:
                        repeatCount: 1
                      steps:
                        - log: "probe: loaded from the command line"
                """);
        List<String> command = new ArrayList<>(List.of(ChildSync.java(),
                "-Dmaven.repo.local=" + System.getProperty("maven.repo.local"),
                "-Dlogback.configurationFile=" + logback(),
                "-cp", runtimeClassPath, LAUNCHER.toString()));
        try (Stream<Path> routes = Files.list(Path.of("routes"))) {
            routes.filter(p -> p.toString().endsWith(".camel.yaml")).sorted().forEach(p -> command.add(p.toString()));
        }
        command.addAll(List.of(probe.toString(), settings.toString(), "application.properties",
                "--dep=io.audiencesync:pinterest-audience-sync:" + System.getProperty("project.version"),
                // Camel 4.18's catalog names camel-kamelets 4.17.0, which the registry here does not serve
                "--kamelets-version=" + System.getProperty("camel.version")));
        command.addAll(List.of(more));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve("camel-run.log").toFile());
        // the secret from the environment, as a user keeps it out of files
        builder.environment().put("PINTEREST_ACCESS_TOKEN", PinterestEmulator.DEFAULT_ACCESS_TOKEN);
        return builder.start();
    }

    private Path settings(PinterestEmulator emulator, String extra) throws IOException {
        Files.createDirectories(dir.resolve("inbox"));
        return Files.writeString(dir.resolve("sync.properties"), String.join("\n",
                "pinterest.api-url=" + emulator.baseUrl(),
                "pinterest.ad-account-id=" + PinterestEmulator.DEFAULT_AD_ACCOUNT_ID,
                "sync.name=Camel run",
                "sync.data-dir=" + dir.resolve("data"),
                "source.file.dir=" + dir.resolve("inbox"),
                "source.file.stable-seconds=0",
                "source.file.poll-delay-ms=100",
                extra, ""));
    }

    private Path logback() throws IOException {
        return Files.writeString(dir.resolve("logback.xml"), """
                <configuration>
                  <appender name="out" class="ch.qos.logback.core.ConsoleAppender">
                    <encoder><pattern>%d{HH:mm:ss.SSS} %-5level %logger{36} - %msg%n</pattern></encoder>
                  </appender>
                  <root level="INFO"><appender-ref ref="out"/></root>
                </configuration>
                """);
    }

    private void drop(String name, String content) throws IOException {
        Path inbox = Files.createDirectories(dir.resolve("inbox"));
        Path staged = Files.writeString(dir.resolve(name + ".part"), content);
        Files.move(staged, inbox.resolve(name), StandardCopyOption.ATOMIC_MOVE);
    }

    private List<Path> reports() {
        Path runs = dir.resolve("data/runs");
        if (!Files.isDirectory(runs)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(runs)) {
            return files.filter(p -> p.toString().endsWith(".json")).sorted().collect(Collectors.toList());
        } catch (IOException e) {
            return List.of();
        }
    }

    private static boolean ready(int port) {
        try {
            HttpResponse<String> answer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + "/observe/health/ready")).build(), HttpResponse.BodyHandlers.ofString());
            return answer.statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private void await(BooleanSupplier condition, Process camel, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (!condition.getAsBoolean()) {
            if (!camel.isAlive()) {
                throw new AssertionError("camel run ended (exit " + camel.exitValue() + ") before " + what + ":\n" + log());
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no " + what + " within 2 minutes:\n" + log());
            }
            Thread.sleep(100);
        }
    }

    private String log() {
        try {
            return Files.readString(dir.resolve("camel-run.log"), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }
}
