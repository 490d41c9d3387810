package io.audiencesync.sync;

import io.audiencesync.emulator.EmulatorList;
import io.audiencesync.emulator.PinterestEmulator;
import io.audiencesync.emulator.RecordedCall;
import io.audiencesync.report.Outcome;
import io.audiencesync.report.RunReport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static io.audiencesync.sync.SyncHarness.email;
import static org.assertj.core.api.Assertions.assertThat;

/** The real routes and beans, run once per snapshot like {@code run --once}, against the emulator over loopback HTTP. */
class FileSyncEndToEndTest {

    private static final String MAID = "6d1f3a2e-9b7c-4e8f-a1d2-3c4b5a6f7e80";
    private static final String MAID_SHA256 = "07a31eda033f9a9283b7890ad162e394cb0c83c6fce38202fb7d0468c33e7980";
    private static final String HEADER = "id,email,maid,idfa\n";

    @TempDir
    Path dir;
    private PinterestEmulator emulator;
    private SyncHarness sync;

    @BeforeEach
    void start() {
        emulator = PinterestEmulator.builder().port(0).start();
        sync = new SyncHarness(emulator, dir);
    }

    @AfterEach
    void stop() {
        emulator.close();
    }

    @Test
    void theFirstSnapshotCreatesTheListAndAudienceWithExactlyTheModel() throws IOException {
        int exit = sync.sync("model.csv", HEADER
                + "1,Jane.Doe@Example.com," + MAID + ",\n"
                + "2,john@example.com,,\n"
                + "3,not-an-email,,00000000-0000-0000-0000-000000000000\n"
                + "4, JOHN@example.com ,,\n");

        assertThat(exit).isZero();
        String listId = sync.onlyListId();
        EmulatorList list = emulator.customerLists().get(0);
        assertThat(list.name()).isEqualTo("Customer List-Users 1");
        assertThat(list.listType()).isEqualTo("EMAIL");
        assertThat(emulator.members(listId))
                .containsExactlyInAnyOrder(email("jane.doe@example.com"), email("john@example.com"), MAID_SHA256);
        assertThat(emulator.audiences()).singleElement().satisfies(a -> {
            assertThat(a.name()).isEqualTo("Audience-Users 1");
            assertThat(a.audienceType()).isEqualTo("CUSTOMER_LIST");
            assertThat(a.customerListId()).isEqualTo(listId);
        });

        RunReport report = sync.lastReport();
        assertThat(report.outcome()).isEqualTo(Outcome.SUCCEEDED);
        assertThat(report.rowsRead()).isEqualTo(4);
        assertThat(report.valuesByType()).containsEntry("EMAIL", 3L).containsEntry("MAID", 1L);
        assertThat(report.distinctValues()).isEqualTo(3);
        assertThat(report.rejectedByReason()).containsEntry("INVALID_EMAIL", 1L).containsEntry("ZERO_DEVICE_ID", 1L);
        assertThat(report.adds()).isEqualTo(new RunReport.Counts(3, 3, 0));
        assertThat(report.customerListCreated()).isTrue();
        assertThat(report.audienceCreated()).isTrue();
        assertThat(sync.filesIn(".done")).singleElement().asString().endsWith("-model.csv");

        List<String> rejects = Files.readAllLines(Path.of(report.rejectsFile()));
        assertThat(rejects).containsExactly("row,column,type,reason,sample",
                "4,email,EMAIL,INVALID_EMAIL,n***l (12 chars)",
                "4,idfa,IDFA,ZERO_DEVICE_ID,0***0 (36 chars)");
        String everything = Files.readString(Path.of(report.rejectsFile())) + Files.readString(
                SyncHarness.newest(sync.data.resolve("runs"), ".json"));
        assertThat(everything).doesNotContain("not-an-email").doesNotContain("Jane").doesNotContain("john@");
    }

