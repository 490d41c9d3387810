package io.audiencesync.sync;

import io.audiencesync.cli.CliHarness;
import io.audiencesync.emulator.PinterestEmulator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class RunHistoryTest {

    @TempDir
    Path dir;

    @Test
    void runsListsTheHistoryAndOldReportsArePrunedWithTheirFiles() throws Exception {
        try (PinterestEmulator emulator = PinterestEmulator.builder().port(0).start()) {
            SyncHarness sync = new SyncHarness(emulator, dir).set("sync.identifiers", "email=EMAIL").set("sync.keep-runs", "2");
            sync.sync("day1.csv", "email\na@example.com\nbad\n");
            String firstRun = sync.lastReport().runId();
            sync.sync("day2.csv", "email\na@example.com\nb@example.com\n");
            sync.sync("day3.csv", "email\na@example.com\nb@example.com\nc@example.com\nd@example.com\n");

            assertThat(sync.reports()).extracting(r -> r.source()).containsExactly("day2.csv", "day3.csv");
            assertThat(Files.exists(sync.data.resolve("rejects").resolve(firstRun + ".csv"))).as("pruned with its run").isFalse();

            CliHarness.Result result = CliHarness.execute("runs", "--data-dir", sync.data.toString());
            assertThat(result.code()).isZero();
            List<String> lines = result.out().lines().toList();
            assertThat(lines.get(0)).contains("time (UTC)").contains("source").contains("rows").contains("adds")
                    .contains("removes").contains("rejects").contains("dead").contains("duration").contains("outcome");
            assertThat(lines).hasSize(3);
            assertThat(lines.get(1)).contains("day2.csv").containsPattern("\\s2\\s+1\\s+0\\s+0\\s+0\\s").endsWith("SUCCEEDED");
            assertThat(lines.get(2)).contains("day3.csv").containsPattern("\\s4\\s+2\\s+0\\s+0\\s+0\\s");
        }
    }

    @Test
    void runsSaysSoWhenThereIsNoHistory() {
        CliHarness.Result result = CliHarness.execute("runs", "--data-dir", dir.toString());
        assertThat(result.code()).isZero();
        assertThat(result.out()).startsWith("No runs yet");
    }
}
