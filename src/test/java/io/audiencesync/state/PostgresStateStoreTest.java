package io.audiencesync.state;

import io.audiencesync.PostgresTestDatabase;
import io.audiencesync.plan.Batch;
import io.audiencesync.plan.Operation;
import io.audiencesync.plan.Plan;
import io.audiencesync.records.RecordFile;
import io.audiencesync.records.SnapshotCollector;
import io.audiencesync.records.WireRecords;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import org.postgresql.PGConnection;
import org.postgresql.copy.CopyOut;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The state store contract on a real PostgreSQL (skipped, saying why, when none answers; failed under CI=true). */
class PostgresStateStoreTest extends StateStoreContract {

    private String schema;

    @AfterEach
    void dropSchema() {
        if (schema != null) {
            PostgresTestDatabase.dropSchema(schema);
        }
    }

    @Override
    StateStore newStore(Path dir, int sortBufferValues) {
        PostgresTestDatabase.assumeAvailable();
        if (schema == null) {
            schema = PostgresTestDatabase.newSchema();
        }
        try {
            return new PostgresStateStore(PostgresTestDatabase.URL, PostgresTestDatabase.USER, PostgresTestDatabase.PASSWORD, schema,
                    dir.resolve("postgres-work"), sortBufferValues);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    void damage(Damage damage, String listId) {
        String members = schema + ".list_block where customer_list_id = " + listId + " and operation = 0";
        String lastRow = members + " and block = (select max(block) from " + members + ")";
        switch (damage) {
            // The last value of the last row of members cut off: a text value of 13 characters.
            case CUT -> PostgresTestDatabase.execute("update " + lastRow.replaceFirst("where", "set content = substr(content, 1,"
                    + " length(content) - 17) where"));
            case CHANGED -> PostgresTestDatabase.execute("update " + members.replaceFirst("where", "set content ="
                    + " set_byte(content, 5, get_byte(content, 5) # 1) where"));
            case EMPTIED -> PostgresTestDatabase.execute("truncate " + schema + ".list_block");
            // A row of one text value 'z', after every other one.
            case ADDED -> PostgresTestDatabase.execute("insert into " + schema + ".list_block values (" + listId
                    + ", 1000, 0, 1, 0, '\\x0300017a00')");
        }
    }

    @Override
    void lose(String listId) {
        PostgresTestDatabase.execute("delete from " + schema + ".list_block where customer_list_id = " + listId);
        PostgresTestDatabase.execute("delete from " + schema + ".list_state where customer_list_id = " + listId);
    }

    @Override
    String where(String listId) {
        return "the table " + schema + ".list_block does not match " + schema + ".list_state";
    }

    @Test
    void aDroppedTableIsNamedAtTheStartNeverTakenForAFreshState() {
        newStore(dir, 1_000).close();
        PostgresTestDatabase.execute("drop table " + schema + ".list_state");
        assertThatThrownBy(() -> newStore(dir, 1_000)).isInstanceOf(StateCorruptedException.class)
                .hasMessageContaining("the table " + schema + ".list_state is gone")
                .hasMessageContaining("Nothing was sent");
    }

    @Test
    void aSchemaOfTheEarlierReleaseGetsItsListsRecordedAndPlansOnWithoutDamage() throws Exception {
        // Version 1 had list_member only: made by hand here, with two lists' rows.
        schema = PostgresTestDatabase.newSchema();
        PostgresTestDatabase.execute("create schema " + schema);
        PostgresTestDatabase.execute("create table " + schema + ".schema_version (version int primary key,"
                + " applied_at timestamptz not null default now())");
        PostgresTestDatabase.execute("insert into " + schema + ".schema_version (version) values (1)");
        PostgresTestDatabase.execute("create table " + schema + ".list_member (customer_list_id bigint not null,"
                + " key bytea not null, type smallint not null, primary key (customer_list_id, key))");
        PostgresTestDatabase.execute("insert into " + schema + ".list_member values (7, '\\x0361', 0), (7, '\\x0362', 0),"
                + " (8, '\\x0363', 3)");
        try (StateStore store = newStore(dir, 1_000); StateStore.Session session = store.begin("k")) {
            assertThat(session.hasState("7")).isTrue();
            var collector = new io.audiencesync.records.SnapshotCollector(dir.resolve("w"), 1_000);
            collector.add("a\tEMAIL");
            var plan = session.open("7").plan(collector.finish(), dir.resolve("w"));
            assertThat(plan.stateCount()).isEqualTo(2);
            assertThat(io.audiencesync.records.RecordFile.lines(plan.removes())).containsExactly("b\tEMAIL");
        }
        assertThat(PostgresTestDatabase.query("select customer_list_id || ':' || value_count from " + schema
                + ".list_block where operation = 0 order by customer_list_id")).as("a row of members per list")
                .containsExactly("7:2", "8:1");
        assertThat(PostgresTestDatabase.query("select to_regclass('" + schema + ".list_member')")).containsExactly((String) null);
    }

    @Test
    void theSchemaIsMigratedOnceAndANewerOneIsRefused() throws SQLException {
        newStore(dir, 1_000).close();
        newStore(dir, 1_000).close();
        PostgresTestDatabase.execute("insert into " + schema + ".schema_version (version) values (99)");
        assertThatThrownBy(() -> new PostgresStateStore(PostgresTestDatabase.URL, PostgresTestDatabase.USER,
                PostgresTestDatabase.PASSWORD, schema))
                .isInstanceOf(SQLException.class).hasMessageContaining("version 99, newer than this tool");
        assertThat(schema).startsWith("pas_test_");
    }

    @Test
    void valuesOutOfOrderAcrossRowsStopTheMergeInsteadOfPlanningWrong() throws Exception {
        PostgresTestDatabase.assumeAvailable();
        // Rows of members whose third value ('B') is lower than the second ('b'): rows changed by hand, or read in
        // another order than their block numbers'.
        try (Connection c = DriverManager.getConnection(PostgresTestDatabase.URL, PostgresTestDatabase.USER,
                PostgresTestDatabase.PASSWORD)) {
            CopyOut copy = c.unwrap(PGConnection.class).getCopyAPI().copyOut("copy (select * from (values"
                    + " ('\\x03000161000300016200'::bytea), ('\\x0300014200'::bytea)) v) to stdout (format binary)");
            PostgresMembers members = new PostgresMembers(copy, null, what -> new IllegalStateException("damaged: " + what)).start();
            List<String> read = new ArrayList<>();
            assertThatThrownBy(() -> {
                while (members.next()) {
                    read.add(WireRecords.value(members.buffer(), members.offset()));
                }
            }).hasMessage("damaged: value 3 is not greater than the one before it (the members are sorted and distinct)");
            assertThat(read).as("the first row was whole and in order").containsExactly("a", "b");
            members.close();
            // The connection is usable after the COPY was given up.
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("select 1")) {
                assertThat(rs.next()).isTrue();
            }
        }
    }

    @Test
    void aRowNoReleaseOfTheToolWritesIsDamageNamedBeforeAnythingIsPlanned() throws Exception {
        try (StateStore.Session session = newStore(dir, 1_000).begin("k")) {
            StateStore.StoredList list = session.open("71");
            list.commit(io.audiencesync.plan.Operation.ADD, java.util.List.of("a\tEMAIL", "b\tEMAIL"));
            // A key of kind 9: no record has it.
            list.finish();
            PostgresTestDatabase.execute("update " + schema + ".list_block set content = set_byte(content, 5, 9)"
                    + " where customer_list_id = 71");
            var collector = new io.audiencesync.records.SnapshotCollector(dir.resolve("w"), 1_000);
            collector.add("a\tEMAIL");
            assertThatThrownBy(() -> list.plan(collector.finish(), dir.resolve("w")))
                    .isInstanceOf(StateCorruptedException.class)
                    .hasMessageContaining("the PostgreSQL state of customer list 71 is damaged")
                    .hasMessageContaining("it holds a record of unknown kind 9");
        }
    }

    /** Rows of {@code list_block} of a list: block, operation (0 members, 1 ADD, 2 REMOVE), value count. */
    private List<String> rows(String listId) {
        return PostgresTestDatabase.query("select block || ':' || operation || ':' || value_count from " + schema
                + ".list_block where customer_list_id = " + listId + " order by block");
    }

    private List<String> state(String listId) {
        return PostgresTestDatabase.query("select member_count || ' values, ' || batches || ' batches, ' || pending"
                + " || ' to fold' from " + schema + ".list_state where customer_list_id = " + listId);
    }

    private static List<String> values(int from, int to) {
        return java.util.stream.IntStream.range(from, to).mapToObj(i -> String.format("user%06d@example.com\tEMAIL", i)).toList();
    }

    @Test
    void aFirstSyncsBatchesInOrderBecomeTheMembersAsTheyAreAndAReSyncFoldsIntoNewRows() {
        try (StateStore.Session session = store.begin("k")) {
            StateStore.StoredList list = session.open("81");
            for (int from = 0; from < 3_000; from += 1_000) {
                list.commit(Operation.ADD, values(from, from + 1_000));
            }
            assertThat(rows("81")).as("a row a batch, not folded yet").containsExactly("1:1:1000", "2:1:1000", "3:1:1000");
            list.finish();
        }
        assertThat(rows("81")).as("relabelled, not written again").containsExactly("1:0:1000", "2:0:1000", "3:0:1000");
        assertThat(state("81")).containsExactly("3000 values, 3 batches, 0 to fold");

        List<String> model = new ArrayList<>(values(500, 3_200));
        try (StateStore.Session session = store.begin("k")) {
            StateStore.StoredList list = session.open("81");
            Plan plan = plan(list, model.toArray(String[]::new));
            assertThat(plan.addCount()).isEqualTo(200);
            assertThat(plan.removeCandidates()).isEqualTo(500);
            list.commit(Operation.REMOVE, values(0, 500));
            list.commit(Operation.ADD, values(3_000, 3_200));
            list.finish();
        }
        assertThat(rows("81")).as("the folded members in one new row, the old rows gone").containsExactly("6:0:2700");
        assertThat(state("81")).containsExactly("2700 values, 5 batches, 0 to fold");
        try (StateStore.Session session = store.begin("k")) {
            Plan plan = plan(session.open("81"), model.toArray(String[]::new));
            assertThat(plan.addCount()).isZero();
            assertThat(plan.removeCandidates()).isZero();
            assertThat(plan.stateCount()).isEqualTo(2_700);
        }
    }

    @Test
    void membersOfMoreThanARowAreSplitAndReadBackInOrder() {
        // 50,000 values of 26 bytes: more than one row of about 1 MB. Batches out of order: folded by merging.
        List<String> all = values(0, 50_000);
        try (StateStore.Session session = store.begin("k")) {
            StateStore.StoredList list = session.open("82");
            list.commit(Operation.ADD, all.subList(25_000, 50_000));
            list.commit(Operation.ADD, all.subList(0, 25_000));
            list.finish();
        }
        List<String> rows = rows("82");
        assertThat(rows).hasSize(2).allMatch(row -> row.matches("\\d+:0:\\d+"));
        assertThat(rows.stream().mapToInt(row -> Integer.parseInt(row.split(":")[2])).sum()).isEqualTo(50_000);
        try (StateStore.Session session = store.begin("k")) {
            List<String> model = new ArrayList<>(all.subList(1, 50_000));
            model.add("zz@example.com\tEMAIL");
            Plan plan = plan(session.open("82"), model.toArray(String[]::new));
            assertThat(RecordFile.lines(plan.adds())).containsExactly("zz@example.com\tEMAIL");
            assertThat(RecordFile.lines(plan.removes())).containsExactly(all.get(0));
            assertThat(plan.stateCount()).isEqualTo(50_000);
        }
    }

    @Test
    void aBatchRowLostOrChangedBeforeItIsFoldedIsDamageNamed() {
        // A run killed after two batches: their rows wait to be folded by the next open.
        try (StateStore.Session session = store.begin("k")) {
            StateStore.StoredList list = session.open("83");
            list.commit(Operation.ADD, values(0, 10));
            list.commit(Operation.ADD, values(10, 20));
        }
        PostgresTestDatabase.execute("update " + schema + ".list_block set content = set_byte(content, 10, 65)"
                + " where customer_list_id = 83 and block = 2");
        try (StateStore.Session session = store.begin("k")) {
            assertThatThrownBy(() -> session.open("83")).isInstanceOf(StateCorruptedException.class)
                    .hasMessageContaining("the PostgreSQL state of customer list 83 is damaged")
                    .hasMessageContaining("its row 2 holds 10 values where its row records 10, and other ones")
                    .hasMessageContaining("run --once --reset-state");
        }
        PostgresTestDatabase.execute("delete from " + schema + ".list_block where customer_list_id = 83 and block = 2");
        try (StateStore.Session session = store.begin("k")) {
            assertThatThrownBy(() -> session.open("83")).isInstanceOf(StateCorruptedException.class)
                    .hasMessageContaining("it holds 1 rows of batches where list_state records 2 not folded yet");
        }
        assertThat(rows("83")).as("nothing folded").containsExactly("1:1:10");
    }

    /** The desired state of the lists locked as "k", kept in the store's state_file from {@code lines}. */
    private DesiredState keep(List<String> lines) {
        Path state = dir.resolve("data/state");
        StateFormat.upgrade(state);
        DesiredState desired = DesiredState.of(store.files(dir.resolve("data")), state, "k");
        SnapshotCollector collector = new SnapshotCollector(dir.resolve("keep-" + System.nanoTime()), 1_000);
        lines.forEach(collector::add);
        desired.keep(collector.finish(), "model.csv", Instant.now());
        return desired;
    }

    /** The list's rows as block:operation:count:referred-to file (or "-"):bytes of content. */
    private List<String> rowsReferring(String listId) {
        return PostgresTestDatabase.query("select block || ':' || operation || ':' || value_count || ':' ||"
                + " coalesce(regexp_replace(desired, '.*-', ''), '-') || ':' || octet_length(content) from " + schema
                + ".list_block where customer_list_id = " + listId + " order by block");
    }

    private List<String> desiredFiles() {
        return PostgresTestDatabase.query("select distinct regexp_replace(name, '.*-', '') from " + schema
                + ".state_file where name like '%.bin' order by 1");
    }

    @Test
    void aFirstSyncsBatchesThatAreTheDesiredStatesValuesReferToThemAndTheNextFoldWritesThemOnce() {
        DesiredState desired = keep(values(0, 3_000));
        try (StateStore.Session session = store.begin("k")) {
            StateStore.StoredList list = session.open("91");
            list.sending(desired);
            list.commit(Operation.ADD, values(0, 1_000));
            Batch prepared = new Batch(Operation.ADD, 0, values(1_000, 2_000));
            list.prepare(prepared);
            list.commit(prepared);
            list.commit(Operation.ADD, values(2_000, 3_000));
            list.finish();
        }
        assertThat(rowsReferring("91")).as("no value written a second time: each row refers to the desired state")
                .containsExactly("1:0:1000:1.bin:0", "2:0:1000:1.bin:0", "3:0:1000:1.bin:0");
        assertThat(state("91")).containsExactly("3000 values, 3 batches, 0 to fold");

        // The next run keeps a new snapshot first: the generation the rows refer to stays while they do.
        List<String> model = values(500, 3_200);
        DesiredState next = keep(model);
        assertThat(desiredFiles()).containsExactly("1.bin", "2.bin");
        try (StateStore.Session session = store.begin("k")) {
            StateStore.StoredList list = session.open("91");
            list.sending(next);
            Plan plan = plan(list, model.toArray(String[]::new));
            assertThat(plan.stateCount()).as("the members read through the desired state").isEqualTo(3_000);
            assertThat(RecordFile.lines(plan.removes())).isEqualTo(values(0, 500));
            assertThat(RecordFile.lines(plan.adds())).isEqualTo(values(3_000, 3_200));
            list.commit(Operation.REMOVE, values(0, 500));
            list.commit(Operation.ADD, values(3_000, 3_200));
            list.finish();
        }
        assertThat(rowsReferring("91")).as("folded into a row of its own, no longer referring").hasSize(1)
                .allMatch(row -> row.matches("\\d+:0:2700:-:\\d+"));
        assertThat(desiredFiles()).as("the generation no row refers to any more goes after the fold").containsExactly("2.bin");
        try (StateStore.Session session = store.begin("k")) {
            Plan plan = plan(session.open("91"), model.toArray(String[]::new));
            assertThat(plan.addCount()).isZero();
            assertThat(plan.removeCandidates()).isZero();
            assertThat(plan.stateCount()).isEqualTo(2_700);
        }
    }

    @Test
    void membersReferredToInMoreThanOnePartOfTheDesiredStateAreReadBackInOrder() {
        // 100,000 values of 26 bytes: the desired state's file is three parts of state_file, read through a buffer of
        // 1 MB that is filled again as it goes.
        List<String> all = values(0, 100_000);
        DesiredState desired = keep(all);
        try (StateStore.Session session = store.begin("k")) {
            StateStore.StoredList list = session.open("96");
            list.sending(desired);
            for (int from = 0; from < 100_000; from += 10_000) {
                list.commit(Operation.ADD, all.subList(from, from + 10_000));
            }
            list.finish();
        }
        assertThat(rowsReferring("96")).hasSize(10).allMatch(row -> row.endsWith(":1.bin:0"));
        try (StateStore.Session session = store.begin("k")) {
            List<String> model = new ArrayList<>(all.subList(1, 100_000));
            model.add("zz@example.com\tEMAIL");
            Plan plan = plan(session.open("96"), model.toArray(String[]::new));
            assertThat(RecordFile.lines(plan.adds())).containsExactly("zz@example.com\tEMAIL");
            assertThat(RecordFile.lines(plan.removes())).containsExactly(all.get(0));
            assertThat(plan.stateCount()).isEqualTo(100_000);
        }
    }

    @Test
    void aBatchNotRecordedEndsTheReferringAndLaterBatchesHoldTheirValues() {
        DesiredState desired = keep(values(0, 4_000));
        try (StateStore.Session session = store.begin("k")) {
            StateStore.StoredList list = session.open("92");
            list.sending(desired);
            list.commit(Operation.ADD, values(0, 1_000));
            // Sent and not acknowledged (it went to the dead letter): its values are not in the list.
            list.prepare(new Batch(Operation.ADD, 0, values(1_000, 2_000)));
            Batch next = new Batch(Operation.ADD, 0, values(2_000, 3_000));
            list.prepare(next);
            list.commit(next);
            list.commit(Operation.ADD, values(3_000, 4_000));
            list.finish();
        }
        assertThat(rowsReferring("92")).as("a gap in the desired state's values: the rows after it hold theirs")
                .containsExactly("1:0:1000:1.bin:0", "3:0:1000:-:26000", "4:0:1000:-:26000");
        try (StateStore.Session session = store.begin("k")) {
            List<String> model = values(0, 4_000);
            Plan plan = plan(session.open("92"), model.toArray(String[]::new));
            assertThat(plan.stateCount()).isEqualTo(3_000);
            assertThat(RecordFile.lines(plan.adds())).isEqualTo(values(1_000, 2_000));
            assertThat(plan.removeCandidates()).isZero();
        }
    }

    @Test
    void aFirstSyncKilledMidwayIsFoldedFromTheDesiredStateOnAnotherReplicaWithNoCopyOfIt() throws Exception {
        DesiredState desired = keep(values(0, 3_000));
        try (StateStore.Session session = store.begin("k")) {
            StateStore.StoredList list = session.open("93");
            list.sending(desired);
            list.commit(Operation.ADD, values(0, 1_000));
            list.commit(Operation.ADD, values(1_000, 2_000));
            // killed: no finish
        }
        assertThat(rowsReferring("93")).containsExactly("1:1:1000:1.bin:0", "2:1:1000:1.bin:0");
        // Another replica: its own (empty) data directory, the same schema.
        Path other = dir.resolve("other");
        try (PostgresStateStore replica = new PostgresStateStore(PostgresTestDatabase.URL, PostgresTestDatabase.USER,
                PostgresTestDatabase.PASSWORD, schema, other.resolve("work"), 1_000);
             StateStore.Session session = replica.begin("k")) {
            StateStore.StoredList list = session.open("93");
            assertThat(rowsReferring("93")).as("the batches folded on open, read from the desired state in PostgreSQL")
                    .singleElement().asString().matches("\\d+:0:2000:-:52000");
            Path work = other.resolve("plan");
            SnapshotCollector collector = new SnapshotCollector(work, 1_000);
            values(0, 3_000).forEach(collector::add);
            Plan plan = list.plan(collector.finish(), work);
            assertThat(RecordFile.lines(plan.adds())).isEqualTo(values(2_000, 3_000));
        }
        assertThat(other.resolve("state")).doesNotExist();
    }

    @Test
    void rowsReferringToADesiredStateThatIsGoneOrChangedAreDamageNamedBeforeAnythingIsPlanned() {
        DesiredState desired = keep(values(0, 2_000));
        try (StateStore.Session session = store.begin("k")) {
            StateStore.StoredList list = session.open("94");
            list.sending(desired);
            list.commit(Operation.ADD, values(0, 1_000));
            list.commit(Operation.ADD, values(1_000, 2_000));
            list.finish();
        }
        String parts = schema + ".state_file where name like '%-1.bin'";
        // A byte of a value changed: its checksum is not read (the values end before the seal), their digest is.
        PostgresTestDatabase.execute("update " + parts.replaceFirst("where", "set content = set_byte(content, 40,"
                + " get_byte(content, 40) # 1) where") + " and part = 0");
        try (StateStore.Session session = store.begin("k")) {
            StateStore.StoredList list = session.open("94");
            assertThatThrownBy(() -> plan(list, "a@example.com\tEMAIL")).isInstanceOf(StateCorruptedException.class)
                    .hasMessageContaining("the PostgreSQL state of customer list 94 is damaged")
                    .hasMessageContaining("and other ones")
                    .hasMessageContaining("run --once --reset-state");
        }
        // The first value's kind byte changed: no record of this tool's.
        PostgresTestDatabase.execute("update " + parts.replaceFirst("where", "set content = set_byte(content, 0, 9) where")
                + " and part = 0");
        try (StateStore.Session session = store.begin("k")) {
            StateStore.StoredList list = session.open("94");
            assertThatThrownBy(() -> plan(list, "a@example.com\tEMAIL")).isInstanceOf(StateCorruptedException.class)
                    .hasMessageContaining("whose values are damaged: a record of unknown kind 9");
        }
        PostgresTestDatabase.execute("delete from " + parts);
        try (StateStore.Session session = store.begin("k")) {
            StateStore.StoredList list = session.open("94");
            assertThatThrownBy(() -> plan(list, "a@example.com\tEMAIL")).isInstanceOf(StateCorruptedException.class)
                    .hasMessageContaining("the PostgreSQL state of customer list 94 is damaged")
                    .hasMessageContaining("rows that refer to the desired state 'state/desired/")
                    .hasMessageContaining("which " + schema + ".state_file does not hold")
                    .hasMessageContaining("run --once --reset-state");
        }
    }

    @Test
    void settingAListAsideKeepsWhichDesiredStateItsRowsReferTo() {
        DesiredState desired = keep(values(0, 1_000));
        try (StateStore.Session session = store.begin("k")) {
            StateStore.StoredList list = session.open("95");
            list.sending(desired);
            list.commit(Operation.ADD, values(0, 1_000));
            list.finish();
            session.setAside("95", dir.resolve("aside"));
        }
        assertThat(PostgresTestDatabase.query("select operation || ':' || regexp_replace(desired, '.*-', '') from "
                + schema + ".list_block_set_aside where customer_list_id = 95")).containsExactly("0:1.bin");
        assertThat(rowsReferring("95")).isEmpty();
    }
}
