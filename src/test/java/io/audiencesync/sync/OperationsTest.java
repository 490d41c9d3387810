package io.audiencesync.sync;

import com.fasterxml.jackson.databind.JsonNode;
import io.audiencesync.emulator.PinterestEmulator;
import io.audiencesync.report.Json;
import io.audiencesync.report.Outcome;
import io.audiencesync.report.RunReport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/** The long-running daemon as operators run it: a separate JVM, its management port, SIGTERM, its logs. */
class OperationsTest {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path dir;
    private PinterestEmulator emulator;
    private ChildSync child;
    private int port;

    @BeforeEach
    void start() throws IOException {
        emulator = PinterestEmulator.builder().port(0).start();
        child = new ChildSync(emulator, dir);
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        child.settings.put("camel.management.host", "127.0.0.1");
        child.settings.put("camel.management.port", Integer.toString(port));
        child.settings.put("sync.batch-size", "100");
        child.settings.put("pinterest.write-rate-per-minute", "100000");
    }

    @AfterEach
    void stop() {
        emulator.close();
    }

    @Test
    void healthAndMetricsAreServedWhileTheDaemonRuns() throws Exception {
        Process daemon = child.start("run");
        try {
            await(() -> get("/observe/health/ready").statusCode() == 200, daemon);
            JsonNode ready = Json.MAPPER.readTree(get("/observe/health/ready").body());
            assertThat(ready.get("status").asText()).isEqualTo("UP");
            assertThat(ready.get("checks")).isNotEmpty();
            assertThat(get("/observe/health/live").statusCode()).isEqualTo(200);
            assertThat(Json.MAPPER.readTree(get("/observe/health").body()).get("status").asText()).isEqualTo("UP");

            drop("day1.csv", model(0, 250) + "not-an-email\n");
            await(() -> metric("pinterest_sync_runs_total{outcome=\"SUCCEEDED\",sync=\"child\"}") >= 1, daemon);
            assertThat(metric("pinterest_sync_rows_read_total{sync=\"child\"}")).isEqualTo(251);
            assertThat(metric("pinterest_sync_values_added_total{sync=\"child\"}")).isEqualTo(250);
            assertThat(metric("pinterest_sync_values_rejected_total{reason=\"INVALID_EMAIL\",sync=\"child\"}")).isEqualTo(1);
            assertThat(metric("pinterest_sync_batches_sent_total{operation=\"ADD\",sync=\"child\"}")).isEqualTo(3);
            assertThat(metric("pinterest_sync_http_responses_total{status=\"200\"}")).isGreaterThanOrEqualTo(5);
            assertThat(metric("pinterest_sync_last_success_timestamp_seconds{sync=\"child\"}")).isGreaterThan(1.7e9);
            assertThat(get("/observe/metrics").body()).contains("jvm_memory_used_bytes").doesNotContain("@example.com");
            assertThat(metric("pinterest_sync_convergence{state=\"converged\",sync=\"child\"}")).isEqualTo(1);
            assertThat(metric("pinterest_sync_values_owed{sync=\"child\"}")).isZero();
            // The workspace's token, one series a process: a static access token has no known expiry.
            assertThat(metric("pinterest_sync_refresh_token_expiry_timestamp_seconds")).isZero();
            assertThat(metric("pinterest_sync_access_token_expiry_timestamp_seconds")).isZero();
            JsonNode checks = Json.MAPPER.readTree(get("/observe/health/ready").body()).get("checks");
            // Readiness says whether the sync can work; whether the list converged is listed, but not readiness.
            assertThat(checks.findValuesAsText("name")).contains("can-work").doesNotContain("convergence");
            assertThat(Json.MAPPER.readTree(get("/observe/health").body()).get("checks").findValuesAsText("name"))
                    .contains("convergence", "can-work");

            drop("day2.csv", model(100, 350)); // the same size: 100 leave, 100 join
            await(() -> metric("pinterest_sync_runs_total{outcome=\"SUCCEEDED\",sync=\"child\"}") >= 2, daemon);
            assertThat(metric("pinterest_sync_values_removed_total{sync=\"child\"}")).isEqualTo(100);
            assertThat(get("/observe/nothing-here").statusCode()).isEqualTo(404);
        } finally {
            daemon.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void readinessGoesDownWhenARunStoppedOnWhatAPersonMustFix() throws Exception {
        child.settings.put("pinterest.access-token", "a-token-pinterest-refuses");
        Process daemon = child.start("run");
        try {
            await(() -> get("/observe/health/ready").statusCode() == 200, daemon);
            drop("day1.csv", model(0, 10));
            await(() -> get("/observe/health/ready").statusCode() == 503, daemon);
            JsonNode ready = Json.MAPPER.readTree(get("/observe/health/ready").body());
            assertThat(ready.get("status").asText()).isEqualTo("DOWN");
            assertThat(ready.toString()).contains("the last run stopped on a setting, a grant or access");
            assertThat(get("/observe/health/live").statusCode()).as("restarting would not help: still live").isEqualTo(200);
        } finally {
            daemon.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void aTooSmallAudienceIsAWarningInReadinessWhichStaysUpAndInTheMetricsFromTheStart() throws Exception {
        Process daemon = child.start("run");
        try {
            await(() -> get("/observe/health/ready").statusCode() == 200, daemon);
            assertThat(metric("pinterest_sync_audience_too_small{sync=\"child\"}")).as("no reading yet").isZero();
            drop("day1.csv", model(0, 30));
            await(() -> metric("pinterest_sync_runs_total{outcome=\"SUCCEEDED\",sync=\"child\"}") >= 1, daemon);
            assertThat(metric("pinterest_sync_audience_too_small{sync=\"child\"}")).isEqualTo(1);
            HttpResponse<String> ready = get("/observe/health/ready");
            assertThat(ready.statusCode()).as("the sync works; its audience needs more values").isEqualTo(200);
            assertThat(ready.body()).contains("\"message\":\"WARNING: the audience is too small to target");
        } finally {
            daemon.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }

        // A new process shows the reading its last run kept, before any run of its own.
        Process again = child.start("run");
        try {
            await(() -> get("/observe/health/ready").statusCode() == 200, again);
            assertThat(metric("pinterest_sync_audience_too_small{sync=\"child\"}")).isEqualTo(1);
            assertThat(metric("pinterest_sync_customer_list_status{status=\"TOO_SMALL\",sync=\"child\"}")).isEqualTo(1);
            assertThat(metric("pinterest_sync_audience_reading_age_seconds{sync=\"child\"}")).isGreaterThanOrEqualTo(0);
            assertThat(get("/observe/health/ready").body()).contains("\"message\":\"WARNING: the audience is too small to target");
        } finally {
            again.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void sigtermFinishesTheBatchInFlightWritesTheReportAndExitsPromptly() throws Exception {
        emulator.close();
        emulator = PinterestEmulator.builder().port(0).writeDelay(Duration.ofMillis(200)).start();
        child = new ChildSync(emulator, dir);
        child.settings.put("camel.management.host", "127.0.0.1");
        child.settings.put("camel.management.port", Integer.toString(port));
        child.settings.put("sync.batch-size", "100");
        child.settings.put("pinterest.write-rate-per-minute", "100000");
        drop("day1.csv", model(0, 10_000)); // 100 batches at 200 ms each: 20 s if left alone
        Process daemon = child.start("run");
        await(() -> emulator.writeCalls() >= 5, daemon);

        long asked = System.nanoTime();
        daemon.destroy(); // SIGTERM
        assertThat(daemon.waitFor(20, TimeUnit.SECONDS)).as("exits within a grace period").isTrue();
        long tookMs = (System.nanoTime() - asked) / 1_000_000;

        List<RunReport> reports = new io.audiencesync.sync.RunHistory(dir.resolve("data")).reports();
        assertThat(reports).singleElement().satisfies(r -> {
            assertThat(r.outcome()).isEqualTo(Outcome.INTERRUPTED);
            assertThat(r.adds().sent()).isBetween(500L, 9_900L);
            assertThat(r.error()).contains("shutdown");
        });
        String listId = emulator.customerLists().get(0).id();
        assertThat(emulator.members(listId)).as("every acknowledged batch is in the state")
                .hasSize((int) reports.get(0).adds().sent());
        assertThat(tookMs).as("stopped after the batch in flight, not after all of them").isLessThan(15_000);
        assertThat(child.log()).contains("INTERRUPTED");

        // The next run sends the rest and nothing twice.
        drop("day2.csv", model(0, 10_000));
        assertThat(child.run()).isZero();
        assertThat(emulator.members(listId)).hasSize(10_000);
        assertThat(emulator.customerLists().get(0).numUploadedUserRecords()).isEqualTo(10_000);
    }

    @Test
    void jsonLogsAreOneObjectALineWithoutIdentifiersOrTokens() throws Exception {
        child.jvm("-Dlogging.format=json");
        child.settings.put("sync.progress-interval-seconds", "1");
        drop("day1.csv", model(0, 300) + "Bad Value@example.com\n");
        assertThat(child.run()).isZero();
        List<String> lines = child.log().lines().filter(l -> !l.isBlank()).toList();
        assertThat(lines).isNotEmpty().allSatisfy(line -> {
            JsonNode json = Json.MAPPER.readTree(line);
            assertThat(json.has("level")).isTrue();
            assertThat(json.has("formattedMessage")).isTrue();
        });
        assertThat(String.join("\n", lines)).contains("SUCCEEDED").doesNotContain("@example.com")
                .doesNotContain(PinterestEmulator.DEFAULT_ACCESS_TOKEN);
    }

    @Test
    void longRunsLogTheirProgress() throws Exception {
        emulator.close();
        emulator = PinterestEmulator.builder().port(0).writeDelay(Duration.ofMillis(100)).start();
        child = new ChildSync(emulator, dir);
        child.settings.put("sync.batch-size", "100");
        child.settings.put("pinterest.write-rate-per-minute", "100000");
        child.settings.put("sync.progress-interval-seconds", "1");
        drop("day1.csv", model(0, 3_000));
        assertThat(child.run()).isZero();
        assertThat(child.log()).containsPattern("sending: [0-9,]+ of 3,000 values \\([0-9,]+/s, ETA [0-9:]+\\)");
    }

    private double metric(String series) {
        String body = get("/observe/metrics").body();
        return body.lines().filter(l -> l.startsWith(series + " ")).findFirst()
                .map(l -> Double.parseDouble(l.substring(series.length() + 1).strip())).orElse(-1.0);
    }

    private HttpResponse<String> get(String path) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            return new FailedResponse(path);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private void await(BooleanSupplier condition, Process process) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!condition.getAsBoolean()) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                throw new AssertionError("condition not reached (alive: " + process.isAlive() + "): " + child.log());
            }
            Thread.sleep(50);
        }
    }

    private void drop(String name, String csv) throws IOException {
        Files.createDirectories(child.inbox());
        Path tmp = dir.resolve(name + ".tmp");
        Files.writeString(tmp, csv);
        Files.move(tmp, child.inbox().resolve(name));
    }

    private static String model(int from, int to) {
        return "email\n" + IntStream.range(from, to).mapToObj(i -> "user" + i + "@example.com\n").collect(Collectors.joining());
    }

    /** A response for a port nobody answers on yet. */
    private record FailedResponse(String path) implements HttpResponse<String> {
        public int statusCode() { return -1; }
        public HttpRequest request() { return null; }
        public java.util.Optional<HttpResponse<String>> previousResponse() { return java.util.Optional.empty(); }
        public java.net.http.HttpHeaders headers() { return java.net.http.HttpHeaders.of(java.util.Map.of(), (a, b) -> true); }
        public String body() { return ""; }
        public java.util.Optional<javax.net.ssl.SSLSession> sslSession() { return java.util.Optional.empty(); }
        public URI uri() { return URI.create("http://127.0.0.1" + path); }
        public HttpClient.Version version() { return HttpClient.Version.HTTP_1_1; }
    }
}
