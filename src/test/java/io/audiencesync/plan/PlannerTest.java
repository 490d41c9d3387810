package io.audiencesync.plan;

import io.audiencesync.identity.IdentifierType;
import io.audiencesync.records.RecordFile;
import io.audiencesync.records.SnapshotCollector;
import io.audiencesync.records.SortedRecords;
import io.audiencesync.records.WireLines;
import io.audiencesync.records.WireRecords;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

class PlannerTest {

    @TempDir
    Path dir;

    @Test
    void addsAreSnapshotMinusStateAndRemovesStateMinusSnapshot() throws IOException {
        SortedRecords snapshot = write("snapshot", "a\tEMAIL", "b\tEMAIL", "d\tMAID", "e\tIDFA");
        SortedRecords state = write("state", "b\tEMAIL", "c\tEMAIL", "e\tIDFA", "f\tMAID");
        Plan plan = Planner.plan(snapshot, state, dir.resolve("work"));
        assertThat(RecordFile.lines(plan.adds())).containsExactly("a\tEMAIL", "d\tMAID");
        assertThat(RecordFile.lines(plan.removes())).containsExactly("c\tEMAIL", "f\tMAID");
        assertThat(plan.addCount()).isEqualTo(2);
        assertThat(plan.removeCount()).isEqualTo(2);
        assertThat(plan.addsByType()).isEqualTo(Map.of(IdentifierType.EMAIL, 1L, IdentifierType.MAID, 1L));
        assertThat(plan.removesByType()).isEqualTo(Map.of(IdentifierType.EMAIL, 1L, IdentifierType.MAID, 1L));
        assertThat(plan.snapshotCount()).isEqualTo(4);
        assertThat(plan.stateCount()).isEqualTo(4);
    }

    @Test
    void withheldRemovalsAreCountedButNotPlanned() throws IOException {
        Plan plan = Planner.plan(write("s", "a\tEMAIL"), write("m", "b\tEMAIL", "c\tEMAIL"), dir.resolve("w"))
                .withholdRemovals("add-only");
        assertThat(plan.removeCount()).isZero();
        try (Batches batches = new Batches(plan, 10)) {
            assertThat(batches).toIterable().extracting(Batch::operation).containsOnly(Operation.ADD);
        }
        assertThat(plan.removalsWithheld()).isEqualTo(2);
        assertThat(plan.withheldBecause()).isEqualTo("add-only");
        assertThat(plan.addCount()).isEqualTo(1);
    }

    @Test
    void aMissingStateFileIsAnEmptyState() throws IOException {
        Plan plan = Planner.plan(write("s", "a\tEMAIL", "b\tEMAIL"), RecordFile.read(dir.resolve("none")), dir.resolve("w"));
        assertThat(plan.addCount()).isEqualTo(2);
        assertThat(plan.removeCount()).isZero();
    }

    @Test
    void matchesASetDifferenceOnRandomData() throws IOException {
        Random random = new Random(7);
        TreeSet<String> model = new TreeSet<>();
        TreeSet<String> state = new TreeSet<>();
        for (int i = 0; i < 5_000; i++) {
            model.add(Long.toHexString(random.nextInt(8_000)) + "\tEMAIL");
            state.add(Long.toHexString(random.nextInt(8_000)) + "\tEMAIL");
        }
        Plan plan = Planner.plan(write("s", model.toArray(String[]::new)), write("m", state.toArray(String[]::new)),
                dir.resolve("w"));
        TreeSet<String> adds = new TreeSet<>(model);
        adds.removeAll(state);
        TreeSet<String> removes = new TreeSet<>(state);
        removes.removeAll(model);
        assertThat(RecordFile.lines(plan.adds())).containsExactlyElementsOf(adds);
        assertThat(RecordFile.lines(plan.removes())).containsExactlyElementsOf(removes);
    }

    @Test
    void batchesCarryEveryAddThenEveryRemoveInOrder() throws IOException {
        Plan plan = Planner.plan(write("s", "a\tEMAIL", "b\tEMAIL", "c\tEMAIL"), write("m", "x\tEMAIL", "y\tEMAIL"),
                dir.resolve("w"));
        List<Batch> batches = new ArrayList<>();
        try (Batches it = new Batches(plan, 2)) {
            it.forEachRemaining(batches::add);
        }
        assertThat(batches).extracting(Batch::operation).containsExactly(Operation.ADD, Operation.ADD, Operation.REMOVE);
        assertThat(batches).extracting(Batch::values)
                .containsExactly(List.of("a", "b"), List.of("c"), List.of("x", "y"));
        assertThat(batches).extracting(Batch::number).containsExactly(1, 2, 3);
    }

    @Test
    void aBatchCarriesItsLinesAsTheRecordsTheStateJournals() throws IOException {
        String digest = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
        Plan plan = Planner.plan(write("s", "a@example.com\tEMAIL", digest + "\tMAID", "lr-1\tLR_ID", "caf\u00e9-1\tLR_ID"),
                RecordFile.read(dir.resolve("none")), dir.resolve("w"));
        try (Batches it = new Batches(plan, 2)) {
            while (it.hasNext()) {
                Batch batch = it.next();
                Batch fromLines = new Batch(batch.operation(), batch.number(), batch.lines());
                assertThat(batch.records()).isEqualTo(fromLines.records());
                assertThat(batch.size()).isEqualTo(fromLines.size()).isEqualTo(batch.lines().size());
                assertThat(new String(batch.joined().utf8(), java.nio.charset.StandardCharsets.UTF_8))
                        .isEqualTo(String.join(",", batch.values()))
                        .isEqualTo(new String(fromLines.joined().utf8(), java.nio.charset.StandardCharsets.UTF_8));
                // Only the batch with a non-ASCII value needs JSON escaping; the digest is known safe unread.
                assertThat(batch.joined().jsonSafe()).isEqualTo(batch.values().stream().allMatch(v -> v.chars().allMatch(c -> c < 0x7f)));
            }
        }
        assertThat(Batch.ofRecords(Operation.ADD, 1, plainRecord("say \"hi\""), 1).joined().jsonSafe()).isFalse();
        assertThat(Batch.ofRecords(Operation.ADD, 1, plainRecord("back\\slash"), 1).joined().jsonSafe()).isFalse();
        assertThat(Batch.ofRecords(Operation.ADD, 1, plainRecord("tab\there"), 1).joined().jsonSafe()).isFalse();
        assertThat(Batch.ofRecords(Operation.ADD, 1, plainRecord("lr-1"), 1).joined().jsonSafe()).isTrue();
    }

