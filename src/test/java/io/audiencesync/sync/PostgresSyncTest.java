package io.audiencesync.sync;

import ch.qos.logback.classic.Level;
import io.audiencesync.LogCapture;
import io.audiencesync.identity.Normalizer;
import io.audiencesync.emulator.PinterestEmulator;
import io.audiencesync.report.Outcome;
import io.audiencesync.report.RunReport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static io.audiencesync.sync.SyncHarness.email;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The SQL source against the real PostgreSQL (see {@link TestPostgres}), through the real routes and beans, to the
 * emulator over loopback HTTP, like {@code run --once} (or the daemon, for the schedule).
 */
class PostgresSyncTest {

    /** Trust authentication ignores it: it is here to prove it never reaches a log or a report. */
    private static final String PASSWORD = "pas-it-Secret-5c1f";
    private TestPostgres pg;

    @TempDir
    Path dir;
    private PinterestEmulator emulator;
    private SyncHarness sync;
    private String customers;

    @BeforeEach
    void start() {
        pg = TestPostgres.require();
        emulator = PinterestEmulator.builder().port(0).start();
        sync = new SyncHarness(emulator, dir).set("source.jdbc.user", TestPostgres.USER).set("source.jdbc.password", PASSWORD);
        customers = pg.name("customers");
        pg.execute("CREATE TABLE " + customers + " (id bigint PRIMARY KEY, email text, maid uuid, idfa text)");
    }

    @AfterEach
    void stop() {
        if (emulator != null) {
            emulator.close();
        }
        if (customers != null) {
            pg.dropAll();
        }
    }

    @Test
    void aTableOf100kRowsSyncsEndToEndWithExactlyItsMembers() throws SQLException {
        // every row an email, every tenth row also a MAID (md5 of the id as a UUID)
        pg.execute("INSERT INTO " + customers + " SELECT i, 'user' || i || '@example.com',"
                + " CASE WHEN i % 10 = 0 THEN md5(i::text)::uuid END, NULL FROM generate_series(1, 100000) i");

        long started = System.nanoTime();
        int exit = sync.syncQuery(TestPostgres.URL, "SELECT email, maid, idfa FROM " + customers);
        long millis = Duration.ofNanos(System.nanoTime() - started).toMillis();

        assertThat(exit).isZero();
        Set<String> expected = expectedMembers("SELECT email, maid FROM " + customers);
        assertThat(expected).hasSize(110_000);
        assertThat(new HashSet<>(emulator.members(sync.onlyListId()))).isEqualTo(expected);
        RunReport report = sync.lastReport();
        assertThat(report.outcome()).isEqualTo(Outcome.SUCCEEDED);
        assertThat(report.rowsRead()).isEqualTo(100_000);
        assertThat(report.valuesByType()).containsEntry("EMAIL", 100_000L).containsEntry("MAID", 10_000L);
        assertThat(report.source()).isEqualTo("query on " + TestPostgres.URL);
        System.out.printf("100k-row table synced in %d ms (%.0f rows/s, process start included)%n", millis, 100_000 * 1000.0 / millis);
    }

    @Test
    void aChangedTableSendsExactlyTheDifference() throws SQLException {
        pg.execute("INSERT INTO " + customers + " SELECT i, 'user' || i || '@example.com', NULL, NULL FROM generate_series(1, 1000) i");
        String query = "SELECT email, maid, idfa FROM " + customers;
        assertThat(sync.syncQuery(TestPostgres.URL, query)).isZero();
        long writes = emulator.writeCalls();

        // 10 left, 5 changed their email, 20 joined: 25 adds, 15 removes
        pg.execute("DELETE FROM " + customers + " WHERE id <= 10",
                "UPDATE " + customers + " SET email = 'changed' || id || '@example.com' WHERE id BETWEEN 11 AND 15",
                "INSERT INTO " + customers + " SELECT i, 'new' || i || '@example.com', NULL, NULL FROM generate_series(2001, 2020) i");
        int exit = sync.syncQuery(TestPostgres.URL, query);

        assertThat(exit).isZero();
        RunReport report = sync.lastReport();
        assertThat(report.adds()).isEqualTo(new RunReport.Counts(25, 25, 0));
        assertThat(report.removes()).isEqualTo(new RunReport.Counts(15, 15, 0));
        assertThat(emulator.writeCalls() - writes).as("one ADD and one REMOVE call").isEqualTo(2);
        assertThat(new HashSet<>(emulator.members(sync.onlyListId()))).isEqualTo(expectedMembers("SELECT email, maid FROM " + customers));
    }

