package io.audiencesync.sync;

import io.audiencesync.PostgresTestDatabase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** Every damage scenario of {@link StateDamageTest} with the lists' state in PostgreSQL, and a table dropped or truncated. */
class PostgresStateDamageTest extends StateDamageTest {

    private String schema;

    @Override
    void configureStore(SyncHarness sync) {
        PostgresTestDatabase.assumeAvailable();
        schema = PostgresTestDatabase.newSchema();
        PostgresTestDatabase.settings(schema).forEach(sync::set);
    }

    @AfterEach
    void dropSchema() {
        if (schema != null) {
            PostgresTestDatabase.dropSchema(schema);
        }
    }

    @Override
    void damageListState(String listId) {
        // The list's last row of members deleted: after a first sync, a row that refers to the desired state's values.
        String members = schema + ".list_block where customer_list_id = " + listId + " and operation = 0";
        assertThat(PostgresTestDatabase.query("select desired from " + members + " and desired is not null"))
                .as("a first sync's rows refer to the desired state").isNotEmpty();
        PostgresTestDatabase.execute("delete from " + members + " and block = (select max(block) from " + members + ")");
    }

    @Override
    void loseListState(String listId) {
        PostgresTestDatabase.execute("delete from " + schema + ".list_block where customer_list_id = " + listId);
        PostgresTestDatabase.execute("delete from " + schema + ".list_state where customer_list_id = " + listId);
    }

    @Override
    boolean stateSetAside() {
        return !PostgresTestDatabase.query("select name from "
                + schema + ".state_file where name like 'state/set-aside/%'").isEmpty();
    }

    /** A new machine on the same database, the sync's records in it lost with the list's state. */
    @Override
    void newMachine(String listId) throws Exception {
        super.newMachine(listId);
        PostgresTestDatabase.execute("delete from " + schema + ".state_file");
    }

    /**
     * The earlier release kept the bindings and desired states under the data directory, unsealed, with the
     * PostgreSQL store too: they are taken into the table the first time they are looked for.
     */
    @Override
    void asEarlierRelease() throws IOException {
        // The earlier release held every value in the list's rows: the rows that refer to the desired state get its
        // values (SHA-256 emails, 34 bytes each), as that release would have written them.
        PostgresTestDatabase.execute("update " + schema + ".list_block b set content = substring(f.content from (r.before * 34 + 1)::int"
                + " for b.value_count * 34), desired = null from (select block, coalesce(sum(value_count) over (order by block"
                + " rows between unbounded preceding and 1 preceding), 0) as before from " + schema + ".list_block where"
                + " desired is not null) r, (select name, string_agg(content, ''::bytea order by part) as content from "
                + schema + ".state_file group by name) f where b.block = r.block and f.name = b.desired");
        for (String name : PostgresTestDatabase.query("select distinct name from " + schema + ".state_file where name like 'state/%'")) {
            Path file = sync.data.resolve(name);
            Files.createDirectories(file.getParent());
            Files.write(file, sync.files().read(file).orElseThrow());
        }
        PostgresTestDatabase.execute("delete from " + schema + ".state_file where name like 'state/%'");
        super.asEarlierRelease();
    }

    @Override
    String listStateName(String listId) {
        return "the table " + schema + ".list_block does not match " + schema + ".list_state";
    }

    @Test
    void aTruncatedTableIsRefusedAndADroppedOneStopsTheStartNamingIt() throws Exception {
        assertThat(sync.sync("day1.csv", model(0, 300))).isZero();
        String list = sync.onlyListId();
        long calls = emulator.writeCalls();
        PostgresTestDatabase.execute("truncate " + schema + ".list_block");
        assertThat(sync.sync("day2.csv", model(0, 290))).isEqualTo(2);
        assertThat(sync.lastReport().error()).contains(listStateName(list)).contains("it holds 0 values");

        PostgresTestDatabase.execute("drop table " + schema + ".list_block");
        assertThat(sync.sync("day3.csv", model(0, 290))).isEqualTo(2);
        assertThat(emulator.writeCalls()).as("nothing sent").isEqualTo(calls);
        assertThat(emulator.members(list)).isEqualTo(emails(0, 300));
    }
}
