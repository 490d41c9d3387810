package io.audiencesync.sync;

import io.audiencesync.PostgresTestDatabase;
import io.audiencesync.emulator.PinterestEmulator;
import io.audiencesync.report.Outcome;
import io.audiencesync.report.RunReport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static io.audiencesync.sync.SyncHarness.email;
import static org.assertj.core.api.Assertions.assertThat;

/** The real routes with {@code state.store=postgres}: the state lives in PostgreSQL, not under the data directory. */
class PostgresSyncEndToEndTest {

    private static final String HEADER = "id,email,maid,idfa\n";

    @TempDir
    Path dir;
    private PinterestEmulator emulator;
    private SyncHarness sync;
    private String schema;

    @BeforeEach
    void start() {
        PostgresTestDatabase.assumeAvailable();
        schema = PostgresTestDatabase.newSchema();
        emulator = PinterestEmulator.builder().port(0).start();
        sync = new SyncHarness(emulator, dir);
        sync.settings.putAll(PostgresTestDatabase.settings(schema));
    }

    @AfterEach
    void stop() {
        if (emulator != null) {
            emulator.close();
            PostgresTestDatabase.dropSchema(schema);
        }
    }

    @Test
    void aChangedSnapshotSendsExactlyTheDifferenceAndAnUnchangedOneNothing() {
        assertThat(sync.sync("day1.csv", HEADER + "1,a@example.com,,\n2,b@example.com,,\n3,c@example.com,,\n4,x@example.com,,\n"))
                .isZero();
        long writes = emulator.writeCalls();
        // b left, c changed email to c2, d joined
        String day2 = HEADER + "1,a@example.com,,\n3,c2@example.com,,\n4,x@example.com,,\n5,d@example.com,,\n";
        assertThat(sync.sync("day2.csv", day2)).isZero();
        assertThat(emulator.members(sync.onlyListId())).containsExactlyInAnyOrder(email("a@example.com"),
                email("c2@example.com"), email("x@example.com"), email("d@example.com"));
        RunReport report = sync.lastReport();
        assertThat(report.adds()).isEqualTo(new RunReport.Counts(2, 2, 0));
        assertThat(report.removes()).isEqualTo(new RunReport.Counts(2, 2, 0));
        assertThat(emulator.writeCalls() - writes).as("one ADD and one REMOVE call").isEqualTo(2);
        assertThat(Files.exists(sync.data.resolve("state/lists"))).as("no state files with the postgres store").isFalse();

        long before = emulator.writeCalls();
        assertThat(sync.sync("day3.csv", day2)).isZero();
        assertThat(emulator.writeCalls()).isEqualTo(before);
        assertThat(sync.lastReport().outcome()).isEqualTo(Outcome.SUCCEEDED);
    }

    /** What a run records of itself is in PostgreSQL too, and the commands that show it say where. */
    @Test
    void theRunHistoryAndThePlansAreInPostgresAndTheCommandsSayWhere() {
        assertThat(sync.sync("day1.csv", HEADER + "1,a@example.com,,\n2,b@example.com,,\n")).isZero();
        assertThat(sync.data.resolve("runs")).as("the report is not on the disk").doesNotExist();
        assertThat(PostgresTestDatabase.query("select name from " + schema + ".state_file where name like 'runs/%'"))
                .singleElement().asString().endsWith(".json");

        sync.drop("day2.csv", HEADER + "1,a@example.com,,\n3,c@example.com,,\n");
        sync.settings.remove("sync.once");
        io.audiencesync.cli.CliHarness.Result plan = io.audiencesync.cli.CliHarness.execute(dir, sync.settings, "plan");
        assertThat(plan.code()).as(plan.out() + plan.err()).isZero();
        assertThat(plan.out()).containsPattern("written to 'plans/[^']+\\.json' of the PostgreSQL table " + schema
                + "\\.state_file");
        io.audiencesync.cli.CliHarness.Result runs = io.audiencesync.cli.CliHarness.execute(dir, sync.settings, "runs");
        assertThat(runs.out()).contains("day1.csv").contains("SUCCEEDED");
    }

    @Test
    void plainEmailsWithHashingOffAreKeptAsTheyAreSent() {
        sync.set("sync.hash-emails", "false").set("sync.identifiers", "email=EMAIL");
        String others = "c@example.org\nd@example.org\ne@example.org\n";
        assertThat(sync.sync("day1.csv", "email\nJane.Doe@Example.com\nbob@example.org\n" + others)).isZero();
        assertThat(emulator.members(sync.onlyListId())).contains("jane.doe@example.com", "bob@example.org").hasSize(5);
        assertThat(sync.sync("day2.csv", "email\nbob@example.org\n" + others)).isZero();
        assertThat(emulator.members(sync.onlyListId())).containsExactlyInAnyOrder("bob@example.org", "c@example.org",
                "d@example.org", "e@example.org");
        assertThat(emulator.removedValues(sync.onlyListId())).containsExactly("jane.doe@example.com");
    }

    /**
     * A first sync's batches are the desired state's values, which state_file holds: their rows refer to it, with no
     * copy. The next run with changes gives the list rows of its own, and the generation referred to goes.
     */
    @Test
    void aFirstSyncWritesEachValueOnceAndTheNextChangeGivesTheListRowsOfItsOwn() {
        sync.set("sync.batch-size", "10");
        assertThat(sync.sync("day1.csv", HEADER + rows(0, 30))).isZero();
        assertThat(listRows()).as("three batches, each a row that refers to the desired state's values").hasSize(3)
                .allMatch(row -> row.equals("0:1.bin:0"));
        assertThat(desiredFiles()).containsExactly("1.bin");

        assertThat(sync.sync("day2.csv", HEADER + rows(5, 35))).isZero();
        assertThat(emulator.members(sync.onlyListId())).isEqualTo(IntStream.range(5, 35)
                .mapToObj(i -> email("user" + i + "@example.com")).collect(Collectors.toSet()));
        assertThat(listRows()).as("the members folded into a row of their own: 30 SHA-256 emails of 34 bytes")
                .containsExactly("0:-:1020");
        assertThat(desiredFiles()).as("the generation no row refers to any more is gone").containsExactly("2.bin");

        long writes = emulator.writeCalls();
        assertThat(sync.sync("day3.csv", HEADER + rows(5, 35))).isZero();
        assertThat(emulator.writeCalls()).as("an unchanged model sends nothing").isEqualTo(writes);
        assertThat(desiredFiles()).containsExactly("3.bin");
    }

    private static String rows(int from, int to) {
        return IntStream.range(from, to).mapToObj(i -> i + ",user" + i + "@example.com,,\n").collect(Collectors.joining());
    }

    /** The list's rows as operation:referred-to file (or "-"):bytes of content, in order. */
    private List<String> listRows() {
        return PostgresTestDatabase.query("select operation || ':' || coalesce(regexp_replace(desired, '.*-', ''), '-')"
                + " || ':' || octet_length(content) from " + schema + ".list_block order by block");
    }

    /** The desired state's records files in state_file, by generation. */
    private List<String> desiredFiles() {
        return PostgresTestDatabase.query("select distinct regexp_replace(name, '.*-', '') from " + schema
                + ".state_file where name like 'state/desired/%.bin' order by 1");
    }
}
