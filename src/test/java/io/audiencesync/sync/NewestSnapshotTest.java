package io.audiencesync.sync;

import io.audiencesync.SyncApp;
import io.audiencesync.cli.CliHarness;
import io.audiencesync.emulator.PinterestEmulator;
import io.audiencesync.report.Outcome;
import io.audiencesync.report.RunReport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static io.audiencesync.sync.SyncHarness.email;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Several complete snapshots waiting in the inbox (a week of downtime): each is the whole model, so only the newest
 * is synced and the older ones are settled as superseded, unless source.file.sync-every-file asks for each in turn.
 */
class NewestSnapshotTest {

    @TempDir
    Path dir;
    private PinterestEmulator emulator;
    private SyncHarness sync;

    @BeforeEach
    void start() {
        emulator = PinterestEmulator.builder().port(0).start();
        sync = new SyncHarness(emulator, dir).set("sync.identifiers", "email=EMAIL").set("sync.batch-size", "1000")
                .set("pinterest.write-rate-per-minute", "100000");
    }

    @AfterEach
    void stop() {
        emulator.close();
    }

    /** Day {@code day}'s model: 500 users, shifting by 10 a day, so values come and go between days. */
    private static String model(int day) {
        return "email\n" + IntStream.range(day * 10, day * 10 + 500).mapToObj(i -> "user" + i + "@example.com\n")
                .collect(Collectors.joining());
    }

    private static Set<String> emails(int day) {
        return IntStream.range(day * 10, day * 10 + 500).mapToObj(i -> email("user" + i + "@example.com"))
                .collect(Collectors.toSet());
    }

    private static String name(int day) {
        return String.format("day%02d.csv", day);
    }

    @Test
    void fiftyWaitingSnapshotsSyncOnlyTheNewestAndSettleTheOthersAsSuperseded() {
        for (int day = 1; day <= 50; day++) {
            sync.drop(name(day), model(day));
        }
        CliHarness.Result run = CliHarness.execute(dir, sync.settings, "run", "--once");
        assertThat(run.code()).as(run.out() + run.err()).isZero();

        String list = sync.onlyListId();
        assertThat(emulator.members(list)).isEqualTo(emails(50));
        assertThat(emulator.customerLists().get(0).numUploadedUserRecords()).as("500 values sent, not 50 files' worth")
                .isEqualTo(500);
        List<RunReport> reports = sync.reports();
        assertThat(reports).filteredOn(r -> r.outcome() == Outcome.SUCCEEDED).singleElement()
                .satisfies(r -> assertThat(r.source()).isEqualTo("day50.csv"));
        assertThat(reports).filteredOn(r -> r.outcome() == Outcome.SUPERSEDED).hasSize(49)
                .allSatisfy(r -> assertThat(r.supersededBy()).isEqualTo("day50.csv"));
        assertThat(sync.filesIn(".done")).hasSize(50);
        assertThat(run.out()).contains("day01.csv: SUPERSEDED by day50.csv").contains("day50.csv: SUCCEEDED");
    }

    @Test
    void aNewestFileThatIsNoUsableSnapshotLeavesTheNextNewestToBeSynced() {
        sync.drop(name(1), model(1));
        sync.drop(name(2), model(2));
        sync.drop(name(3), "email\n\"user1@example.com\nuser2@example.com\n"); // a quote never closed
        assertThat(SyncApp.runIsolated(sync.settings)).as("the newest file failed").isEqualTo(1);

        assertThat(emulator.members(sync.onlyListId())).isEqualTo(emails(2));
        Map<String, Outcome> outcomes = sync.reports().stream().collect(Collectors.toMap(RunReport::source, RunReport::outcome));
        assertThat(outcomes).containsExactlyInAnyOrderEntriesOf(Map.of("day03.csv", Outcome.SNAPSHOT_FAILED,
                "day02.csv", Outcome.SUCCEEDED, "day01.csv", Outcome.SUPERSEDED));
        assertThat(sync.filesIn(".failed")).singleElement().asString().endsWith("day03.csv");
        assertThat(sync.filesIn(".done")).hasSize(2);
    }

    @Test
    void everyFileInTurnWhenTheSettingAsks() {
        sync.set("source.file.sync-every-file", "true");
        for (int day = 1; day <= 3; day++) {
            sync.drop(name(day), model(day));
        }
        assertThat(SyncApp.runIsolated(sync.settings)).isZero();
        assertThat(sync.reports()).extracting(RunReport::source, RunReport::outcome).containsExactly(
                org.assertj.core.groups.Tuple.tuple("day01.csv", Outcome.SUCCEEDED),
                org.assertj.core.groups.Tuple.tuple("day02.csv", Outcome.SUCCEEDED),
                org.assertj.core.groups.Tuple.tuple("day03.csv", Outcome.SUCCEEDED));
        assertThat(emulator.members(sync.onlyListId())).isEqualTo(emails(3));
        assertThat(emulator.customerLists().get(0).numUploadedUserRecords()).isEqualTo(520);
    }
}