    @Test
    void aChangedSnapshotSendsExactlyTheDifference() {
        sync.sync("day1.csv", HEADER + "1,a@example.com,,\n2,b@example.com,,\n3,c@example.com,,\n4,x@example.com,,\n");
        long writes = emulator.writeCalls();

        // b left, c changed email to c2, d joined
        int exit = sync.sync("day2.csv", HEADER + "1,a@example.com,,\n3,c2@example.com,,\n4,x@example.com,,\n5,d@example.com,,\n");

        assertThat(exit).isZero();
        assertThat(emulator.members(sync.onlyListId())).containsExactlyInAnyOrder(email("a@example.com"),
                email("c2@example.com"), email("x@example.com"), email("d@example.com"));
        RunReport report = sync.lastReport();
        assertThat(report.adds()).isEqualTo(new RunReport.Counts(2, 2, 0));
        assertThat(report.removes()).isEqualTo(new RunReport.Counts(2, 2, 0));
        assertThat(emulator.writeCalls() - writes).as("one ADD and one REMOVE call").isEqualTo(2);
        EmulatorList list = emulator.customerLists().get(0);
        assertThat(list.numUploadedUserRecords()).isEqualTo(6);
        assertThat(list.numRemovedUserRecords()).isEqualTo(2);
    }

    @Test
    void anUnchangedSnapshotSendsNothing() {
        String model = HEADER + "1,a@example.com,,\n2,b@example.com,,\n";
        sync.sync("day1.csv", model);
        sync.sync("day2.csv", model);
        long writes = emulator.writeCalls();
        int exit = sync.sync("day3.csv", model);
        assertThat(exit).isZero();
        assertThat(emulator.writeCalls()).isEqualTo(writes);
        assertThat(sync.lastReport().adds().planned()).isZero();
        assertThat(sync.lastReport().removes().planned()).isZero();
    }

    @Test
    void addOnlyNeverRemoves() {
        sync.set("sync.mode", "add-only");
        sync.sync("day1.csv", HEADER + "1,a@example.com,,\n2,b@example.com,,\n");
        sync.sync("day2.csv", HEADER + "3,c@example.com,,\n");
        assertThat(emulator.members(sync.onlyListId()))
                .containsExactlyInAnyOrder(email("a@example.com"), email("b@example.com"), email("c@example.com"));
        RunReport report = sync.lastReport();
        assertThat(report.removes().planned()).isZero();
        assertThat(report.removalsWithheld()).isEqualTo(2);
        assertThat(report.removalsWithheldBecause()).contains("add-only");
    }

    @Test
    void aMalformedFileAddsWhatWasReadRemovesNothingAndFails() {
        sync.sync("day1.csv", HEADER + "1,a@example.com,,\n2,b@example.com,,\n");
        int exit = sync.sync("day2.csv", HEADER + "1,a@example.com,,\n3,c@example.com,,\n4,\"broken\"x,,\n5,e@example.com,,\n");

        assertThat(exit).isEqualTo(1);
        assertThat(emulator.members(sync.onlyListId()))
                .as("b stays although it left the model, c (read before the error) was added")
                .containsExactlyInAnyOrder(email("a@example.com"), email("b@example.com"), email("c@example.com"));
        RunReport report = sync.lastReport();
        assertThat(report.outcome()).isEqualTo(Outcome.SNAPSHOT_FAILED);
        assertThat(report.error()).contains("day2.csv").contains("line 4");
        assertThat(report.removalsWithheld()).isEqualTo(1);
        assertThat(sync.filesIn(".failed")).singleElement().asString().endsWith("-day2.csv");
    }

    @Test
    void anEmptySnapshotRemovesNothing() {
        sync.sync("day1.csv", HEADER + "1,a@example.com,,\n");
        int exit = sync.sync("day2.csv", HEADER);
        assertThat(exit).isZero();
        assertThat(emulator.members(sync.onlyListId())).containsExactly(email("a@example.com"));
        assertThat(sync.lastReport().warnings()).singleElement().asString().contains("day2.csv has no values")
                .contains("works toward the last complete snapshot, day1.csv");
    }

