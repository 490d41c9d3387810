package io.audiencesync.sync;

import io.audiencesync.cli.CliHarness;
import io.audiencesync.config.SyncSettings;
import io.audiencesync.emulator.PinterestEmulator;
import io.audiencesync.observe.SyncMetrics;
import io.audiencesync.pinterest.TokenProvider;
import io.audiencesync.records.SortedRecords;
import io.audiencesync.report.Outcome;
import io.audiencesync.state.DesiredState;
import io.audiencesync.state.LocalStateFiles;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.audiencesync.sync.SyncHarness.email;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * What {@code status} says after a later run: a run that says SUCCEEDED (exit 0) has left nothing owed, and what a
 * run left owed is sent by the next run of that sync, whatever the other syncs of the workspace did first.
 */
class StatusAfterLaterRunsTest {

    @TempDir
    Path dir;
    private PinterestEmulator emulator;
    private SyncHarness sync;

    @BeforeEach
    void start() {
        emulator = PinterestEmulator.builder().port(0).start();
        sync = new SyncHarness(emulator, dir).set("sync.identifiers", "email=EMAIL").set("sync.batch-size", "2");
    }

    @AfterEach
    void stop() {
        emulator.close();
    }

    private String status() {
        Map<String, String> settings = new HashMap<>(sync.settings);
        settings.remove("sync.once");
        CliHarness.Result result = CliHarness.execute(dir, settings, "status");
        assertThat(result.code()).as(result.err()).isZero();
        return result.out();
    }

    @Test
    void aRunAfterValuesWereLeftOwedThatSaysSucceededLeavesNothingOwedEvenWhenItsSnapshotHasNoValues() {
        emulator.faults().refuseValues(List.of(email("b@example.com")));
        assertThat(sync.sync("day1.csv", "email\na@example.com\nb@example.com\nc@example.com\n")).isEqualTo(1);
        assertThat(status()).contains("1 values owed");
        emulator.faults().clear();

        // A header-only export: no model to converge to, so the run works toward the one in force.
        int exit = sync.sync("day2.csv", "email\n");

        assertThat(exit).isZero();
        assertThat(sync.lastReport().outcome()).isEqualTo(Outcome.SUCCEEDED);
        assertThat(sync.lastReport().warnings()).singleElement().asString().contains("day2.csv has no values");
        assertThat(emulator.members(sync.onlyListId()))
                .containsExactlyInAnyOrder(email("a@example.com"), email("b@example.com"), email("c@example.com"));
        assertThat(status()).contains("Desired state: day1.csv (3 values").contains("converged").doesNotContain("owed");
    }

    @Test
    void runOnceResumesWhatASyncOwesAlthoughAnotherSyncOfTheWorkspaceRanFirst() {
        SyncSettings settings = io.audiencesync.SyncApp.readSettings(dir.resolve("no-such.properties"), sync.settings,
                SyncSettings::load);
        DesiredState desired = DesiredState.of(settings.stateDir(), settings.listKey());
        desired.keep(SortedRecords.empty(), "day1.csv", Instant.now()); // owed until a run settles it
        RunLedger ledger = new RunLedger();
        RunLifecycle lifecycle = new RunLifecycle(settings, ledger, new RunSlots(2), TokenProvider.fixed("t"), LocalStateFiles.INSTANCE, desired,
                new BindingFile(LocalStateFiles.INSTANCE, settings.stateDir(), settings.name()), new SyncMetrics("buyers"),
                new Progress(Duration.ofSeconds(10), null), null);

        ledger.record("20261206T000000000Z-0001", Outcome.SUCCEEDED); // another sync's run, ended first

        assertThat(lifecycle.resumeOnce()).isTrue();
    }
}
