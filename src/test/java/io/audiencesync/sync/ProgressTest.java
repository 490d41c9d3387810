package io.audiencesync.sync;

import io.audiencesync.plan.Operation;
import io.audiencesync.plan.Plan;
import io.audiencesync.records.SnapshotCollector;
import io.audiencesync.report.RejectsWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ProgressTest {

    @TempDir
    Path dir;

    @Test
    void theBarHasARateFromItsFirstDrawAndNeverWrapsAnEightyColumnTerminal() throws Exception {
        SyncRun run = new SyncRun("20261201T120000000Z-abcd", "a-snapshot-with-a-rather-long-file-name-2026-12-01.csv",
                false, dir, new SnapshotCollector(dir, 1_000), new RejectsWriter(dir.resolve("r.csv")));
        run.planned(new Plan(dir.resolve("adds"), 15_779_381, dir.resolve("removes"), 0, Map.of(), Map.of(), 15_779_381, 0,
                null), false);
        Thread.sleep(100);
        run.sends().acknowledged(Operation.ADD, 250_000);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream terminal = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        try (AutoCloseable tracking = new Progress(Duration.ofMillis(30), terminal).track(run)) {
            Thread.sleep(150);
        }
        List<String> drawn = Arrays.stream(bytes.toString(StandardCharsets.UTF_8).split("\r"))
                .filter(s -> !s.isBlank()).toList();
        assertThat(drawn).isNotEmpty().allSatisfy(line -> {
            assertThat(line.stripTrailing().length()).isLessThanOrEqualTo(79);
            assertThat(line).contains("250,000/15,779,381 values").doesNotContain(" 0/s").doesNotContain("ETA ?");
        });
        assertThat(bytes.toString(StandardCharsets.UTF_8)).doesNotContain("\n");
    }
}
