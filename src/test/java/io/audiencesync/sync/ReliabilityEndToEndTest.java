package io.audiencesync.sync;

import io.audiencesync.SyncApp;
import io.audiencesync.cli.CliHarness;
import io.audiencesync.emulator.PinterestEmulator;
import io.audiencesync.report.Json;
import io.audiencesync.report.Outcome;
import io.audiencesync.report.PlanReport;
import io.audiencesync.report.RunReport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static io.audiencesync.sync.SyncHarness.email;
import static org.assertj.core.api.Assertions.assertThat;

/** Splitting refused batches, guards against wiping an audience, dry runs and lost lists, through the real routes. */
class ReliabilityEndToEndTest {

    private static final String HEADER = "id,email\n";

    @TempDir
    Path dir;
    private PinterestEmulator emulator;
    private SyncHarness sync;

    @BeforeEach
    void start() {
        emulator = PinterestEmulator.builder().port(0).start();
        sync = new SyncHarness(emulator, dir).set("sync.identifiers", "email=EMAIL")
                .set("pinterest.retry-base-delay-ms", "10").set("pinterest.retry-max-delay-ms", "50");
    }

    @AfterEach
    void stop() {
        emulator.close();
    }

    private static String model(int from, int to) {
        return HEADER + IntStream.range(from, to).mapToObj(i -> i + ",user" + i + "@example.com\n").collect(Collectors.joining());
    }

    @Test
    void aRefusedBatchIsSplitDownToTheValuesPinterestRefusesAndEverythingElseIsSent() throws IOException {
        sync.set("sync.batch-size", "100");
        List<String> refused = List.of(email("user13@example.com"), email("user77@example.com"));
        emulator.faults().refuseValues(refused);

        int exit = sync.sync("day1.csv", model(0, 100));

        assertThat(exit).isEqualTo(1);
        String listId = sync.onlyListId();
        assertThat(emulator.members(listId)).hasSize(98).doesNotContainAnyElementsOf(refused);
        RunReport report = sync.lastReport();
        assertThat(report.adds()).isEqualTo(new RunReport.Counts(100, 98, 2));
        assertThat(report.deadLetterBatches()).isEqualTo(2);
        List<String> letters = Files.readAllLines(Path.of(report.deadLetterFile()));
        assertThat(letters).hasSize(2).allSatisfy(line -> {
            var json = Json.MAPPER.readTree(line);
            assertThat(json.get("values")).hasSize(1);
            assertThat(json.get("http_status").asInt()).isEqualTo(400);
            assertThat(json.get("pinterest_message").asText()).contains("records[0]");
        });
        assertThat(String.join("", letters)).contains(refused.get(0)).contains(refused.get(1));

        // The refused values stay out of the state: once Pinterest takes them, the next run sends just those.
        emulator.faults().clear();
        long writes = emulator.writeCalls();
        assertThat(sync.sync("day2.csv", model(0, 100))).isZero();
        assertThat(sync.lastReport().adds()).isEqualTo(new RunReport.Counts(2, 2, 0));
        assertThat(emulator.writeCalls() - writes).isEqualTo(1);
        assertThat(emulator.members(listId)).hasSize(100);
    }

    @Test
    void transientFaultsAreRetriedAndTheRunSucceeds() {
        sync.set("sync.batch-size", "10");
        emulator.faults().throttleWrites(1, Duration.ofSeconds(1)).failWrites(2, 503).dropWrites(1);
        int exit = sync.sync("day1.csv", model(0, 40));
        assertThat(exit).isZero();
        assertThat(emulator.members(sync.onlyListId())).hasSize(40);
        assertThat(sync.lastReport().deadLetterBatches()).isZero();
    }

    @Test
    void aMassRemovalIsRefusedUntilConfirmedButAddsStillGoOut() {
        sync.sync("day1.csv", model(0, 10));
        int exit = sync.sync("day2.csv", model(6, 12)); // 6 of 10 would go: 60% > 50%

        assertThat(exit).as("the list is not yet the model: removals await confirmation").isEqualTo(1);
        assertThat(sync.lastReport().outcome()).isEqualTo(Outcome.REMOVALS_WITHHELD);
        String listId = sync.onlyListId();
        assertThat(emulator.members(listId)).hasSize(12);
        RunReport report = sync.lastReport();
        assertThat(report.removes().planned()).isZero();
        assertThat(report.removalsWithheld()).isEqualTo(6);
        assertThat(report.removalsWithheldBecause()).contains("60%").contains("sync.allow-mass-removal");
        assertThat(report.adds().sent()).isEqualTo(2);

        // A run without a new file still owes the removals, and says so.
        assertThat(SyncApp.runIsolated(sync.settings)).isEqualTo(1);
        assertThat(emulator.members(listId)).hasSize(12);

        // Confirming needs no new file: the desired state is day2's snapshot.
        sync.set("sync.allow-mass-removal", "true");
        assertThat(SyncApp.runIsolated(sync.settings)).isZero();
        assertThat(emulator.members(listId)).hasSize(6);
        assertThat(sync.lastReport().removes().sent()).isEqualTo(6);
    }

