package io.audiencesync.sync;

import io.audiencesync.identity.IdentifierMapping;
import io.audiencesync.identity.Normalizer;
import io.audiencesync.records.SnapshotCollector;
import io.audiencesync.records.SortedRecords;
import io.audiencesync.records.WireRecords;
import io.audiencesync.report.RejectsWriter;
import io.audiencesync.source.Row;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static org.assertj.core.api.Assertions.assertThat;

class IdentifierStageTest {

    private static final IdentifierMapping MAPPING = IdentifierMapping.parse("email=EMAIL,maid=MAID");

    @TempDir
    Path dir;

    private final ExecutorService workers = Executors.newFixedThreadPool(3);

    @AfterEach
    void stop() {
        workers.shutdownNow();
    }

    @Test
    void aChunkNormalizedOnSeveralThreadsGivesExactlyWhatOneThreadGives() throws IOException {
        List<List<Row>> chunks = List.of(rows(1, 4_999), rows(5_000, 5_000), rows(10_000, 120));
        Result one = run("one", new IdentifierStage(MAPPING, new Normalizer(true, true)), chunks);
        Result four = run("four", new IdentifierStage(MAPPING, new Normalizer(true, true), workers, 3), chunks);

        assertThat(one.values).hasSizeGreaterThan(10_000);
        assertThat(four.values).isEqualTo(one.values);
        assertThat(four.rejects).as("rejects in row order").isEqualTo(one.rejects).hasSizeGreaterThan(100);
        assertThat(four.run.read().rows()).isEqualTo(one.run.read().rows()).isEqualTo(4_999 + 5_000 + 120);
        assertThat(four.run.read().valuesByType()).isEqualTo(one.run.read().valuesByType());
        assertThat(four.run.read().rejectedByReason()).isEqualTo(one.run.read().rejectedByReason());
        assertThat(four.run.read().emptyCells()).isEqualTo(one.run.read().emptyCells()).isPositive();
    }

    @Test
    void manyChunksInFlightReachTheSnapshotInRowOrder() throws IOException {
        List<List<Row>> chunks = new ArrayList<>();
        for (int first = 1; first < 40_000; first += 1_000) {
            chunks.add(rows(first, 1_000));
        }
        Result one = run("one", new IdentifierStage(MAPPING, new Normalizer(true, true)), chunks);
        Result two = run("two", new IdentifierStage(MAPPING, new Normalizer(true, true), workers, 2), chunks);

        assertThat(two.rejects).as("rejects in row order").isEqualTo(one.rejects).hasSizeGreaterThan(1_000);
        assertThat(two.values).isEqualTo(one.values);
        assertThat(two.run.read().rows()).isEqualTo(40_000);
    }

    @Test
    void aFailureOnAWorkerReachesTheSourceRoute() throws IOException {
        Path work = Files.createDirectories(dir.resolve("fail"));
        SyncRun run = new SyncRun("fail", "test", false, work, new SnapshotCollector(work, 4_000), new RejectsWriter(work.resolve("r.csv")));
        IdentifierStage stage = new IdentifierStage(MAPPING, new Normalizer(true, true), workers, 2);
        List<Row> broken = new ArrayList<>(rows(1, 2_000));
        broken.set(1_500, new Row(1_501, new String[] {"only-one-cell@example.com"}));

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> {
            stage.collect(run, broken);
            stage.finish(run);
        }).isInstanceOf(ArrayIndexOutOfBoundsException.class);
    }

    /** Rows with a valid email or MAID, some invalid, some empty, some repeated. */
    private static List<Row> rows(int firstLine, int count) {
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int n = firstLine + i;
            String email = n % 37 == 0 ? "not-an-email-" + n : n % 11 == 0 ? "" : " User" + (n % 9_000) + "@Example.com ";
            String maid = n % 5 == 0 ? String.format("%08x-0000-4000-8000-%012x", n, n) : n % 53 == 0 ? "zzz" : "";
            rows.add(new Row(n + 1, new String[] {email, maid}));
        }
        return rows;
    }

    private Result run(String name, IdentifierStage stage, List<List<Row>> chunks) throws IOException {
        Path work = Files.createDirectories(dir.resolve(name));
        RejectsWriter rejects = new RejectsWriter(work.resolve("rejects.csv"));
        SyncRun run = new SyncRun(name, "test", false, work, new SnapshotCollector(work, 4_000), rejects);
        for (List<Row> chunk : chunks) {
            stage.collect(run, chunk);
        }
        stage.finish(run);
        assertThat(run.read().normalizing()).isEmpty();
        rejects.close();
        List<String> values = new ArrayList<>();
        try (SortedRecords sorted = run.read().values()) {
            while (sorted.next()) {
                values.add(WireRecords.line(sorted.buffer(), sorted.offset()));
            }
        }
        return new Result(run, values, Files.readAllLines(work.resolve("rejects.csv")));
    }

    private record Result(SyncRun run, List<String> values, List<String> rejects) {
    }
}