    private static byte[] plainRecord(String value) {
        byte[] buf = new byte[WireRecords.MAX_LENGTH];
        return java.util.Arrays.copyOf(buf, WireRecords.encode(value, io.audiencesync.identity.IdentifierType.LR_ID, buf, 0));
    }

    @Test
    void theSnapshotCollectorSortsAndDedupesAcrossSpilledRuns() throws IOException {
        SnapshotCollector collector = new SnapshotCollector(dir.resolve("c"), 1_000);
        Random random = new Random(3);
        TreeSet<String> expected = new TreeSet<>(WireLines.BY_VALUE);
        for (int i = 0; i < 10_000; i++) {
            String line = Integer.toHexString(random.nextInt(6_000)) + "\tEMAIL";
            collector.add(line);
            expected.add(line);
        }
        assertThat(lines(collector.finish())).containsExactlyElementsOf(expected);
    }

    @Test
    void runsWhoseValuesShareTheirFirstBytesMergeInOrder() throws IOException {
        // Every value starts with the same 8 record bytes (kind, length, "user-"): the merge's long prefixes tie
        // and the records themselves decide; digests that share their first bytes do the same.
        SnapshotCollector collector = new SnapshotCollector(dir.resolve("c"), 700);
        Random random = new Random(5);
        TreeSet<String> expected = new TreeSet<>(WireLines.BY_VALUE);
        for (int i = 0; i < 8_000; i++) {
            String line = (i % 2 == 0 ? String.format("user-%05d@example.com", random.nextInt(5_000))
                    : String.format("00000000000000%050x", random.nextInt(5_000))) + "\tEMAIL";
            collector.add(line);
            expected.add(line);
        }
        assertThat(lines(collector.finish())).containsExactlyElementsOf(expected);
    }

    @Test
    void valuesAreDistinctByValueWhateverTheirType() throws IOException {
        SnapshotCollector collector = new SnapshotCollector(dir.resolve("c"), 1_000);
        collector.add("abc\tMAID");
        collector.add("abc\tIDFA");
        collector.add("ab\tEMAIL");
        assertThat(lines(collector.finish())).hasSize(2).startsWith("ab\tEMAIL");
    }

    @Test
    void digestsAndPlainValuesRoundTripThroughTheBinaryRecords() {
        String sha256 = "07a31eda033f9a9283b7890ad162e394cb0c83c6fce38202fb7d0468c33e7980";
        String md5 = "5f4dcc3b5aa765d61d8327deb882cf99";
        String sha1 = "5baa61e4c9b93f3f0682250b6cf8331b7ee68fd8";
        String upperHexPinnerId = "5F4DCC3B5AA765D61D8327DEB882CF99";
        List<String> lines = List.of(sha256 + "\tMAID", md5 + "\tEMAIL", sha1 + "\tIDFA", "jane@example.com\tEMAIL",
                upperHexPinnerId + "\tHASHED_PINNER_ID", "ÄÖü-lr-id\tLR_ID");
        SnapshotCollector collector = new SnapshotCollector(dir.resolve("r"), 1_000);
        lines.forEach(collector::add);
        assertThat(lines(collector.finish())).containsExactlyInAnyOrderElementsOf(lines);
        assertThat(WireRecords.encode(sha256, IdentifierType.MAID)).as("a SHA-256 takes 34 bytes").hasSize(34);
    }

    @Test
    void theMergedRunsAreInRecordOrder() {
        SnapshotCollector collector = new SnapshotCollector(dir.resolve("o"), 1_000);
        Random random = new Random(11);
        for (int i = 0; i < 5_000; i++) {
            collector.add(random.nextBoolean() ? io.audiencesync.identity.Normalizer.sha256("v" + random.nextInt(3_000))
                    : "user" + random.nextInt(3_000) + "@example.com", IdentifierType.EMAIL);
        }
        byte[] previous = null;
        try (SortedRecords records = collector.finish()) {
            while (records.next()) {
                byte[] current = java.util.Arrays.copyOfRange(records.buffer(), records.offset(),
                        records.offset() + WireRecords.length(records.buffer(), records.offset()));
                if (previous != null) {
                    assertThat(WireRecords.compare(previous, 0, current, 0)).isNegative();
                }
                previous = current;
            }
        }
    }

    /** A sorted, distinct snapshot of these lines, as the collector hands it to the planner. */
    private SortedRecords write(String name, String... lines) {
        SnapshotCollector collector = new SnapshotCollector(dir.resolve(name), 1_000);
        for (String line : lines) {
            collector.add(line);
        }
        return collector.finish();
    }

    private static List<String> lines(SortedRecords records) {
        List<String> out = new ArrayList<>();
        try (records) {
            while (records.next()) {
                out.add(WireRecords.line(records.buffer(), records.offset()));
            }
        }
        return out;
    }
}