    @Test
    void nullsAreEmptyCellsAndOtherTypesAreTurnedIntoText() {
        String mixed = pg.name("mixed");
        pg.execute("CREATE TABLE " + mixed + " (id int, contact varchar(80), device uuid, apple char(36), amount numeric(12, 2),"
                        + " seen timestamp)",
                "INSERT INTO " + mixed + " VALUES"
                        + " (1, 'Jane.Doe@Example.com', '6D1F3A2E-9B7C-4E8F-A1D2-3C4B5A6F7E80', NULL, 10.00, now()),"
                        + " (2, NULL, NULL, NULL, NULL, NULL),"
                        + " (3, NULL, NULL, 'AEBE52E7-03EE-455A-B3C4-E57283966239', 3.5, NULL)");

        // labels in another case than the mapping, a uuid column, a fixed-width char column, extra columns ignored
        int exit = sync.syncQuery(TestPostgres.URL,
                "SELECT id, amount, seen, contact AS \"EMAIL\", device AS \"Maid\", apple AS idfa FROM " + mixed + " ORDER BY id");

        assertThat(exit).isZero();
        assertThat(emulator.members(sync.onlyListId())).containsExactlyInAnyOrder(email("jane.doe@example.com"),
                Normalizer.sha256("6d1f3a2e-9b7c-4e8f-a1d2-3c4b5a6f7e80"), Normalizer.sha256("aebe52e7-03ee-455a-b3c4-e57283966239"));
        RunReport report = sync.lastReport();
        assertThat(report.rowsRead()).isEqualTo(3);
        assertThat(report.emptyCells()).isEqualTo(6);
        assertThat(report.rejected()).isZero();

        // numbers as partner ids: whole numbers without decimals, never in exponent notation
        sync.set("sync.name", "Numbers").set("sync.identifiers", "lr=LR_ID,big=LR_ID,float=LR_ID,real=LR_ID");
        assertThat(sync.syncQuery(TestPostgres.URL, "SELECT amount AS lr, 9007199254740993::bigint AS big, 1e6::float8 AS float,"
                + " 0.25::real AS real FROM " + mixed)).isZero();
        assertThat(emulator.members(sync.listId("Customer List-Numbers"))).containsExactlyInAnyOrder("10", "3.5", "9007199254740993",
                "1000000", "0.25");

        // an array cannot be an identifier: the snapshot fails naming the column, nothing is removed
        assertThat(sync.syncQuery(TestPostgres.URL, "SELECT ARRAY[id] AS lr, 1 AS big, 2 AS float, 3 AS real FROM " + mixed))
                .isEqualTo(1);
        assertThat(sync.lastReport().error()).contains("row 1").contains("column 'lr'").contains("an array");
        assertThat(emulator.members(sync.listId("Customer List-Numbers"))).hasSize(5);
    }

    @Test
    void aSyntaxErrorIsAFailedRunThatRemovesNothing() throws Exception {
        pg.execute("INSERT INTO " + customers + " VALUES (1, 'a@example.com', NULL, NULL), (2, 'b@example.com', NULL, NULL)");
        assertThat(sync.syncQuery(TestPostgres.URL, "SELECT email, maid, idfa FROM " + customers)).isZero();

        int exit = sync.syncQuery(TestPostgres.URL, "SELEKT email, maid, idfa FROM " + customers);

        assertThat(exit).isEqualTo(1);
        RunReport report = sync.lastReport();
        assertThat(report.outcome()).isEqualTo(Outcome.SNAPSHOT_FAILED);
        assertThat(report.error()).startsWith("query: the query failed: ERROR: syntax error at or near \"SELEKT\"")
                .endsWith("(SQLState 42601)");
        assertThat(report.removes().planned()).isZero();
        assertThat(report.removalsWithheld()).isEqualTo(2);
        assertThat(report.removalsWithheldBecause()).contains("not read to the end");
        assertThat(emulator.members(sync.onlyListId())).containsExactlyInAnyOrder(email("a@example.com"), email("b@example.com"));
        assertThat(Files.readString(SyncHarness.newest(sync.data.resolve("runs"), ".json"))).doesNotContain(PASSWORD);
    }