    @Test
    void theSameListIsAdoptedNotDuplicatedAfterTheStateIsLost() throws IOException {
        sync.sync("day1.csv", HEADER + "1,a@example.com,,\n2,b@example.com,,\n");
        String listId = sync.onlyListId();
        SyncHarness.deleteRecursively(sync.data.resolve("state"));

        int exit = sync.sync("day2.csv", HEADER + "1,a@example.com,,\n3,c@example.com,,\n");

        assertThat(exit).isZero();
        assertThat(emulator.customerLists()).extracting(EmulatorList::id).containsExactly(listId);
        assertThat(emulator.audiences()).hasSize(1);
        RunReport report = sync.lastReport();
        assertThat(report.customerListId()).isEqualTo(listId);
        assertThat(report.customerListCreated()).isFalse();
        assertThat(report.audienceCreated()).isFalse();
        // Without state, values sent before are unknown: nothing is removed, the model is (re)added.
        assertThat(emulator.members(listId)).contains(email("a@example.com"), email("c@example.com"));
        assertThat(report.adds().sent()).isEqualTo(2);
    }

    @Test
    void anExistingListAndAudienceAreFoundByNameOnAnyPage() {
        for (int i = 0; i < 300; i++) {
            emulator.seedCustomerList(PinterestEmulator.DEFAULT_AD_ACCOUNT_ID, "Other list " + i, "EMAIL", List.of());
        }
        String listId = emulator.seedCustomerList(PinterestEmulator.DEFAULT_AD_ACCOUNT_ID, "Customer List-Users 1", "EMAIL",
                List.of(email("old@example.com")));
        String audienceId = emulator.seedAudience(PinterestEmulator.DEFAULT_AD_ACCOUNT_ID, "Audience-Users 1", listId);

        int exit = sync.sync("day1.csv", HEADER + "1,a@example.com,,\n");

        assertThat(exit).isZero();
        assertThat(emulator.customerLists()).hasSize(301);
        assertThat(emulator.audiences()).hasSize(1);
        RunReport report = sync.lastReport();
        assertThat(report.customerListId()).isEqualTo(listId);
        assertThat(report.audienceId()).isEqualTo(audienceId);
        assertThat(emulator.members(listId)).as("values this tool did not add are never removed")
                .containsExactlyInAnyOrder(email("old@example.com"), email("a@example.com"));
    }

    @Test
    void batchesRespectTheBatchSizeAndGoOutOneAtATime() {
        sync.set("sync.batch-size", "7");
        String rows = IntStream.range(0, 50).mapToObj(i -> i + ",user" + i + "@example.com,,\n").collect(Collectors.joining());
        int exit = sync.sync("big.csv", HEADER + rows);
        assertThat(exit).isZero();
        assertThat(emulator.members(sync.onlyListId())).hasSize(50);
        List<RecordedCall> writes = emulator.calls().stream()
                .filter(c -> c.path().contains("/customer_lists") && !c.method().equals("GET")).toList();
        assertThat(writes).hasSize(8); // 1 create + 7 PATCH: 50 values in batches of 7
        assertThat(writes.get(0).method()).isEqualTo("POST");
        assertThat(emulator.concurrentWriteViolations()).isZero();
        assertThat(emulator.customerLists().get(0).numBatches()).isEqualTo(8);
    }

    @Test
    void aBatchPinterestKeepsFailingGoesToTheDeadLetterAndIsSentByTheNextRun() throws IOException {
        sync.set("pinterest.max-attempts", "2").set("pinterest.retry-base-delay-ms", "10");
        sync.sync("day1.csv", HEADER + "1,a@example.com,,\n");

        emulator.faults().failWrites(2, 503);
        int exit = sync.sync("day2.csv", HEADER + "1,a@example.com,,\n2,b@example.com,,\n3,c@example.com,,\n"
                + "4,d@example.com,,\n5,e@example.com,,\n");

        assertThat(exit).as("a dead letter fails run --once").isEqualTo(1);
        RunReport report = sync.lastReport();
        assertThat(report.outcome()).isEqualTo(Outcome.DEAD_LETTERS);
        assertThat(report.adds()).isEqualTo(new RunReport.Counts(4, 0, 4));
        assertThat(report.deadLetterBatches()).isEqualTo(1);
        List<String> letters = Files.readAllLines(Path.of(report.deadLetterFile()));
        assertThat(letters).singleElement().satisfies(line -> {
            var json = io.audiencesync.report.Json.MAPPER.readTree(line);
            assertThat(json.get("run_id").asText()).isEqualTo(report.runId());
            assertThat(json.get("operation").asText()).isEqualTo("ADD");
            assertThat(json.get("customer_list_id").asText()).isEqualTo(sync.onlyListId());
            assertThat(json.get("values")).hasSize(4);
            assertThat(json.get("http_status").asInt()).isEqualTo(503);
            assertThat(json.get("pinterest_code").asInt()).isEqualTo(503);
            assertThat(json.get("pinterest_message").asText()).isNotBlank();
            assertThat(json.get("request_id").asText()).isNotBlank();
            assertThat(json.get("attempts").asInt()).isEqualTo(2);
            assertThat(json.get("time").asText()).isNotBlank();
        });
        assertThat(sync.filesIn(".done")).hasSize(2);

        int retry = sync.sync("day3.csv", HEADER + "1,a@example.com,,\n2,b@example.com,,\n3,c@example.com,,\n"
                + "4,d@example.com,,\n5,e@example.com,,\n");
        assertThat(retry).isZero();
        assertThat(sync.lastReport().adds()).isEqualTo(new RunReport.Counts(4, 4, 0));
        assertThat(emulator.members(sync.onlyListId())).hasSize(5);
    }

