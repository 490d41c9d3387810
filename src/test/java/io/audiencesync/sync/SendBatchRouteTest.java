package io.audiencesync.sync;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.audiencesync.LogCapture;
import io.audiencesync.emulator.PinterestEmulator;
import io.audiencesync.emulator.RecordedCall;
import io.audiencesync.plan.Batch;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.EndpointInject;
import org.apache.camel.builder.AdviceWithRouteBuilder;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.component.properties.PropertiesComponent;
import org.apache.camel.test.main.junit5.AdviceRouteMapping;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The write path as Camel runs it: the whole application (every route file, the sync's configuration) on camel-main,
 * a file dropped in the inbox, the emulator over loopback HTTP. Mocks woven in front of the dead-letter route and of
 * the state commit see what each batch became.
 */
@CamelMainTest(
        advices = {
                @AdviceRouteMapping(route = "dead-letter-route-test", advice = SendBatchRouteTest.WatchDeadLetters.class),
                @AdviceRouteMapping(route = "write-batch-route-test", advice = SendBatchRouteTest.WatchCommits.class)},
        properties = {
                "camel.main.routes-include-pattern=classpath:routes/*.camel.yaml",
                // the test's settings first, then the sync's beans from them (application.properties names only the latter)
                "camel.main.configuration-classes=io.audiencesync.sync.SendBatchRouteTest$Settings,io.audiencesync.SyncConfiguration",
                "camel.management.enabled=false"})
public class SendBatchRouteTest {

    static final AtomicReference<PinterestEmulator> EMULATOR = new AtomicReference<>();
    static final AtomicReference<Path> DIR = new AtomicReference<>();

    /** The sync's settings for this test: the emulator, a temporary data directory, batches of 10, two tries. */
    public static class Settings implements CamelConfiguration {
        @Override
        public void configure(CamelContext context) throws IOException {
            PinterestEmulator emulator = PinterestEmulator.builder().port(0).start();
            EMULATOR.set(emulator);
            Path dir = Files.createTempDirectory("send-batch-route");
            DIR.set(dir);
            PropertiesComponent properties = (PropertiesComponent) context.getPropertiesComponent();
            Map.ofEntries(Map.entry("pinterest.api-url", emulator.baseUrl()),
                    Map.entry("pinterest.ad-account-id", PinterestEmulator.DEFAULT_AD_ACCOUNT_ID),
                    Map.entry("pinterest.access-token", PinterestEmulator.DEFAULT_ACCESS_TOKEN),
                    Map.entry("sync.name", "Route test"),
                    Map.entry("sync.data-dir", dir.resolve("data").toString()),
                    Map.entry("sync.batch-size", "10"),
                    Map.entry("source.file.stable-seconds", "0"),
                    Map.entry("source.file.poll-delay-ms", "50"),
                    Map.entry("pinterest.max-attempts", "2"),
                    Map.entry("pinterest.retry-base-delay-ms", "10"),
                    Map.entry("pinterest.write-rate-per-minute", "100000")).forEach(properties::addOverrideProperty);
        }
    }

    /** Sees every batch (or part of one) that reaches the dead-letter route. */
    public static class WatchDeadLetters extends AdviceWithRouteBuilder {
        @Override
        public void configure() {
            weaveAddFirst().to("mock:deadLetters");
        }
    }

    /** Sees every batch recorded in the state, after Pinterest acknowledged it. */
    public static class WatchCommits extends AdviceWithRouteBuilder {
        @Override
        public void configure() {
            weaveById("state-commit").after().to("mock:commits");
        }
    }

    @org.apache.camel.BeanInject
    public CamelContext context;
    @EndpointInject("mock:deadLetters")
    public MockEndpoint deadLetters;
    @EndpointInject("mock:commits")
    public MockEndpoint commits;

    @AfterEach
    void stop() throws IOException {
        EMULATOR.get().close();
        SyncHarness.deleteRecursively(DIR.get());
    }

    @Test
    void aRefusedBatchIsHalvedAndOnlyTheRefusedValueIsDeadLettered() throws Exception {
        String refused = SyncHarness.email("user7@example.com");
        EMULATOR.get().faults().refuseValues(List.of(refused));
        deadLetters.expectedMessageCount(1);
        drop(model(0, 30)); // three batches of 10; the one holding user7 is refused
        deadLetters.assertIsSatisfied(30_000);
        Batch letter = deadLetters.getReceivedExchanges().get(0).getProperty("batch", Batch.class);
        assertThat(letter.size()).as("the whole refused batch reaches the dead-letter route").isEqualTo(10);
        awaitRun();
        String listId = EMULATOR.get().customerLists().get(0).id();
        assertThat(EMULATOR.get().members(listId)).hasSize(29).doesNotContain(refused);
        List<String> letters = Files.readAllLines(SyncHarness.newest(DIR.get().resolve("data/dead-letter"), ".jsonl"));
        assertThat(letters).singleElement().asString().contains(refused);
    }

    @Test
    void aBatchPinterestKeepsFailingIsDeadLetteredAfterItsTriesAndTheRunGoesOn() throws Exception {
        EMULATOR.get().faults().failWrites(2, 503); // the first batch's two tries
        deadLetters.expectedMessageCount(1);
        commits.expectedMessageCount(2);
        drop(model(0, 30));
        deadLetters.assertIsSatisfied(30_000);
        commits.assertIsSatisfied(30_000);
        assertThat(EMULATOR.get().calls().stream().filter(c -> !c.method().equals("GET")).map(RecordedCall::status))
                .startsWith(503, 503);
        awaitRun();
        assertThat(Files.readAllLines(SyncHarness.newest(DIR.get().resolve("data/dead-letter"), ".jsonl"))).singleElement().asString()
                .contains("\"http_status\":503").contains("\"attempts\":2");
    }

    @Test
    void a401OnABatchStopsTheRunWithItsReportAndKeepsWhatWasAcknowledged() throws Exception {
        // Once the first batch is committed, Pinterest answers 401 (the static token cannot be refreshed).
        commits.whenAnyExchangeReceived(exchange -> EMULATOR.get().faults().unauthorized(100));
        commits.expectedMessageCount(1);
        drop(model(0, 30));
        commits.assertIsSatisfied(30_000);
        awaitRun();
        JsonNode report = new ObjectMapper().readTree(SyncHarness.newest(DIR.get().resolve("data/runs"), ".json").toFile());
        assertThat(report.get("outcome").asText()).isEqualTo("STOPPED");
        assertThat(report.get("error").asText()).contains("401");
        assertThat(EMULATOR.get().members(EMULATOR.get().customerLists().get(0).id())).hasSize(10);
        assertThat(DIR.get().resolve("data/dead-letter")).doesNotExist();
    }

    @Test
    void a401WhileARefusedBatchIsSplitStopsTheRunAndDeadLettersNothing() throws Exception {
        EMULATOR.get().faults().refuseValues(List.of(SyncHarness.email("user7@example.com")));
        // From the moment the refused batch reaches the dead-letter route, Pinterest answers 401 (the access token is
        // static here, so nothing can refresh it): the first part of the split is refused access.
        deadLetters.whenAnyExchangeReceived(exchange -> EMULATOR.get().faults().unauthorized(100));
        deadLetters.expectedMessageCount(1);
        String log;
        try (LogCapture logs = new LogCapture()) {
            drop(model(0, 30));
            deadLetters.assertIsSatisfied(30_000);
            awaitRun();
            log = logs.text();
        }
        JsonNode report = new ObjectMapper().readTree(SyncHarness.newest(DIR.get().resolve("data/runs"), ".json").toFile());
        assertThat(report.get("outcome").asText()).isEqualTo("STOPPED");
        assertThat(report.get("error").asText()).contains("401");
        assertThat(DIR.get().resolve("data/dead-letter")).as("an access error is not the batch's fault: no dead letter")
                .doesNotExist();
        assertThat(log).as("the error ends the run as every access error does, not in Camel's fallback handler")
                .doesNotContain("FatalFallbackErrorHandler").doesNotContain("previously thrown exception")
                .doesNotContain("Exhausted after delivery");
    }

    /** The run of the file ended: the inbox moved the file on (to .done or .failed). */
    private static void awaitRun() throws InterruptedException {
        Path file = DIR.get().resolve("data/inbox/day1.csv");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (Files.exists(file)) {
            assertThat(System.nanoTime()).as("the run ended").isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    private static String model(int from, int to) {
        return "email\n" + IntStream.range(from, to).mapToObj(i -> "user" + i + "@example.com\n").collect(Collectors.joining());
    }

    private static void drop(String csv) throws IOException {
        Path inbox = DIR.get().resolve("data/inbox");
        Files.createDirectories(inbox);
        Path tmp = inbox.resolve("day1.csv.part");
        Files.writeString(tmp, csv);
        Files.move(tmp, inbox.resolve("day1.csv"));
    }
}
