package io.audiencesync.sync;

import io.audiencesync.emulator.PinterestEmulator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static io.audiencesync.sync.SyncHarness.email;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs stopped part-way in a real process (SIGTERM, a full disk) are finished by the next {@code run --once}
 * without a new file, and a fatal error never exits 0.
 */
class InterruptedRunsTest {

    @TempDir
    Path dir;
    private PinterestEmulator emulator;
    private Path mounted;

    @AfterEach
    void stop() throws Exception {
        if (emulator != null) {
            emulator.close();
        }
        if (mounted != null) {
            new ProcessBuilder("umount", "-l", mounted.toString()).inheritIO().start().waitFor(30, TimeUnit.SECONDS);
        }
    }

    private static String model(int n) {
        return "email\n" + IntStream.range(0, n).mapToObj(i -> "user" + i + "@example.com\n").collect(Collectors.joining());
    }

    private static Set<String> emails(int n) {
        return IntStream.range(0, n).mapToObj(i -> email("user" + i + "@example.com")).collect(Collectors.toSet());
    }

    private ChildSync child(Path data) {
        ChildSync child = new ChildSync(emulator, data);
        child.settings.put("sync.batch-size", "100");
        child.settings.put("pinterest.write-rate-per-minute", "100000");
        configureStore(child);
        return child;
    }

    /** The state store under test (the file store: nothing to set). */
    void configureStore(ChildSync child) {
    }

    /**
     * Whether a run needs the data directory's disk to its end: with the file store every batch goes to the journal
     * there; with PostgreSQL only the read and the plan do, so a disk that fills later may not fail the run.
     */
    boolean runWritesToTheDiskToItsEnd() {
        return true;
    }

    private static void await(BooleanSupplier condition, Process process, ChildSync child) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (!condition.getAsBoolean()) {
            assertThat(process.isAlive()).as("the run is still going: " + child.log()).isTrue();
            assertThat(System.nanoTime()).as("timed out: " + child.log()).isLessThan(deadline);
            Thread.sleep(5);
        }
    }

    @Test
    void aRunStoppedBySigtermIsFinishedByTheNextRunWithoutANewFile() throws Exception {
        emulator = PinterestEmulator.builder().port(0).writeDelay(Duration.ofMillis(100)).start();
        ChildSync child = child(dir);
        Files.createDirectories(child.inbox());
        Files.writeString(child.inbox().resolve("day1.csv"), model(5_000)); // 50 batches, 5 s if left alone

        Process run = child.start();
        await(() -> emulator.writeCalls() >= 5, run, child);
        run.destroy(); // SIGTERM
        assertThat(run.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(run.exitValue()).as("interrupted: not a success (143: the JVM's exit on SIGTERM)").isNotZero();
        assertThat(child.reports()).singleElement()
                .satisfies(r -> assertThat(r.outcome()).isEqualTo(io.audiencesync.report.Outcome.INTERRUPTED));
        String listId = emulator.customerLists().get(0).id();
        assertThat(emulator.members(listId).size()).isLessThan(5_000);
        assertThat(child.log()).contains("INTERRUPTED").contains("without a new file");

        assertThat(child.run()).as("no new file: the desired state is resumed").isZero();
        assertThat(emulator.members(listId)).isEqualTo(emails(5_000));
        assertThat(emulator.customerLists().get(0).numUploadedUserRecords()).as("nothing sent twice").isEqualTo(5_000);
    }

    @Test
    void aFullDiskExitsNonZeroAndTheNextRunConverges() throws Exception {
        Path data = Files.createDirectories(dir.resolve("small-disk"));
        Process mount = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", data.toString())
                .redirectErrorStream(true).start();
        String why = new String(mount.getInputStream().readAllBytes());
        Assumptions.assumeTrue(mount.waitFor() == 0, "skipped: cannot mount a tmpfs for a full disk here (" + why.strip()
                + "); it needs root");
        mounted = data;
        emulator = PinterestEmulator.builder().port(0).writeDelay(Duration.ofMillis(50)).start();
        ChildSync child = child(data);
        Files.createDirectories(child.inbox());
        Files.writeString(child.inbox().resolve("day1.csv"), model(4_000));

        Process run = child.start();
        await(() -> emulator.writeCalls() >= 3, run, child);
        Path filler = data.resolve("filler");
        try (OutputStream out = Files.newOutputStream(filler)) {
            byte[] block = new byte[64 * 1024];
            while (true) {
                out.write(block);
            }
        } catch (IOException full) {
            // the disk is full now
        }
        assertThat(run.waitFor(2, TimeUnit.MINUTES)).isTrue();
        if (runWritesToTheDiskToItsEnd() || run.exitValue() != 0) {
            assertThat(run.exitValue()).as("a full disk is not a success: " + child.log()).isNotZero();
            assertThat(child.log()).as("the resource is named, with what to do").contains("the disk is full")
                    .contains("free space there");
        }

        Files.delete(filler);
        // Whether the file was moved before the disk filled or not, the next run finishes the sync.
        assertThat(child.run()).as(child.log()).isZero();
        assertThat(emulator.members(emulator.customerLists().get(0).id())).isEqualTo(emails(4_000));
    }
}
