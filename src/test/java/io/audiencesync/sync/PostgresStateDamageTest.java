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
        // The last ten values of the list's last row of members cut off (each 34 bytes: a SHA-256 email).
        String members = schema + ".list_block where customer_list_id = " + listId + " and operation = 0";
        PostgresTestDatabase.execute("update " + members.replaceFirst("where", "set content = substr(content, 1,"
                + " length(content) - 340) where") + " and block = (select max(block) from " + members + ")");
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
