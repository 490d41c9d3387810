package io.audiencesync.cli;

import com.sun.net.httpserver.HttpServer;
import io.audiencesync.emulator.PinterestEmulator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code run --once} pushes its final metrics to a Pushgateway (here a loopback stand-in that records the push). */
class MetricsPushTest {

    @TempDir
    Path dir;

    private record Push(String method, String path, String body) {
    }

    @Test
    void aRunOncePushesItsMetricsGroupedByJobAndSyncAndAnUnreachableGatewayOnlyWarns() throws IOException {
        List<Push> pushes = new CopyOnWriteArrayList<>();
        HttpServer gateway = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        gateway.createContext("/", exchange -> {
            pushes.add(new Push(exchange.getRequestMethod(), exchange.getRequestURI().getRawPath(),
                    new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)));
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        gateway.start();
        try (PinterestEmulator emulator = PinterestEmulator.builder().port(0).start()) {
            Map<String, String> settings = new java.util.HashMap<>(Map.of(
                    "pinterest.api-url", emulator.baseUrl(),
                    "pinterest.ad-account-id", PinterestEmulator.DEFAULT_AD_ACCOUNT_ID,
                    "pinterest.access-token", PinterestEmulator.DEFAULT_ACCESS_TOKEN,
                    "sync.name", "Cron",
                    "sync.data-dir", dir.resolve("data").toString(),
                    "source.file.stable-seconds", "0",
                    "sync.pushgateway-url", "http://127.0.0.1:" + gateway.getAddress().getPort()));
            Files.createDirectories(dir.resolve("data/inbox"));
            Files.writeString(dir.resolve("data/inbox/day1.csv"), "email\na@example.com\nb@example.com\nbad\n");
            CliHarness.Result result = CliHarness.execute(dir, settings, "run", "--once");
            assertThat(result.code()).isZero();
            assertThat(pushes).singleElement().satisfies(push -> {
                assertThat(push.method()).isEqualTo("PUT");
                assertThat(push.path()).isEqualTo("/metrics/job/pinterest-audience-sync/sync/cron");
                assertThat(push.body()).contains("pinterest_sync_values_added_total{sync=\"cron\"} 2.0")
                        .contains("pinterest_sync_values_rejected_total{reason=\"INVALID_EMAIL\",sync=\"cron\"} 1.0")
                        .contains("pinterest_sync_runs_total{outcome=\"SUCCEEDED\",sync=\"cron\"} 1.0")
                        .contains("pinterest_sync_last_success_timestamp_seconds");
            });

            gateway.stop(0);
            Files.writeString(dir.resolve("data/inbox/day2.csv"), "email\na@example.com\nb@example.com\nc@example.com\n");
            CliHarness.Result unreachable = CliHarness.execute(dir, settings, "run", "--once");
            assertThat(unreachable.code()).as("the run's outcome, not the push's").isZero();
            assertThat(unreachable.err()).contains("Cannot push the metrics to the Pushgateway at http://127.0.0.1:")
                    .contains("check sync.pushgateway-url");
        } finally {
            gateway.stop(0);
        }
    }
}
