package io.audiencesync.sync;

import io.audiencesync.PostgresTestDatabase;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

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
        PostgresTestDatabase.execute("delete from " + schema + ".list_member where customer_list_id = " + listId
                + " and key in (select key from " + schema + ".list_member where customer_list_id = " + listId
                + " order by key desc limit 10)");
    }

    @Override
    void loseListState(String listId) {
        PostgresTestDatabase.execute("delete from " + schema + ".list_member where customer_list_id = " + listId);
        PostgresTestDatabase.execute("delete from " + schema + ".list_state where customer_list_id = " + listId);
    }

    @Override
    String listStateName(String listId) {
        return "the table " + schema + ".list_member does not match " + schema + ".list_state";
    }

    @Test
    void aTruncatedTableIsRefusedAndADroppedOneStopsTheStartNamingIt() throws Exception {
        assertThat(sync.sync("day1.csv", model(0, 300))).isZero();
        String list = sync.onlyListId();
        long calls = emulator.writeCalls();
        PostgresTestDatabase.execute("truncate " + schema + ".list_member");
        assertThat(sync.sync("day2.csv", model(0, 290))).isEqualTo(2);
        assertThat(sync.lastReport().error()).contains(listStateName(list)).contains("it holds 0 values");

        PostgresTestDatabase.execute("drop table " + schema + ".list_member");
        assertThat(sync.sync("day3.csv", model(0, 290))).isEqualTo(2);
        assertThat(emulator.writeCalls()).as("nothing sent").isEqualTo(calls);
        assertThat(emulator.members(list)).isEqualTo(emails(0, 300));
    }
}
