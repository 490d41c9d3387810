package io.audiencesync.state;

import io.audiencesync.identity.IdentifierType;
import io.audiencesync.identity.Normalizer;
import io.audiencesync.plan.Batch;
import io.audiencesync.plan.Operation;
import io.audiencesync.plan.Plan;
import io.audiencesync.records.RecordFile;
import io.audiencesync.records.SnapshotCollector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What every state store must do; run for the file store and for PostgreSQL. */
abstract class StateStoreContract {

    @TempDir
    Path dir;
    StateStore store;
    private int plans;

    /** A store of the kind under test, empty; sorting in memory at most {@code sortBufferValues} values at a time. */
    abstract StateStore newStore(Path dir, int sortBufferValues);

    /** Kinds of damage a list's stored members can suffer outside this tool. */
    enum Damage {
        /** The end cut off (a file cut at a record boundary; rows deleted). */
        CUT,
        /** One value changed (a byte of a file; a key of a row). */
        CHANGED,
        /** Everything gone (an emptied file; a truncated table). */
        EMPTIED,
        /** A value added that this tool never recorded (bytes after a file's end; a row inserted by hand). */
        ADDED
    }

    /** Damages the members of {@code listId} as stored (after its batches were committed and finished). */
    abstract void damage(Damage damage, String listId) throws Exception;

    /** Takes the list's state away entirely, as a lost volume or a dropped row set would. */
    abstract void lose(String listId) throws Exception;

    /** Where a damaged list's state is, as messages name it (a file, a table). */
    abstract String where(String listId);

    @BeforeEach
    void open() {
        store = newStore(dir, 1_000);
    }

    @AfterEach
    void close() {
        if (store != null) {
            store.close();
        }
    }

    @Test
    void aFirstPlanAddsEverythingThenTheAcknowledgedBatchesAreTheState() {
        try (StateStore.Session session = store.begin("account/list A")) {
            StateStore.StoredList list = session.open("1001");
            Plan first = plan(list, "a\tEMAIL", "b\tEMAIL", "c\tMAID");
            assertThat(RecordFile.lines(first.adds())).containsExactly("a\tEMAIL", "b\tEMAIL", "c\tMAID");
            assertThat(first.removeCandidates()).isZero();
            list.commit(Operation.ADD, List.of("a\tEMAIL", "b\tEMAIL", "c\tMAID"));
            list.finish();
        }
        try (StateStore.Session session = store.begin("account/list A")) {
            Plan next = plan(session.open("1001"), "b\tEMAIL", "c\tMAID", "d\tIDFA");
            assertThat(RecordFile.lines(next.adds())).containsExactly("d\tIDFA");
            assertThat(RecordFile.lines(next.removes())).containsExactly("a\tEMAIL");
            assertThat(next.addsByType()).containsEntry(IdentifierType.IDFA, 1L);
            assertThat(next.snapshotCount()).isEqualTo(3);
            assertThat(next.stateCount()).isEqualTo(3);
        }
    }

    @Test
    void removalsOnlyEverTouchValuesThisToolAddedAndNotRemovedSince() {
        try (StateStore.Session session = store.begin("k")) {
            StateStore.StoredList list = session.open("7");
            list.commit(Operation.ADD, List.of("a\tEMAIL", "b\tEMAIL", "c\tEMAIL"));
            list.commit(Operation.REMOVE, List.of("b\tEMAIL", "never-added\tEMAIL"));
            list.finish();
            Plan plan = plan(list, "z\tEMAIL");
            assertThat(RecordFile.lines(plan.removes())).containsExactly("a\tEMAIL", "c\tEMAIL");
        }
    }

    @Test
    void everyCommittedBatchSurvivesARunThatNeverFinished() {
        // A crash: batches committed, the run never got to finish (the lock goes with the process).
        try (StateStore.Session session = store.begin("k")) {
            StateStore.StoredList list = session.open("9");
            list.commit(Operation.ADD, List.of("a\tEMAIL", "b\tEMAIL"));
            list.commit(Operation.ADD, List.of("c\tEMAIL"));
        }
        try (StateStore.Session session = store.begin("k")) {
            Plan plan = plan(session.open("9"), "a\tEMAIL", "b\tEMAIL", "c\tEMAIL");
            assertThat(plan.addCount()).isZero();
            assertThat(plan.removeCandidates()).isZero();
            assertThat(plan.stateCount()).isEqualTo(3);
        }
    }