    @Test
    void removalsWithinTheFractionGoOut() {
        // This is the removal-fraction guard's boundary; the model halving is the shrink guard's case (tested apart).
        sync.set("sync.max-shrink-fraction", "1");
        sync.sync("day1.csv", model(0, 10));
        sync.sync("day2.csv", model(5, 10)); // exactly 50% is allowed
        assertThat(emulator.members(sync.onlyListId())).hasSize(5);
    }

    @Test
    void theListDeletedInPinterestStopsTheRunWithExitTwoAndSaysWhatToDo() {
        sync.sync("day1.csv", model(0, 3));
        emulator.faults().listGone(sync.onlyListId());
        int exit = sync.sync("day2.csv", model(0, 4));
        assertThat(exit).isEqualTo(2);
        RunReport report = sync.lastReport();
        assertThat(report.outcome()).isEqualTo(Outcome.STOPPED);
        assertThat(report.error()).contains("404").contains("deleted").contains("state/syncs");
        // Read completely, the file is in the desired state: it is done, and a fixed setup needs no new file.
        assertThat(sync.filesIn(".failed")).isEmpty();
        assertThat(sync.filesIn(".done")).hasSize(2);
    }

    @Test
    void anApiUrlWithoutItsVersionIsNamedNotTakenForADeletedList() {
        // Listing the account's lists names no list: its 404 is a wrong URL or account, never a list to forget.
        sync.set("pinterest.api-url", emulator.baseUrl().replaceFirst("/v5$", ""));
        int exit = sync.sync("day1.csv", model(0, 3));
        assertThat(exit).isEqualTo(2);
        assertThat(sync.lastReport().error()).contains("GET customer lists").contains("404")
                .contains("pinterest.api-url").contains("https://api.pinterest.com/v5").contains("pinterest.ad-account-id")
                .doesNotContain("state/syncs").doesNotContain("deleted");
        assertThat(emulator.writeCalls()).isZero();
    }

    @Test
    void planShowsWhatARunWouldSendAndSendsNothing() throws IOException {
        sync.sync("day1.csv", model(0, 10));
        long writes = emulator.writeCalls();
        sync.drop("day2.csv", model(2, 14));

        CliHarness.Result result = CliHarness.execute(dir, sync.settings, "plan");

        assertThat(result.code()).isZero();
        assertThat(emulator.writeCalls()).isEqualTo(writes);
        assertThat(Files.exists(sync.inbox.resolve("day2.csv"))).as("the inbox is left as it is").isTrue();
        assertThat(result.out()).contains("ADD    4 {EMAIL=4}").contains("REMOVE 2 {EMAIL=2}")
                .doesNotContain("user12@example.com");
        Path planFile = SyncHarness.newest(sync.data.resolve("plans"), ".json");
        PlanReport plan = Json.read(planFile, PlanReport.class);
        assertThat(plan.adds().count()).isEqualTo(4);
        assertThat(plan.removes().count()).isEqualTo(2);
        assertThat(plan.removes().sent()).isTrue();
        assertThat(plan.adds().hashedSamples()).hasSize(3).allSatisfy(s -> assertThat(s).matches("[0-9a-f]{64}"));
        assertThat(plan.customerListId()).isEqualTo(sync.onlyListId());

        // the guard's verdict is part of the plan
        sync.drop("day2.csv", model(8, 10));
        CliHarness.Result guarded = CliHarness.execute(dir, sync.settings, "plan");
        assertThat(guarded.out()).contains("REMOVE 8").contains("WITHHELD").contains("sync.max-removal-fraction");
    }

    @Test
    void plainValuesAreNeverSampledInAPlan() throws IOException {
        sync.set("sync.hash-emails", "false");
        sync.drop("day1.csv", model(0, 5));
        CliHarness.Result result = CliHarness.execute(dir, sync.settings, "plan");
        assertThat(result.code()).isZero();
        assertThat(result.out()).contains("ADD    5").doesNotContain("@example.com");
        PlanReport plan = Json.read(SyncHarness.newest(sync.data.resolve("plans"), ".json"), PlanReport.class);
        assertThat(plan.adds().hashedSamples()).isEmpty();
        assertThat(emulator.customerLists()).isEmpty();
    }
}