    @Test
    void aConnectionDroppedMidStreamKeepsTheAcknowledgedAddsAndRemovesNothing() throws Exception {
        pg.execute("INSERT INTO " + customers + " SELECT i, 'old' || i || '@example.com', NULL, NULL FROM generate_series(1, 20) i");
        assertThat(sync.syncQuery(TestPostgres.URL, "SELECT email, maid, idfa FROM " + customers)).isZero();

        // Day 2: the old rows left, 100,000 new ones. Each row the database produces counts itself in a sequence
        // (visible to other sessions at once) and takes a little time, so the stream can be cut part-way.
        String progress = pg.name("progress");
        String tick = pg.name("tick");
        pg.execute("TRUNCATE " + customers,
                "INSERT INTO " + customers + " SELECT i, 'new' || i || '@example.com', NULL, NULL FROM generate_series(1, 100000) i",
                "CREATE SEQUENCE " + progress,
                "CREATE FUNCTION " + tick + "() RETURNS bigint LANGUAGE sql VOLATILE AS"
                        + " $$ SELECT pg_sleep(0.0002); SELECT nextval('" + progress + "') $$");
        String application = pg.name("dropped");
        sync.set("source.jdbc.fetch-size", "100").set("source.chunk-size", "100");
        CompletableFuture<Integer> run = CompletableFuture.supplyAsync(() -> sync.syncQuery(
                TestPostgres.URL + "?ApplicationName=" + application,
                "SELECT email, maid, idfa, " + tick + "() AS n FROM " + customers + " ORDER BY id"));

        try (Connection second = TestPostgres.connect(); Statement statement = second.createStatement()) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            long produced = 0;
            while (produced < 5_000 && System.nanoTime() < deadline && !run.isDone()) {
                Thread.sleep(20);
                produced = single(statement, "SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM " + progress);
            }
            assertThat(produced).as("rows produced before the cut").isGreaterThanOrEqualTo(5_000);
            assertThat(single(statement, "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = '"
                    + application + "'")).as("backends terminated").isEqualTo(1);
        }
        int exit = run.get(2, TimeUnit.MINUTES);