    @Test
    void aRefusedTokenStopsTheRunWithExitTwoAndCommitsNothing() {
        sync.set("pinterest.access-token", "wrong-token");
        int exit = sync.sync("day1.csv", HEADER + "1,a@example.com,,\n");
        assertThat(exit).isEqualTo(2);
        assertThat(emulator.customerLists()).isEmpty();
        RunReport report = sync.lastReport();
        assertThat(report.outcome()).isEqualTo(Outcome.STOPPED);
        assertThat(report.error()).contains("401").contains("pinterest.access-token").doesNotContain("wrong-token");
        // The file was read completely: the desired state holds it, so it is done; the fixed token needs no new file.
        assertThat(sync.filesIn(".failed")).isEmpty();
        assertThat(sync.filesIn(".done")).hasSize(1);

        sync.set("pinterest.access-token", PinterestEmulator.DEFAULT_ACCESS_TOKEN);
        assertThat(io.audiencesync.SyncApp.runIsolated(sync.settings)).isZero();
        assertThat(emulator.members(sync.onlyListId())).containsExactly(email("a@example.com"));
    }

    @Test
    void filesAreOrderedByNameAndTheNewestIsTheFullSnapshot() {
        sync.drop("2026-01-02.csv", HEADER + "1,b@example.com,,\n");
        sync.drop("2026-01-01.csv", HEADER + "1,a@example.com,,\n");
        int exit = io.audiencesync.SyncApp.runIsolated(sync.settings);
        assertThat(exit).isZero();
        List<RunReport> reports = sync.reports();
        assertThat(reports).extracting(RunReport::source, RunReport::outcome).containsExactly(
                org.assertj.core.groups.Tuple.tuple("2026-01-02.csv", Outcome.SUCCEEDED),
                org.assertj.core.groups.Tuple.tuple("2026-01-01.csv", Outcome.SUPERSEDED));
        assertThat(emulator.members(sync.onlyListId())).containsExactly(email("b@example.com"));
    }

    @Test
    void piiHashingOffSendsPlainLowercaseEmailsAndRejectsRawDeviceIds() {
        sync.set("sync.pii-hashing", "false");
        int exit = sync.sync("day1.csv", HEADER + "1,Jane@Example.com," + MAID + "," + MAID_SHA256.toUpperCase() + "\n");
        assertThat(exit).isZero();
        assertThat(emulator.members(sync.onlyListId())).containsExactlyInAnyOrder("jane@example.com", MAID_SHA256);
        assertThat(sync.lastReport().rejectedByReason()).containsEntry("MUST_BE_HASHED", 1L);
    }

    @Test
    void partnerIdListsGetTheirOwnListType() {
        sync.set("sync.identifiers", "liveramp=LR_ID");
        int exit = sync.sync("lr.csv", "liveramp\nXi1234AbC\nXi5678DeF\n");
        assertThat(exit).isZero();
        assertThat(emulator.customerLists().get(0).listType()).isEqualTo("LR_ID");
        assertThat(emulator.members(sync.onlyListId())).containsExactlyInAnyOrder("Xi1234AbC", "Xi5678DeF");
    }
}
