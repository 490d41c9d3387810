package io.audiencesync.cli;

import io.audiencesync.PostgresTestDatabase;
import io.audiencesync.emulator.PinterestEmulator;
import io.audiencesync.emulator.RecordedCall;
import io.audiencesync.state.LocalStateFiles;
import io.audiencesync.sync.Workspaces;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The commands over a workspace of several syncs: {@code check} finds each sync's problems (a query's missing table
 * and unmapped column included) without a run, {@code status} is one table, {@code plan} covers each sync, and a
 * token Pinterest refuses stops every sync of {@code run --once} with one message.
 */
class WorkspaceCommandsTest {

    @TempDir
    Path dir;
    private PinterestEmulator emulator;
    private Path data;
    private Path syncs;
    private final Map<String, String> settings = new HashMap<>();

    @BeforeEach
    void start() throws IOException {
        emulator = PinterestEmulator.builder().port(0).start();
        data = dir.resolve("data");
        syncs = Files.createDirectories(dir.resolve("syncs"));
        settings.putAll(Workspaces.settings(emulator, data, syncs));
    }

    @AfterEach
    void stop() {
        emulator.close();
    }

    private void syncFile(String id, String... lines) throws IOException {
        Workspaces.syncFile(syncs, id, lines);
    }

    private void drop(String id, String name, int rows) throws IOException {
        Path inbox = Files.createDirectories(Workspaces.inbox(data, id));
        Files.writeString(inbox.resolve(name), Workspaces.model(id, 0, rows));
    }

    private List<RecordedCall> writes() {
        return emulator.calls().stream().filter(c -> !c.method().equals("GET")).toList();
    }

    private static String line(String out, String start) {
        return Arrays.stream(out.split("\n")).filter(l -> l.startsWith(start)).findFirst()
                .orElseThrow(() -> new AssertionError("no line starting '" + start + "' in:\n" + out));
    }

    @Test
    void checkFindsAQuerysMissingTableAndUnmappedColumnInItsSyncWithoutARun() throws Exception {
        PostgresTestDatabase.assumeAvailable();
        String table = PostgresTestDatabase.newSchema(); // a fresh name, used for a table
        PostgresTestDatabase.execute("create table " + table + " (mail text, maid text)");
        try {
            String database = "source.jdbc.url=" + PostgresTestDatabase.URL;
            syncFile("buyers", "sync.identifiers=email=EMAIL");
            syncFile("missing", "sync.identifiers=email=EMAIL", database, "source.jdbc.user=" + PostgresTestDatabase.USER,
                    "source.jdbc.query=SELECT email FROM " + table + "_gone");
            syncFile("misnamed", "sync.identifiers=email=EMAIL", database, "source.jdbc.user=" + PostgresTestDatabase.USER,
                    "source.jdbc.query=SELECT mail, maid FROM " + table);
            syncFile("mapped", "sync.identifiers=mail=EMAIL,maid=MAID", database,
                    "source.jdbc.user=" + PostgresTestDatabase.USER, "source.jdbc.query=SELECT mail, maid FROM " + table);

            CliHarness.Result check = CliHarness.execute(dir, settings, "check");

            assertThat(check.code()).as(check.out()).isEqualTo(2);
            String out = check.out();
            assertThat(out).contains("4 syncs [buyers, mapped, misnamed, missing]");
            String missing = out.substring(out.indexOf("== Sync 'missing'"));
            assertThat(missing).as("the missing table, in its sync's part")
                    .contains("PROBLEM: source.jdbc.query cannot run: ").contains("_gone\" does not exist");
            String misnamed = out.substring(out.indexOf("== Sync 'misnamed'"), out.indexOf("== Sync 'missing'"));
            assertThat(misnamed).contains("PROBLEM: ").contains("email");
            String mapped = out.substring(out.indexOf("== Sync 'mapped'"), out.indexOf("== Sync 'misnamed'"));
            assertThat(mapped).doesNotContain("PROBLEM").contains("returns the mapped columns [mail, maid]");
            assertThat(out).contains("check: 2 problems (exit code 2)");
            assertThat(writes()).as("check sends and changes nothing").isEmpty();
        } finally {
            PostgresTestDatabase.execute("drop table if exists " + table);
        }
    }