    /**
     * A batch made ready while it is sent counts only once acknowledged: one that failed, that another batch came
     * after, or whose session ended (a process killed mid-call) leaves the state as it was.
     */
    @Test
    void aPreparedBatchCountsOnlyWhenItIsCommitted() {
        try (StateStore.Session session = store.begin("k")) {
            StateStore.StoredList list = session.open("11");
            Batch acknowledged = new Batch(Operation.ADD, 1, List.of("a\tEMAIL", "b\tEMAIL"));
            list.prepare(acknowledged);
            list.commit(acknowledged);
            Batch failed = new Batch(Operation.ADD, 2, List.of("c\tEMAIL"));
            list.prepare(failed);
            Batch next = new Batch(Operation.REMOVE, 3, List.of("a\tEMAIL"));
            list.prepare(next); // the failed one went to the dead letter: never committed
            list.commit(next);
            Batch unanswered = new Batch(Operation.ADD, 4, List.of("d\tEMAIL"));
            list.prepare(unanswered);
            Batch unprepared = new Batch(Operation.ADD, 5, List.of("e\tEMAIL"));
            list.commit(unprepared); // committed without having been prepared: the prepared one is dropped
            list.prepare(new Batch(Operation.ADD, 6, List.of("f\tEMAIL")));
            // the process dies in the middle of the call: the session ends with the batch prepared
        }
        try (StateStore.Session session = store.begin("k")) {
            Plan plan = plan(session.open("11"), "b\tEMAIL", "e\tEMAIL");
            assertThat(plan.stateCount()).as("b and e: nothing of what was prepared and not committed").isEqualTo(2);
            assertThat(plan.addCount()).isZero();
            assertThat(plan.removeCandidates()).isZero();
        }
    }

    @Test
    void aSecondSessionForTheSameListIsRefusedUntilTheFirstEnds() {
        StateStore other = newStore(dir, 1_000);
        try (StateStore.Session first = store.begin("549755885175/Customer List-Users 1")) {
            assertThatThrownBy(() -> other.begin("549755885175/Customer List-Users 1"))
                    .isInstanceOf(StateLockedException.class)
                    .hasMessageContaining("another process is syncing '549755885175/Customer List-Users 1'")
                    .hasMessageContaining("sent nothing");
            other.begin("549755885175/Customer List-Users 2").close();
        }
        other.begin("549755885175/Customer List-Users 1").close();
        other.close();
    }

