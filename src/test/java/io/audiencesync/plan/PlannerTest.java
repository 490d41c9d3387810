package io.audiencesync.plan;

import io.audiencesync.identity.IdentifierType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
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
        Path snapshot = write("snapshot", "a\tEMAIL", "b\tEMAIL", "d\tMAID", "e\tIDFA");
        Path state = write("state", "b\tEMAIL", "c\tEMAIL", "e\tIDFA", "f\tMAID");
        Plan plan = Planner.plan(snapshot, state, dir.resolve("work"));
        assertThat(Files.readAllLines(plan.adds())).containsExactly("a\tEMAIL", "d\tMAID");
        assertThat(Files.readAllLines(plan.removes())).containsExactly("c\tEMAIL", "f\tMAID");
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
        Plan plan = Planner.plan(write("s", "a\tEMAIL", "b\tEMAIL"), dir.resolve("none"), dir.resolve("w"));
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
        assertThat(Files.readAllLines(plan.adds())).containsExactlyElementsOf(adds);
        assertThat(Files.readAllLines(plan.removes())).containsExactlyElementsOf(removes);
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
    void theSnapshotCollectorSortsAndDedupesAcrossSpilledRuns() throws IOException {
        SnapshotCollector collector = new SnapshotCollector(dir.resolve("c"), 1_000);
        Random random = new Random(3);
        TreeSet<String> expected = new TreeSet<>(WireLines.BY_VALUE);
        for (int i = 0; i < 10_000; i++) {
            String line = Integer.toHexString(random.nextInt(6_000)) + "\tEMAIL";
            collector.add(line);
            expected.add(line);
        }
        SnapshotCollector.SortedSnapshot sorted = collector.finish();
        assertThat(Files.readAllLines(sorted.file())).containsExactlyElementsOf(expected);
        assertThat(sorted.count()).isEqualTo(expected.size());
    }

    @Test
    void valuesAreDistinctByValueWhateverTheirType() throws IOException {
        SnapshotCollector collector = new SnapshotCollector(dir.resolve("c"), 1_000);
        collector.add("abc\tMAID");
        collector.add("abc\tIDFA");
        collector.add("ab\tEMAIL");
        SnapshotCollector.SortedSnapshot sorted = collector.finish();
        assertThat(Files.readAllLines(sorted.file())).hasSize(2).startsWith("ab\tEMAIL");
    }

    private Path write(String name, String... lines) throws IOException {
        Path file = dir.resolve(name);
        Files.write(file, List.of(lines));
        return file;
    }
}
