package io.audiencesync.sync;

import io.audiencesync.emulator.PinterestEmulator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static io.audiencesync.sync.SyncHarness.email;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Kills the real process with SIGKILL at several points of a run, driven by what the emulator has seen, then
 * runs again: the list must end exactly equal to the model, with nothing of the model ever removed.
 */
class CrashSafetyTest {

    @TempDir
    Path dir;
    private PinterestEmulator emulator;
    private ChildSync child;

    @BeforeEach
    void start() {
        emulator = PinterestEmulator.builder().port(0).start();
        child = new ChildSync(emulator, dir);
        child.settings.put("sync.batch-size", "100");
        child.settings.put("pinterest.write-rate-per-minute", "100000");
        configureStore(child);
    }

    /** The file store by default; a subclass runs every scenario on another store. */
    void configureStore(ChildSync child) {
    }

    @AfterEach
    void stop() {
        emulator.close();
    }

    @Test
    void killedWhileReadingTheSnapshot() throws Exception {
        child.settings.put("sync.batch-size", "10000");
        drop("day1.csv", 0, 300_000);
        // The run resolves its list (one GET) before it reads; kill while the 300,000 rows are being read.
        child.killWhen(() -> emulator.calls().stream().anyMatch(c -> c.method().equals("GET")));
        assertThat(emulator.writeCalls()).as("killed before anything was sent").isZero();
        assertConverges(0, 300_000);
    }

    @Test
    void killedWhileSendingBatches() throws Exception {
        drop("day1.csv", 0, 2_000);
        child.killWhen(() -> emulator.writeCalls() >= 7);
        assertThat(listSize()).isBetween(100, 1_999);
        assertConverges(0, 2_000);
    }

    @Test
    void killedAfterPinterestAppliedABatchButBeforeTheToolRecordedIt() throws Exception {
        drop("day1.csv", 0, 1_000);
        emulator.faults().applyThenHold(5, Duration.ofMinutes(1));
        // The 5th write is applied but its answer is held back: kill while the tool waits for its 2xx.
        child.killWhen(() -> listSize() >= 500);
        assertThat(listSize()).isEqualTo(500);
        assertConverges(0, 1_000);
    }

    @Test
    void killedWhileRemovingAfterTheModelChanged() throws Exception {
        drop("day1.csv", 0, 1_000);
        assertThat(child.run()).isZero();
        String listId = emulator.customerLists().get(0).id();
        long patchesBefore = patches();
        drop("day2.csv", 300, 1_300); // 3 ADD batches, then 3 REMOVE batches
        child.killWhen(() -> patches() >= patchesBefore + 5);
        assertThat(emulator.removedValues(listId)).as("removals had started").isNotEmpty();
        assertConverges(300, 1_300);
    }

    @Test
    void killedRepeatedlyAtEveryFewBatches() throws Exception {
        drop("day1.csv", 0, 3_000);
        for (int kill = 1; kill <= 4; kill++) {
            long target = emulator.writeCalls() + 5;
            child.killWhen(() -> emulator.writeCalls() >= target);
        }
        assertConverges(0, 3_000);
    }

    /** One more run without interruption: the list equals the model, and no value of the model was ever removed. */
    private void assertConverges(int from, int to) throws Exception {
        assertThat(child.run()).as(child.log()).isZero();
        Set<String> model = IntStream.range(from, to).mapToObj(i -> email("user" + i + "@example.com")).collect(Collectors.toSet());
        String listId = emulator.customerLists().get(0).id();
        assertThat(emulator.customerLists()).as("never a duplicate list").hasSize(1);
        assertThat(emulator.audiences()).as("never a duplicate audience").hasSize(1);
        assertThat(emulator.members(listId)).as("the list equals the model").isEqualTo(model);
        assertThat(emulator.removedValues(listId)).as("nothing of the model was removed").doesNotContainAnyElementsOf(model);
        assertThat(emulator.concurrentWriteViolations()).isZero();
        // and the state agrees: an unchanged model sends nothing more
        long writes = emulator.writeCalls();
        drop("again.csv", from, to);
        assertThat(child.run()).as(child.log()).isZero();
        assertThat(emulator.writeCalls()).isEqualTo(writes);
    }

    private long patches() {
        return emulator.calls().stream().filter(c -> c.method().equals("PATCH")).count();
    }

    private int listSize() {
        return emulator.customerLists().isEmpty() ? 0 : emulator.customerLists().get(0).memberCount();
    }

    private void drop(String name, int from, int to) throws IOException {
        Files.createDirectories(child.inbox());
        Path tmp = dir.resolve(name + ".tmp");
        try (BufferedWriter out = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
            out.write("email\n");
            for (int i = from; i < to; i++) {
                out.write("user" + i + "@example.com\n");
            }
        }
        Files.move(tmp, child.inbox().resolve(name));
    }
}