    @Test
    void theDiffIsExactWhereALocaleCollationOrdersValuesOtherwiseThanTheirBytes() {
        // Each group is ordered one way by bytes and another by a locale collation (en_US, ICU's): case, accents,
        // punctuation a collation skips, ß and ss, a prefix, scripts beyond Latin. A store whose order is not the
        // records' (unsigned bytes, then length) would plan adds and removes of values that are in both.
        List<String> tricky = List.of("a@x.com", "B@x.com", "b@x.com", "A@x.com", "é@x.com", "e@x.com", "f@x.com",
                "E@x.com", "É@x.com", "a-b@x.com", "ab@x.com", "a.b@x.com", "a b@x.com", "a_b@x.com", "ß@x.com", "ss@x.com",
                "st@x.com", "ab", "ab@", "Ab", "aB", "日本@x.com", "z@x.com", "Z@x.com", "ä@x.com", "ő@x.com", "0@x.com",
                "~@x.com", "ǅ@x.com", "\uD83D\uDE00@x.com", Normalizer.sha256("u").toUpperCase(), Normalizer.sha256("u"));
        Random random = new Random(11);
        String alphabet = "aAbBeEéÉfF-._ ßsS0~äÄz";
        TreeSet<String> generated = new TreeSet<>();
        while (generated.size() < 3_000) {
            StringBuilder value = new StringBuilder();
            for (int i = 1 + random.nextInt(5); i > 0; i--) {
                value.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            generated.add(value + "@x.com");
        }
        List<String> values = new ArrayList<>(tricky);
        values.addAll(generated);
        // The state holds the first two thirds, the model the last two: a third is in both.
        TreeSet<String> state = new TreeSet<>();
        TreeSet<String> model = new TreeSet<>();
        for (int i = 0; i < values.size(); i++) {
            int third = i % 3;
            if (third != 2) {
                state.add(values.get(i) + "\tEMAIL");
            }
            if (third != 0) {
                model.add(values.get(i) + "\tEMAIL");
            }
        }
        try (StateStore.Session session = store.begin("k")) {
            StateStore.StoredList list = session.open("61");
            // As a sync records a list: the batches of its first plan, in the plan's order.
            List<String> adds = RecordFile.lines(plan(list, state.toArray(String[]::new)).adds());
            for (int from = 0; from < adds.size(); from += 500) {
                list.commit(Operation.ADD, adds.subList(from, Math.min(adds.size(), from + 500)));
            }
            list.finish();
            Plan plan = plan(list, model.toArray(String[]::new));
            TreeSet<String> expectedAdds = new TreeSet<>(model);
            expectedAdds.removeAll(state);
            TreeSet<String> expectedRemoves = new TreeSet<>(state);
            expectedRemoves.removeAll(model);
            assertThat(expectedAdds).hasSizeGreaterThan(1_000);
            assertThat(expectedRemoves).hasSizeGreaterThan(1_000);
            assertThat(RecordFile.lines(plan.adds())).containsExactlyInAnyOrderElementsOf(expectedAdds);
            assertThat(RecordFile.lines(plan.removes())).containsExactlyInAnyOrderElementsOf(expectedRemoves);
            assertThat(plan.stateCount()).isEqualTo(state.size());
            assertThat(plan.snapshotCount()).isEqualTo(model.size());
        }
    }

    @Test
    void digestsPlainValuesAndPartnerIdsRoundTripExactly() {
        List<String> lines = List.of(
                Normalizer.sha256("jane@example.com") + "\tEMAIL",
                "5f4dcc3b5aa765d61d8327deb882cf99\tMAID",
                "5baa61e4c9b93f3f0682250b6cf8331b7ee68fd8\tIDFA",
                "john.smith@example.com\tEMAIL",
                "5F4DCC3B5AA765D61D8327DEB882CF99\tHASHED_PINNER_ID",
                "Xi1234_lr-ÄÖ\tLR_ID",
                "dlx:98765\tDLX_ID");
        try (StateStore.Session session = store.begin("k")) {
            StateStore.StoredList list = session.open("11");
            list.commit(Operation.ADD, new ArrayList<>(lines));
            list.finish();
            Plan same = plan(list, lines.toArray(String[]::new));
            assertThat(same.addCount()).isZero();
            assertThat(same.removeCandidates()).isZero();
            Plan empty = plan(list, "other@example.com\tEMAIL");
            assertThat(RecordFile.lines(empty.removes())).containsExactlyInAnyOrderElementsOf(lines);
        }
    }

    @Test
    void listsAreKeptApartAndAnAddTwiceIsOneMember() {
        try (StateStore.Session session = store.begin("k")) {
            StateStore.StoredList one = session.open("1");
            StateStore.StoredList two = session.open("2");
            one.commit(Operation.ADD, List.of("a\tEMAIL"));
            one.commit(Operation.ADD, List.of("a\tEMAIL", "b\tEMAIL"));
            one.finish();
            two.finish();
            assertThat(plan(one, "a\tEMAIL", "b\tEMAIL").stateCount()).isEqualTo(2);
            assertThat(plan(two, "a\tEMAIL").addCount()).isEqualTo(1);
        }
    }

    @Test
    void aDiffLargerThanTheSortBufferMatchesASetDifference() {
        Random random = new Random(5);
        TreeSet<String> state = new TreeSet<>();
        TreeSet<String> model = new TreeSet<>();
        for (int i = 0; i < 6_000; i++) {
            state.add(Normalizer.sha256("s" + random.nextInt(9_000)) + "\tEMAIL");
            model.add(Normalizer.sha256("s" + random.nextInt(9_000)) + "\tEMAIL");
            model.add("user" + random.nextInt(3_000) + "@example.com\tEMAIL");
        }
        try (StateStore.Session session = store.begin("k")) {
            StateStore.StoredList list = session.open("3");
            List<String> batch = new ArrayList<>();
            for (String line : state) {
                batch.add(line);
                if (batch.size() == 500) {
                    list.commit(Operation.ADD, batch);
                    batch = new ArrayList<>();
                }
            }
            list.commit(Operation.ADD, batch);
            list.finish();
            Plan plan = plan(list, model.toArray(String[]::new));
            TreeSet<String> adds = new TreeSet<>(model);
            adds.removeAll(state);
            TreeSet<String> removes = new TreeSet<>(state);
            removes.removeAll(model);
            assertThat(RecordFile.lines(plan.adds())).containsExactlyInAnyOrderElementsOf(adds);
            assertThat(RecordFile.lines(plan.removes())).containsExactlyInAnyOrderElementsOf(removes);
            assertThat(plan.snapshotCount()).isEqualTo(model.size());
            assertThat(plan.stateCount()).isEqualTo(state.size());
        }
    }

    private void commitFive(String listId) {
        try (StateStore.Session session = store.begin("k")) {
            StateStore.StoredList list = session.open(listId);
            list.commit(Operation.ADD, List.of(Normalizer.sha256("a") + "\tEMAIL", Normalizer.sha256("b") + "\tEMAIL",
                    Normalizer.sha256("c") + "\tEMAIL", "d@example.com\tEMAIL"));
            list.commit(Operation.ADD, List.of(Normalizer.sha256("e") + "\tMAID"));
            list.finish();
        }
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(Damage.class)
    void damagedMembersAreRefusedWhenPlanningNamingWhereAndWhatToDo(Damage damage) throws Exception {
        commitFive("21");
        damage(damage, "21");
        try (StateStore.Session session = store.begin("k")) {
            assertThatThrownBy(() -> plan(session.open("21"), Normalizer.sha256("a") + "\tEMAIL", "x@example.com\tEMAIL"))
                    .isInstanceOf(StateCorruptedException.class)
                    .hasMessageContaining(where("21"))
                    .hasMessageContaining("run --once --reset-state");
        }
    }

    @Test
    void whetherAListHasStateIsKnownAndSettingItAsideLeavesNone() {
        try (StateStore.Session session = store.begin("k")) {
            assertThat(session.hasState("31")).isFalse();
        }
        commitFive("31");
        try (StateStore.Session session = store.begin("k")) {
            assertThat(session.hasState("31")).isTrue();
            assertThat(session.hasState("32")).as("another list").isFalse();
            String moved = session.setAside("31", dir.resolve("set-aside"));
            assertThat(moved).contains("31");
            assertThat(session.hasState("31")).isFalse();
            Plan plan = plan(session.open("31"), Normalizer.sha256("a") + "\tEMAIL");
            assertThat(plan.addCount()).as("no state: everything is an add").isEqualTo(1);
            assertThat(plan.removeCandidates()).isZero();
        }
    }

    @Test
    void aListWhoseStateIsGoneHasNone() throws Exception {
        commitFive("41");
        lose("41");
        try (StateStore.Session session = store.begin("k")) {
            assertThat(session.hasState("41")).isFalse();
        }
    }

    @Test
    void batchesAcknowledgedAgainKeepTheRecordWhole() {
        // Values already in (an ADD sent again after a crash) and never in (a REMOVE of one) change nothing: the record
        // of the members must follow what the store really holds, or the next plan would call it damaged.
        commitFive("51");
        try (StateStore.Session session = store.begin("k")) {
            StateStore.StoredList list = session.open("51");
            list.commit(Operation.ADD, List.of(Normalizer.sha256("a") + "\tEMAIL", Normalizer.sha256("f") + "\tEMAIL"));
            list.commit(Operation.REMOVE, List.of(Normalizer.sha256("b") + "\tEMAIL", "never@example.com\tEMAIL"));
            list.finish();
        }
        try (StateStore.Session session = store.begin("k")) {
            Plan plan = plan(session.open("51"), Normalizer.sha256("a") + "\tEMAIL", Normalizer.sha256("c") + "\tEMAIL");
            assertThat(plan.stateCount()).isEqualTo(5);
            assertThat(RecordFile.lines(plan.removes())).containsExactlyInAnyOrder("d@example.com\tEMAIL",
                    Normalizer.sha256("e") + "\tMAID", Normalizer.sha256("f") + "\tEMAIL");
        }
    }

    Plan plan(StateStore.StoredList list, String... lines) {
        Path work = dir.resolve("work-" + (++plans));
        SnapshotCollector collector = new SnapshotCollector(work, 1_000);
        for (String line : lines) {
            collector.add(line);
        }
        return list.plan(collector.finish(), work);
    }
}