        assertThat(exit).isEqualTo(1);
        RunReport report = sync.lastReport();
        assertThat(report.outcome()).isEqualTo(Outcome.SNAPSHOT_FAILED);
        assertThat(report.error()).contains("the result stopped after row " + report.rowsRead())
                .containsAnyOf("terminating connection due to administrator command", "I/O error");
        assertThat(report.rowsRead()).isBetween(4_000L, 99_999L);
        assertThat(report.adds()).as("the rows read before the cut are added").isEqualTo(
                new RunReport.Counts(report.rowsRead(), report.rowsRead(), 0));
        assertThat(report.removes().planned()).isZero();
        assertThat(report.removalsWithheld()).isEqualTo(20);
        Set<String> members = emulator.members(sync.onlyListId());
        assertThat(members).hasSize(20 + (int) report.rowsRead());
        for (int i = 1; i <= 20; i++) {
            assertThat(members).as("old member %d stays", i).contains(email("old" + i + "@example.com"));
        }
        for (int i = 1; i <= report.rowsRead(); i++) {
            assertThat(members).contains(email("new" + i + "@example.com"));
        }
    }

    @Test
    void theQuerysTransactionEndsOnceItsRowsAreReadSoTheTableIsFreeWhileTheRunSends() throws Exception {
        pg.execute("INSERT INTO " + customers + " SELECT i, 'user' || i || '@example.com', NULL, NULL FROM generate_series(1, 50) i");
        emulator.close();
        // 5 writes of 400 ms: the run sends for 2 s after the rows were read
        emulator = PinterestEmulator.builder().port(0).writeDelay(Duration.ofMillis(400)).start();
        sync = new SyncHarness(emulator, dir).set("source.jdbc.user", TestPostgres.USER).set("sync.batch-size", "10");
        String application = pg.name("sending");
        CompletableFuture<Integer> run = CompletableFuture.supplyAsync(() -> sync.syncQuery(
                TestPostgres.URL + "?ApplicationName=" + application, "SELECT email, maid, idfa FROM " + customers));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (emulator.writeCalls() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }

        try (Connection second = TestPostgres.connect(); Statement statement = second.createStatement()) {
            try (ResultSet state = statement.executeQuery("SELECT state FROM pg_stat_activity WHERE application_name = '"
                    + application + "'")) {
                while (state.next()) {
                    assertThat(state.getString(1)).as("the sync's connection while it sends").isNotEqualTo("idle in transaction");
                }
            }
            // the warehouse's own jobs (a TRUNCATE and reload) need the table's exclusive lock
            statement.execute("SET lock_timeout = '3s'");
            statement.execute("TRUNCATE " + customers);
        }
        assertThat(run.isDone()).as("the run was still sending").isFalse();
        assertThat(run.get(1, TimeUnit.MINUTES)).isZero();
        assertThat(emulator.members(sync.onlyListId())).hasSize(50);
    }

    @Test
    void scheduledRunsNeverOverlapAndAFireDuringARunIsSkipped() throws Exception {
        pg.execute("INSERT INTO " + customers + " SELECT i, 'user' || i || '@example.com', NULL, NULL FROM generate_series(1, 30) i");
        emulator.close();
        // each write takes 300 ms: a run of 30 values in batches of 10 takes over a second, the cron fires every second
        emulator = PinterestEmulator.builder().port(0).writeDelay(Duration.ofMillis(300)).start();
        sync = new SyncHarness(emulator, dir).set("source.jdbc.user", TestPostgres.USER)
                .set("sync.once", "false").set("sync.batch-size", "10")
                .set("source.jdbc.cron", "* * * * * ?")
                .set("camel.main.duration-max-seconds", "7");
        String log;
        try (LogCapture capture = new LogCapture()) {
            CompletableFuture<Integer> daemon = CompletableFuture.supplyAsync(
                    () -> sync.syncQuery(TestPostgres.URL, "SELECT email, maid, idfa FROM " + customers));
            // a file dropped while the first query run sends: its run waits (file and query runs share the state)
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (emulator.writeCalls() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            // the same model plus two: no run withholds removals, so every run can succeed
            sync.drop("model.csv", "email,maid,idfa\nfile1@example.com,,\nfile2@example.com,,\n" + java.util.stream.IntStream
                    .rangeClosed(1, 30).mapToObj(i -> "user" + i + "@example.com,,\n").collect(java.util.stream.Collectors.joining()));
            assertThat(daemon.get(1, TimeUnit.MINUTES)).isZero();
            log = capture.text();
        }

        List<RunReport> reports = new ArrayList<>(sync.reports());
        reports.sort((a, b) -> a.startedAt().compareTo(b.startedAt()));
        assertThat(reports.stream().filter(r -> r.source().startsWith("query on"))).as("query runs").hasSizeGreaterThanOrEqualTo(2);
        assertThat(reports).extracting(RunReport::source).contains("model.csv");
        for (int i = 1; i < reports.size(); i++) {
            assertThat(reports.get(i).startedAt()).as("run %d starts after run %d ended", i, i - 1)
                    .isAfterOrEqualTo(reports.get(i - 1).finishedAt());
        }
        assertThat(emulator.concurrentWriteViolations()).isZero();
        assertThat(log).contains("The run for model.csv waits: run ").contains("(query on " + TestPostgres.URL + ") is still going")
                .contains("Scheduled query run skipped: run ")
                .contains("the next fire of source.jdbc.cron '* * * * * ?' syncs the model");
    }

    @Test
    void thePasswordNeverReachesALogOrAReportEvenAtDebugLevel() throws Exception {
        String urlSecret = "pas-it-UrlSecret-77d2";
        String url = TestPostgres.URL + "?password=" + urlSecret;
        pg.execute("INSERT INTO " + customers + " VALUES (1, 'a@example.com', NULL, NULL)");
        String log;
        try (LogCapture capture = new LogCapture().level(Level.DEBUG, "ROOT", "org.apache.camel", "com.zaxxer", "io.audiencesync",
                "org.postgresql")) {
            assertThat(sync.syncQuery(url, "SELECT email, maid, idfa FROM " + customers)).isZero();
            assertThat(sync.syncQuery(url, "SELECT nothing FROM " + customers)).isEqualTo(1);
            sync.set("source.jdbc.connect-timeout-seconds", "1");
            assertThat(sync.syncQuery("jdbc:postgresql://127.0.0.1:1/test?password=" + urlSecret, "SELECT 1")).isEqualTo(1);
            log = capture.text();
        }
        assertThat(log).as("debug logging was on").contains("DEBUG com.zaxxer.hikari").contains("DEBUG org.apache.camel");
        assertThat(log.lines().filter(line -> line.contains(PASSWORD) || line.contains(urlSecret))).as("log lines with a secret")
                .isEmpty();
        try (Stream<Path> files = Files.walk(sync.data)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                assertThat(new String(Files.readAllBytes(file), java.nio.charset.StandardCharsets.ISO_8859_1)).as(file.toString()).doesNotContain(PASSWORD).doesNotContain(urlSecret);
            }
        }
    }

    /** The wire values the emulator should hold for these rows (email, maid), as the normalizer makes them. */
    private static Set<String> expectedMembers(String query) throws SQLException {
        Set<String> expected = new HashSet<>();
        try (Connection connection = TestPostgres.connect(); Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery(query)) {
            while (rows.next()) {
                if (rows.getString(1) != null) {
                    expected.add(email(rows.getString(1)));
                }
                if (rows.getString(2) != null) {
                    expected.add(Normalizer.sha256(rows.getString(2)));
                }
            }
        }
        return expected;
    }

    private static long single(Statement statement, String query) throws SQLException {
        try (ResultSet rows = statement.executeQuery(query)) {
            rows.next();
            return rows.getLong(1);
        }
    }
}