    @Test
    void statusIsOneTableOfEverySyncAndPlanCoversEach() throws Exception {
        syncFile("buyers", "sync.name=Buyers", "sync.identifiers=email=EMAIL");
        syncFile("leads", "sync.name=Leads", "sync.identifiers=email=EMAIL");
        syncFile("later", "sync.name=Later", "sync.identifiers=email=EMAIL");
        drop("buyers", "day1.csv", 120);
        drop("leads", "day1.csv", 40);
        CliHarness.Result run = CliHarness.execute(dir, settings, "run", "--once", "--sync", "buyers,leads");
        assertThat(run.code()).as(run.out() + run.err()).isZero();

        CliHarness.Result status = CliHarness.execute(dir, settings, "status");

        assertThat(status.code()).as(status.err()).isZero();
        assertThat(status.out()).startsWith("sync ").contains("source").contains("list").contains("last run (UTC)")
                .contains("outcome").contains("values").contains("owed").contains("next run");
        assertThat(line(status.out(), "buyers ")).contains("'Customer List-Buyers'").contains("SUCCEEDED")
                .containsPattern("\\s120\\s+0\\s").contains("on the next file");
        assertThat(line(status.out(), "leads ")).contains("SUCCEEDED").containsPattern("\\s40\\s+0\\s");
        assertThat(line(status.out(), "later ")).as("a sync that never ran").contains("'Customer List-Later' (none yet)")
                .doesNotContain("SUCCEEDED");
        long callsBefore = emulator.calls().size();

        drop("buyers", "day2.csv", 100);
        drop("later", "day1.csv", 10);
        CliHarness.Result plan = CliHarness.execute(dir, settings, "plan");

        assertThat(plan.code()).as(plan.out() + plan.err()).isZero();
        assertThat(plan.out()).contains("(sync 'Later')").contains("leads: Nothing to sync: no file in the inbox ");
        String buyers = plan.out().substring(plan.out().indexOf("(sync 'Buyers')"));
        assertThat(buyers.substring(0, buyers.indexOf("written to"))).contains("REMOVE 20 ");
        assertThat(emulator.calls().subList((int) callsBefore, emulator.calls().size()))
                .as("plan changes nothing").allMatch(c -> c.method().equals("GET"));
    }

    @Test
    void statusNamesTheReplicaThatLedEachSyncWhereReplicasRanIt() throws Exception {
        syncFile("buyers", "sync.name=Buyers", "sync.identifiers=email=EMAIL");
        syncFile("leads", "sync.name=Leads", "sync.identifiers=email=EMAIL");
        CliHarness.Result alone = CliHarness.execute(dir, settings, "status");
        assertThat(alone.code()).as(alone.err()).isZero();
        assertThat(alone.out()).as("no replicas, no leader column").doesNotContain("leader");

        // What a replica writes as it takes the lead of a sync (cluster.service).
        io.audiencesync.sync.LeaderRecord.write(LocalStateFiles.INSTANCE, data.resolve("state"), "buyers", "pod-a");
        CliHarness.Result replicas = CliHarness.execute(dir, settings, "status");
        assertThat(replicas.code()).as(replicas.err()).isZero();
        assertThat(replicas.out().lines().findFirst().orElseThrow()).endsWith("leader (since, UTC)");
        assertThat(line(replicas.out(), "buyers ")).containsPattern("pod-a \\(\\d{4}-\\d{2}-\\d{2}[ T]\\d{2}:\\d{2}");
        assertThat(line(replicas.out(), "leads ").strip()).as("a sync no replica led yet").endsWith(" -");
    }

    @Test
    void aTokenPinterestRefusesStopsEverySyncOfARunWithOneMessage() throws Exception {
        for (String id : List.of("a", "b", "c", "d")) {
            syncFile(id, "sync.identifiers=email=EMAIL");
            drop(id, "day1.csv", 30);
        }
        emulator.faults().unauthorized(1_000);

        CliHarness.Result run = CliHarness.execute(dir, settings, "run", "--once");

        assertThat(run.code()).as(run.out() + run.err()).isEqualTo(2);
        String all = run.out() + run.err();
        assertThat(all.split("did not accept", -1).length - 1).as("one message names the fix:\n" + all)
                .isEqualTo(1);
        assertThat(writes()).isEmpty();
    }
}
