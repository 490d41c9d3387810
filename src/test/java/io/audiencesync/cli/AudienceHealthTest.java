package io.audiencesync.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.audiencesync.PostgresTestDatabase;
import io.audiencesync.emulator.PinterestEmulator;
import io.audiencesync.identity.Normalizer;
import io.audiencesync.observe.ReadyCheck;
import io.audiencesync.observe.SyncMetrics;
import io.audiencesync.report.Json;
import io.audiencesync.state.LocalStateFiles;
import io.audiencesync.sync.AudienceHealthFile;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * What Pinterest made of the list, read after a run that sent something, against the emulator over loopback HTTP:
 * the audience size and match rate in the summary, the report, the pushed metrics and {@code status}; a too small
 * audience as a warning there and in readiness; a read that fails not failing the run.
 */
class AudienceHealthTest {

    @TempDir
    Path dir;

    private final List<String> pushes = new CopyOnWriteArrayList<>();
    private HttpServer gateway;
    private PinterestEmulator emulator;
    private Map<String, String> settings;

    @BeforeEach
    void start() throws IOException {
        gateway = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        gateway.createContext("/", exchange -> {
            pushes.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        gateway.start();
    }

    @AfterEach
    void stop() {
        gateway.stop(0);
        if (emulator != null) {
            emulator.close();
        }
    }

    private void emulator(Duration sizeDelay) {
        emulator = PinterestEmulator.builder().port(0).sizeDelay(sizeDelay).start();
        settings = new HashMap<>(Map.of(
                "pinterest.api-url", emulator.baseUrl(),
                "pinterest.ad-account-id", PinterestEmulator.DEFAULT_AD_ACCOUNT_ID,
                "pinterest.access-token", PinterestEmulator.DEFAULT_ACCESS_TOKEN,
                "sync.name", "Cron",
                "sync.data-dir", dir.resolve("data").toString(),
                "source.file.stable-seconds", "0",
                "sync.pushgateway-url", "http://127.0.0.1:" + gateway.getAddress().getPort()));
        settings.put("pinterest.max-attempts", "2");
        settings.put("pinterest.retry-base-delay-ms", "10");
    }

    private static List<String> emails(int from, int count) {
        return IntStream.range(from, from + count).mapToObj(i -> "user" + i + "@example.com").toList();
    }

    /** The values Pinterest matches, by the emulator's rule on the hashed email as it goes on the wire. */
    private static long matched(List<String> emails) {
        return emails.stream().filter(e -> PinterestEmulator.hasPinterestAccount(Normalizer.sha256(e))).count();
    }

    private void drop(String name, List<String> emails) throws IOException {
        Path inbox = dir.resolve("data/inbox");
        Files.createDirectories(inbox);
        Files.writeString(inbox.resolve(name), "email\n" + emails.stream().map(e -> e + "\n").collect(Collectors.joining()));
    }

    private JsonNode lastReport() throws IOException {
        try (Stream<Path> files = Files.list(dir.resolve("data/runs"))) {
            Path newest = files.filter(p -> p.toString().endsWith(".json")).max(Path::compareTo).orElseThrow();
            return Json.MAPPER.readTree(newest.toFile());
        }
    }

    private static String oneLine(String summary) {
        return summary.replaceAll("\\n +", " ");
    }

    @Test
    void aRunThatSentSomethingShowsTheAudienceSizeAndMatchRateInTheSummaryReportMetricsAndStatus() throws IOException {
        emulator(Duration.ZERO);
        List<String> model = emails(0, 300);
        long matched = matched(model);
        assertThat(matched).as("the emulator leaves about 30 %% unmatched").isBetween(150L, 260L);
        String rate = String.format(Locale.ROOT, "%.0f %%", matched * 100.0 / 300);
        drop("day1.csv", model);

        CliHarness.Result run = CliHarness.execute(dir, settings, "run", "--once");

        assertThat(run.code()).as(run.err()).isZero();
        assertThat(oneLine(run.out())).contains("health   audience size " + matched + " of 300 values in the list, match rate "
                + rate + " (audience READY), list READY; read just now. Pinterest updates sizes 24-48 hours after a write")
                .doesNotContain("WARNING");
        JsonNode health = lastReport().get("audience_health");
        assertThat(health.get("audience_size").asLong()).isEqualTo(matched);
        assertThat(health.get("list_values").asLong()).isEqualTo(300);
        assertThat(health.get("match_rate").asDouble()).isCloseTo(matched / 300.0, within(1e-9));
        assertThat(health.get("list_status").asText()).isEqualTo("READY");
        assertThat(health.get("audience_status").asText()).isEqualTo("READY");
        assertThat(health.get("read_at").asText()).isNotEmpty();
        assertThat(health.get("age_seconds").asLong()).isBetween(0L, 5L);
        assertThat(health.get("note").asText()).contains("24-48 hours");
        assertThat(health.get("warning").isNull()).isTrue();
        assertThat(health.get("not_read").isNull()).isTrue();
        assertThat(pushes).singleElement().satisfies(body -> assertThat(body)
                .contains("pinterest_sync_audience_size{sync=\"cron\"} " + matched + ".0")
                .contains("pinterest_sync_audience_match_ratio{sync=\"cron\"} " + (matched / 300.0))
                .contains("pinterest_sync_customer_list_status{status=\"READY\",sync=\"cron\"} 1.0")
                .contains("pinterest_sync_customer_list_status{status=\"TOO_SMALL\",sync=\"cron\"} 0.0")
                .contains("pinterest_sync_audience_reading_age_seconds{sync=\"cron\"}")
                .contains("pinterest_sync_audience_too_small{sync=\"cron\"} 0.0"));

        CliHarness.Result status = CliHarness.execute(dir, settings, "status");
        assertThat(status.code()).as(status.err()).isZero();
        assertThat(status.out()).contains("Health: audience size " + matched + " of 300 values in the list, match rate "
                + rate + " (audience READY), list READY; read just now").doesNotContain("WARNING");

        // A run that sends nothing reads nothing: the last reading is shown, as old as it is.
        String readAt = health.get("read_at").asText();
        long reads = emulator.calls().stream().filter(c -> c.method().equals("GET") && c.path().contains("/audiences/")).count();
        drop("day2.csv", model);
        CliHarness.Result again = CliHarness.execute(dir, settings, "run", "--once");
        assertThat(again.code()).as(again.err()).isZero();
        assertThat(lastReport().get("audience_health").get("read_at").asText()).isEqualTo(readAt);
        assertThat(emulator.calls().stream().filter(c -> c.method().equals("GET") && c.path().contains("/audiences/")).count())
                .as("no read of the audience after a run that sent nothing").isEqualTo(reads);
    }

    @Test
    void sizesLagTheWritesAsPinterestsDoAndStatusReadsThemAgain() throws IOException {
        emulator(Duration.ofHours(1));
        List<String> model = emails(0, 300);
        long matched = matched(model);
        drop("day1.csv", model);

        CliHarness.Result run = CliHarness.execute(dir, settings, "run", "--once");

        assertThat(run.code()).as(run.err()).isZero();
        assertThat(oneLine(run.out())).contains("health   audience size not reported yet (audience INITIALIZING), list"
                + " PROCESSING; read just now. Pinterest updates sizes 24-48 hours after a write");
        assertThat(lastReport().get("audience_health").get("match_rate").isNull()).isTrue();

        emulator.passTime(Duration.ofHours(2));
        CliHarness.Result status = CliHarness.execute(dir, settings, "status");
        assertThat(status.out()).contains("Health: audience size " + matched + " of 300 values in the list");
    }

    @Test
    void anAudienceUnderOneHundredMatchedIsAWarningInTheSummaryReportMetricsStatusAndReadiness() throws IOException {
        emulator(Duration.ZERO);
        List<String> model = emails(0, 50);
        long matched = matched(model);
        drop("day1.csv", model);

        CliHarness.Result run = CliHarness.execute(dir, settings, "run", "--once");

        assertThat(run.code()).as("a small audience is no failed run: " + run.err()).isZero();
        String warning = "the audience is too small to target: Pinterest matched " + matched + " of the 50 values in the"
                + " list (list status TOO_SMALL), and it needs at least 100 matched users. Add values to the model";
        assertThat(oneLine(run.out())).contains("list TOO_SMALL").contains("WARNING  " + warning);
        JsonNode health = lastReport().get("audience_health");
        assertThat(health.get("list_status").asText()).isEqualTo("TOO_SMALL");
        assertThat(health.get("warning").asText()).startsWith(warning);
        assertThat(pushes).singleElement().satisfies(body -> assertThat(body)
                .contains("pinterest_sync_audience_too_small{sync=\"cron\"} 1.0")
                .contains("pinterest_sync_customer_list_status{status=\"TOO_SMALL\",sync=\"cron\"} 1.0"));

        CliHarness.Result status = CliHarness.execute(dir, settings, "status");
        assertThat(status.out()).contains("WARNING: " + warning);

        // Readiness as the daemon builds it: the reading kept by the run, in the sync's meters.
        SyncMetrics metrics = new SyncMetrics("cron");
        metrics.audienceHealth(new AudienceHealthFile(LocalStateFiles.INSTANCE, dir.resolve("data/state"), "Cron").load(null).orElseThrow());
        Files.createDirectories(dir.resolve("data/inbox"));
        ReadyCheck ready = new ReadyCheck(List.of(new ReadyCheck.Sync("cron", metrics, dir.resolve("data/inbox"))),
                dir.resolve("data"));
        ready.setCamelContext(new DefaultCamelContext());
        HealthCheck.Result result = ready.call();
        assertThat(result.getState()).as("a small audience does not take the endpoint away").isEqualTo(HealthCheck.State.UP);
        assertThat(String.valueOf(result.getDetails().get("cron"))).startsWith("UP; WARNING: " + warning);
        assertThat(result.getMessage()).hasValueSatisfying(m -> assertThat(m).startsWith("WARNING: " + warning));
    }

    @Test
    void aReadThatFailsDoesNotFailTheRunAndSaysSoWithTheLastReading() throws IOException {
        emulator(Duration.ZERO);
        List<String> model = emails(0, 300);
        drop("day1.csv", model);
        assertThat(CliHarness.execute(dir, settings, "run", "--once").code()).isZero();
        String readAt = lastReport().get("audience_health").get("read_at").asText();
        emulator.faults().failReads("audiences", 10, 503);
        drop("day2.csv", emails(0, 310));

        CliHarness.Result run = CliHarness.execute(dir, settings, "run", "--once");

        assertThat(run.code()).as(run.err()).isZero();
        JsonNode report = lastReport();
        assertThat(report.get("outcome").asText()).isEqualTo("SUCCEEDED");
        assertThat(report.get("adds").get("sent").asLong()).isEqualTo(10);
        JsonNode health = report.get("audience_health");
        assertThat(health.get("not_read").asText()).startsWith("GET audience ").contains("503");
        assertThat(health.get("read_at").asText()).as("the last reading, kept").isEqualTo(readAt);
        assertThat(oneLine(run.out())).contains("health   not read this run (GET audience ").contains("the run is not"
                + " affected; last reading: audience size");
    }

    @Test
    void theStatusTableOfAWorkspaceListsEachSyncsLastReadingWithItsAgeAndWarning() throws IOException {
        emulator(Duration.ZERO);
        Path syncs = Files.createDirectories(dir.resolve("syncs"));
        settings.remove("sync.name");
        settings.put("sync.definitions-dir", syncs.toString());
        Files.writeString(syncs.resolve("buyers.properties"), "sync.name=Buyers\n");
        Files.writeString(syncs.resolve("leads.properties"), "sync.name=Leads\n");
        List<String> buyers = emails(0, 200);
        List<String> leads = emails(1000, 30);
        for (var sync : Map.of("buyers", buyers, "leads", leads).entrySet()) {
            Path inbox = Files.createDirectories(dir.resolve("data/syncs").resolve(sync.getKey()).resolve("inbox"));
            Files.writeString(inbox.resolve("day1.csv"), "email\n" + sync.getValue().stream().map(e -> e + "\n")
                    .collect(Collectors.joining()));
        }
        assertThat(CliHarness.execute(dir, settings, "run", "--once").code()).isZero();

        CliHarness.Result status = CliHarness.execute(dir, settings, "status");

        assertThat(status.code()).as(status.err()).isZero();
        assertThat(status.out()).contains("Audience health, as read after each sync's last run that sent something")
                .contains("  buyers: audience size " + matched(buyers) + " of 200 values in the list, match rate ")
                .contains("  leads: audience size " + matched(leads) + " of 30 values in the list")
                .contains("  leads: WARNING the audience is too small to target")
                .doesNotContain("buyers: WARNING");
    }

    @Test
    void aDamagedReadingIsOnlyAdvisoryItStopsNoRunAndTheNextReadingReplacesIt() throws IOException {
        emulator(Duration.ZERO);
        drop("day1.csv", emails(0, 300));
        assertThat(CliHarness.execute(dir, settings, "run", "--once").code()).isZero();
        Path kept = new AudienceHealthFile(LocalStateFiles.INSTANCE, dir.resolve("data/state"), "Cron").file();
        assertThat(Files.readString(kept)).contains("\"sha256\"");
        Files.writeString(kept, Files.readString(kept).replace("\"list_status\" : \"READY\"", "\"list_status\" : \"RAEDY\""));

        // A run that sends nothing shows the kept reading: a damaged one is none, said in the log.
        drop("day2.csv", emails(0, 300));
        CliHarness.Result nothingSent = CliHarness.execute(dir, settings, "run", "--once");
        assertThat(nothingSent.code()).as(nothingSent.err()).isZero();
        assertThat(lastReport().get("audience_health").isNull()).isTrue();
        assertThat(nothingSent.err()).contains("The last audience health reading is not used: " + kept + " is damaged:"
                + " its content does not match its seal");

        drop("day3.csv", emails(0, 320));
        assertThat(CliHarness.execute(dir, settings, "run", "--once").code()).isZero();
        assertThat(lastReport().get("audience_health").get("list_values").asLong()).isEqualTo(320);
        assertThat(new AudienceHealthFile(LocalStateFiles.INSTANCE, dir.resolve("data/state"), "Cron").load(null)).as("whole again")
                .hasValueSatisfying(h -> assertThat(h.listValues()).isEqualTo(320));
    }

    @Test
    void withThePostgresStoreStatusTakesTheValuesInTheListFromTheLastRunsReading() throws IOException {
        PostgresTestDatabase.assumeAvailable();
        String schema = PostgresTestDatabase.newSchema();
        try {
            emulator(Duration.ZERO);
            settings.putAll(PostgresTestDatabase.settings(schema));
            List<String> model = emails(0, 300);
            drop("day1.csv", model);
            assertThat(CliHarness.execute(dir, settings, "run", "--once").code()).isZero();

            CliHarness.Result status = CliHarness.execute(dir, settings, "status");

            assertThat(status.code()).as(status.err()).isZero();
            assertThat(status.out()).contains(", 300 values at the last run's reading")
                    .contains("Health: audience size " + matched(model) + " of 300 values in the list, match rate ");
        } finally {
            PostgresTestDatabase.dropSchema(schema);
        }
    }
}
