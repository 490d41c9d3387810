package io.audiencesync.cli;

import io.audiencesync.PostgresTestDatabase;
import io.audiencesync.sync.ChildSync;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The bench command runs and prints a well-formed table on a small model. It asserts no speed: a test is no benchmark. */
class BenchCommandTest {

    @TempDir
    Path dir;

    @Test
    void printsEveryStageWithRatesRatiosAndHeap() {
        CliHarness.Result result = CliHarness.execute("bench", "--rows", "3000", "--churn", "5", "--batch-size", "500",
                "--no-postgres", "--dir", dir.toString());
        assertThat(result.code()).as(result.out() + result.err()).isZero();
        List<String> rows = tableRows(result.out());
        assertThat(rows).extracting(r -> r.split("\\|")[1].strip()).anySatisfy(s -> assertThat(s).startsWith("(a) floor"))
                .anySatisfy(s -> assertThat(s).startsWith("(b2)"))
                .anySatisfy(s -> assertThat(s).contains("first sync, file store"))
                .anySatisfy(s -> assertThat(s).contains("re-sync plan"))
                .anySatisfy(s -> assertThat(s).startsWith("(ref)"))
                .anySatisfy(s -> assertThat(s).contains("re-sync 5% churn, file store"));
        for (String row : rows) {
            String[] cells = row.split("\\|");
            assertThat(cells).as(row).hasSize(8);
            for (int i = 2; i < 8; i++) {
                assertThat(cells[i].strip()).as(row).matches("[0-9][0-9,]*(\\.[0-9]+)?");
            }
        }
        assertThat(result.out()).contains("| stage | rows | values | seconds | rows/s | × floor | peak heap MB |")
                .contains("re-sync plan vs the in-memory reference: file store")
                .contains("the emulator's list holds")
                .doesNotContain("CHECK FAILED");
    }

    @Test
    void aDirectoryUsedBeforeIsMeasuredAfreshAndAFailedCheckFailsTheBench() throws Exception {
        String[] bench = {"bench", "--rows", "2000", "--batch-size", "500", "--no-postgres", "--dir", dir.toString()};
        assertThat(CliHarness.execute(bench).code()).isZero();
        // The earlier bench's state is bound to lists of an emulator that is gone: it is removed, not synced on.
        CliHarness.Result again = CliHarness.execute(bench);
        assertThat(again.code()).as(again.out() + again.err()).isZero();
        assertThat(again.out()).contains("removed " + dir.resolve("file") + ", an earlier bench's")
                .doesNotContain("CHECK FAILED");
    }

    @Test
    void measuresTheTakeoverOfAKilledLeader() {
        String classPath = System.getProperty("java.class.path");
        CliHarness.Result result;
        try {
            System.setProperty("java.class.path", ChildSync.classPath());
            result = CliHarness.execute("bench", "--takeover", "1", "--rows", "20000", "--dir", dir.toString());
        } finally {
            System.setProperty("java.class.path", classPath);
        }
        assertThat(result.code()).as(result.out() + result.err()).isZero();
        assertThat(result.out()).containsPattern("takeover 1: [0-9.]+ s")
                .containsPattern("takeover time, kill -9 of the leader to the other replica's first batch: median [0-9.]+ s")
                .doesNotContain("CHECK FAILED");
    }

    @Test
    void reportsThePostgresStoreToo() {
        PostgresTestDatabase.assumeAvailable();
        CliHarness.Result result = CliHarness.execute("bench", "--rows", "2000", "--batch-size", "500", "--dir", dir.toString(),
                "--pairs", "2", "--jdbc-url", PostgresTestDatabase.URL, "--jdbc-user", PostgresTestDatabase.USER,
                "--jdbc-password", PostgresTestDatabase.PASSWORD);
        assertThat(result.code()).as(result.out() + result.err()).isZero();
        assertThat(result.out()).contains("(postgres)").doesNotContain("CHECK FAILED");
        // Two pairs of first syncs, each store's median in the table, the share the median of the pairs'.
        List<String> stages = tableRows(result.out()).stream().map(r -> r.split("\\|")[1].strip()).toList();
        assertThat(stages).contains("(c) end to end, first sync, file store (median of 2, in turn with the other store)",
                "(c) end to end, first sync, postgres store (median of 2, in turn with the other store)");
        assertThat(result.out()).containsPattern("postgres store [0-9.]+ \\([0-9.]+ of the file store's, the median of 2"
                + " pairs run in turn: [0-9.]+, [0-9.]+; the two medians' ratio [0-9.]+\\)")
                .containsPattern("first syncs, file store / postgres store, pair by pair: [0-9.]+ s / [0-9.]+ s; [0-9.]+ s / [0-9.]+ s");
        // Only the first pair's lists are synced again; the second pair's state is gone with its directories.
        assertThat(dir.resolve("file")).isDirectory();
        assertThat(dir.resolve("pg")).isDirectory();
        assertThat(dir.resolve("file-2")).doesNotExist();
        assertThat(dir.resolve("pg-2")).doesNotExist();
        assertThat(result.out()).contains("the emulator's list holds");
    }

    @Test
    void refusesPairsBelowOne() {
        CliHarness.Result result = CliHarness.execute("bench", "--pairs", "0", "--dir", dir.toString());
        assertThat(result.code()).isEqualTo(2);
        assertThat(result.err()).contains("--pairs must be 1 or more").contains("got 0");
        assertThat(dir).isEmptyDirectory();
    }

    @Test
    void comparesOneWorkspaceProcessWithOneProcessPerSync() {
        // The bench starts its processes on this JVM's class path: under surefire, the one it gives the tests.
        String classPath = System.getProperty("java.class.path");
        CliHarness.Result result;
        try {
            System.setProperty("java.class.path", ChildSync.classPath());
            result = CliHarness.execute("bench", "--syncs", "3", "--rows", "2000", "--dir", dir.toString());
        } finally {
            System.setProperty("java.class.path", classPath);
        }
        assertThat(result.code()).as(result.out() + result.err()).isZero();
        assertThat(result.out()).contains("| one workspace of 3 syncs | 1 | ")
                .contains("| 3 single-sync processes, one after another | 3 | ")
                .containsPattern("workspace time ÷ sum of the single processes: [0-9.]+; workspace peak RSS ÷ one single "
                        + "process's: [0-9.]+")
                .doesNotContain("CHECK FAILED");
    }

    private static List<String> tableRows(String out) {
        return out.lines().filter(l -> l.startsWith("| (")).toList();
    }
}
