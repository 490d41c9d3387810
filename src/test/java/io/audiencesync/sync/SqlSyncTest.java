package io.audiencesync.sync;

import io.audiencesync.emulator.PinterestEmulator;
import io.audiencesync.report.Outcome;
import io.audiencesync.report.RunReport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.ThreadLocalRandom;

import static io.audiencesync.sync.SyncHarness.email;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The SQL source through the real routes and beans against an embedded H2 database (no server needed), and the
 * failures that need no database at all: a refused connection, a missing driver, bad settings. The count query
 * ({@code source.jdbc.count-query}) is tested against the real PostgreSQL ({@link TestPostgres}).
 */
class SqlSyncTest {

    private static final String MAID = "6d1f3a2e-9b7c-4e8f-a1d2-3c4b5a6f7e80";
    private static final String MAID_SHA256 = "07a31eda033f9a9283b7890ad162e394cb0c83c6fce38202fb7d0468c33e7980";

    @TempDir
    Path dir;
    private PinterestEmulator emulator;
    private SyncHarness sync;
    private String url;
    private Connection h2;

    @BeforeEach
    void start() throws SQLException {
        emulator = PinterestEmulator.builder().port(0).start();
        sync = new SyncHarness(emulator, dir);
        // the in-memory database lives as long as this connection
        url = "jdbc:h2:mem:sqlsync" + ThreadLocalRandom.current().nextInt(1_000_000);
        h2 = DriverManager.getConnection(url);
        sql("CREATE TABLE customers (id INT PRIMARY KEY, email VARCHAR(100), maid UUID, idfa VARCHAR(40), "
                + "score DECIMAL(10, 2), photo VARBINARY(16))");
    }

    @AfterEach
    void stop() throws SQLException {
        h2.close();
        emulator.close();
    }

    @Test
    void aTableSyncsWithNullsAsEmptyCellsAndUuidsInCanonicalForm() {
        sql("INSERT INTO customers (id, email, maid, idfa) VALUES (1, 'Jane.Doe@Example.com', '" + MAID.toUpperCase() + "', NULL),"
                + " (2, NULL, NULL, NULL), (3, 'john@example.com', NULL, '00000000-0000-0000-0000-000000000000')");

        // H2 names unquoted columns in upper case: the mapping's lower-case names still match
        int exit = sync.syncQuery(url, "SELECT id, email, maid, idfa FROM customers ORDER BY id");

        assertThat(exit).isZero();
        assertThat(emulator.members(sync.onlyListId()))
                .containsExactlyInAnyOrder(email("jane.doe@example.com"), MAID_SHA256, email("john@example.com"));
        RunReport report = sync.lastReport();
        assertThat(report.outcome()).isEqualTo(Outcome.SUCCEEDED);
        assertThat(report.source()).isEqualTo("query on " + url);
        assertThat(report.rowsRead()).isEqualTo(3);
        assertThat(report.emptyCells()).as("the NULLs").isEqualTo(5);
        assertThat(report.rejectedByReason()).containsExactly(java.util.Map.entry("ZERO_DEVICE_ID", 1L));
    }

    @Test
    void numbersAreWrittenWithoutDecimalsWhenTheyAreWhole() {
        sync.set("sync.identifiers", "lr=LR_ID,big=LR_ID,double=LR_ID");
        sql("INSERT INTO customers (id, score) VALUES (1, 123.00), (2, 7.50), (3, NULL)");

        int exit = sync.syncQuery(url, "SELECT score AS lr, CAST(9007199254740993 AS BIGINT) AS big,"
                + " CAST(42.0 AS DOUBLE PRECISION) AS double FROM customers");

        assertThat(exit).isZero();
        assertThat(emulator.members(sync.onlyListId())).containsExactlyInAnyOrder("123", "7.5", "9007199254740993", "42");
    }

    @Test
    void aBinaryColumnFailsTheSnapshotNamingItAndRemovesNothing() {
        sync.set("sync.identifiers", "email=EMAIL");
        sql("INSERT INTO customers (id, email) VALUES (1, 'a@example.com'), (2, 'b@example.com')");
        assertThat(sync.syncQuery(url, "SELECT email FROM customers")).isZero();

        sql("UPDATE customers SET photo = X'CAFE' WHERE id = 2");
        int exit = sync.syncQuery(url, "SELECT photo AS email FROM customers ORDER BY id");

        assertThat(exit).isEqualTo(1);
        RunReport report = sync.lastReport();
        assertThat(report.outcome()).isEqualTo(Outcome.SNAPSHOT_FAILED);
        assertThat(report.error()).contains("row 2").contains("column 'EMAIL'").contains("binary").contains("source.jdbc.query");
        assertThat(report.removalsWithheld()).isEqualTo(2);
        assertThat(emulator.members(sync.onlyListId())).containsExactlyInAnyOrder(email("a@example.com"), email("b@example.com"));
    }

    @Test
    void aMappedColumnMissingFromTheResultFailsTheSnapshotNamingIt() {
        sql("INSERT INTO customers (id, email) VALUES (1, 'a@example.com')");

        int exit = sync.syncQuery(url, "SELECT id, email FROM customers");

        assertThat(exit).isEqualTo(1);
        RunReport report = sync.lastReport();
        assertThat(report.outcome()).isEqualTo(Outcome.SNAPSHOT_FAILED);
        assertThat(report.error()).startsWith("query: the result has no column 'maid'").contains("[ID, EMAIL]");
        assertThat(emulator.customerLists()).isEmpty();
    }

    @Test
    void anUnreachableDatabaseIsAFailedRunWithAReport() {
        sync.set("source.jdbc.connect-timeout-seconds", "1").set("source.jdbc.password", "Unreachable-Secret-42");
        int exit = sync.syncQuery("jdbc:postgresql://127.0.0.1:1/test?password=Url-Secret-43", "SELECT email, maid, idfa FROM x");

        assertThat(exit).isEqualTo(1);
        RunReport report = sync.lastReport();
        assertThat(report.outcome()).isEqualTo(Outcome.SNAPSHOT_FAILED);
        assertThat(report.source()).isEqualTo("query on jdbc:postgresql://127.0.0.1:1/test");
        assertThat(report.error()).startsWith("query: the query failed: ").contains("refused").contains("SQLState 08001")
                .doesNotContain("Secret");
    }

    @Test
    void runOnceSyncsTheInboxAndTheQueryThenEnds() {
        // both hold the same model, whichever runs second removes nothing
        sql("INSERT INTO customers (id, email) VALUES (1, 'from-query@example.com'), (2, 'from-file@example.com')");
        sync.drop("model.csv", "email,maid,idfa\nfrom-file@example.com,,\nfrom-query@example.com,,\n");

        int exit = sync.syncQuery(url, "SELECT email, maid, idfa FROM customers");

        assertThat(exit).isZero();
        assertThat(sync.reports()).extracting(RunReport::source).containsExactlyInAnyOrder("model.csv", "query on " + url);
        assertThat(sync.filesIn(".done")).hasSize(1);
    }

    @Test
    void withoutAUrlTheOtherSqlSettingsAreNotRead() {
        sync.set("source.jdbc.cron", "not a cron").set("source.jdbc.fetch-size", "0");
        int exit = sync.sync("model.csv", "email,maid,idfa\na@example.com,,\n");
        assertThat(exit).isZero();
        assertThat(sync.reports()).extracting(RunReport::source).containsExactly("model.csv");
    }

    @Test
    void aBadCronStopsTheStartNamingTheKey() {
        sync.set("source.jdbc.cron", "0 0 25 * * ?");
        String stderr = stderrOf(() -> assertThat(sync.syncQuery(url, "SELECT 1")).isEqualTo(2));
        assertThat(stderr).contains("source.jdbc.cron").contains("Quartz cron").contains("0 0 25 * * ?");
        assertThat(Files.exists(sync.data.resolve("runs"))).isFalse();
    }

    @Test
    void aUrlNoDriverTakesStopsTheStartNamingTheKey() {
        String stderr = stderrOf(() -> assertThat(sync.syncQuery("jdbc:nosuchdb://host/db;password=Driver-Secret-44", "SELECT 1"))
                .isEqualTo(2));
        assertThat(stderr).contains("source.jdbc.url").contains("no JDBC driver").contains("jdbc:nosuchdb://host/db")
                .doesNotContain("Secret");
    }

    @Test
    void aUrlWhosePortIsNotANumberSaysSo() {
        String stderr = stderrOf(() -> assertThat(sync.syncQuery("jdbc:postgresql://db.example.com:54x2/crm", "SELECT 1"))
                .isEqualTo(2));
        assertThat(stderr).contains("source.jdbc.url").contains("the port in 'jdbc:postgresql://db.example.com:54x2/crm'")
                .contains("is not a number");
    }

    @Test
    void aCountQueryThatMatchesTheRowsSyncsAndRunsInTheQuerysRepeatableReadTransaction() {
        TestPostgres pg = TestPostgres.require();
        try {
            String customers = pg.name("customers");
            pg.execute("CREATE TABLE " + customers + " (id int PRIMARY KEY, email text, ads_optin boolean NOT NULL)",
                    "INSERT INTO " + customers + " SELECT i, 'user' || i || '@example.com', i % 4 <> 0 FROM generate_series(1, 40) i");
            sync.set("sync.identifiers", "email=EMAIL").set("source.jdbc.user", TestPostgres.USER);
            // Both queries see rows only inside a REPEATABLE READ transaction: they ran in the one begin() started.
            String repeatableRead = " AND current_setting('transaction_isolation') = 'repeatable read'";
            sync.set("source.jdbc.count-query", "SELECT count(*) FROM " + customers + " WHERE ads_optin" + repeatableRead);

            int exit = sync.syncQuery(TestPostgres.URL, "SELECT email FROM " + customers + " WHERE ads_optin" + repeatableRead);

            assertThat(exit).isZero();
            assertThat(sync.lastReport().outcome()).isEqualTo(Outcome.SUCCEEDED);
            assertThat(sync.lastReport().rowsRead()).isEqualTo(30);
            assertThat(emulator.members(sync.onlyListId())).hasSize(30);
        } finally {
            pg.dropAll();
        }
    }

    @Test
    void aCountThatDiffersFromTheRowsFailsTheSnapshotAndRemovesNothing() {
        TestPostgres pg = TestPostgres.require();
        try {
            String customers = pg.name("customers");
            pg.execute("CREATE TABLE " + customers + " (id int PRIMARY KEY, email text, ads_optin boolean NOT NULL)",
                    "INSERT INTO " + customers + " SELECT i, 'user' || i || '@example.com', true FROM generate_series(1, 100) i");
            sync.set("sync.identifiers", "email=EMAIL").set("source.jdbc.user", TestPostgres.USER)
                    .set("source.jdbc.count-query", "SELECT count(*) FROM " + customers + " WHERE ads_optin");
            assertThat(sync.syncQuery(TestPostgres.URL, "SELECT email FROM " + customers + " WHERE ads_optin")).isZero();
            String listId = sync.onlyListId();

            // A query that lost 10 rows (a join gone wrong): 10 % fewer values, under both guards; the count says 100.
            int exit = sync.syncQuery(TestPostgres.URL, "SELECT email FROM " + customers + " WHERE ads_optin AND id > 10");

            assertThat(exit).isEqualTo(1);
            RunReport report = sync.lastReport();
            assertThat(report.outcome()).isEqualTo(Outcome.SNAPSHOT_FAILED);
            assertThat(report.error()).startsWith("query: the query returned 90 rows, but source.jdbc.count-query counted 100"
                    + " in the same transaction");
            assertThat(report.removes().sent()).isZero();
            assertThat(emulator.members(listId)).as("every value still in the list").hasSize(100);
        } finally {
            pg.dropAll();
        }
    }

    @Test
    void aBrokenCountQueryFailsTheSnapshotNamingItAndRemovesNothing() {
        TestPostgres pg = TestPostgres.require();
        try {
            String customers = pg.name("customers");
            pg.execute("CREATE TABLE " + customers + " (id int PRIMARY KEY, email text)",
                    "INSERT INTO " + customers + " SELECT i, 'user' || i || '@example.com' FROM generate_series(1, 20) i");
            sync.set("sync.identifiers", "email=EMAIL").set("source.jdbc.user", TestPostgres.USER)
                    .set("source.jdbc.password", "Count-Secret-45");
            String query = "SELECT email FROM " + customers;
            assertThat(sync.syncQuery(TestPostgres.URL, query)).isZero();

            sync.set("source.jdbc.count-query", "SELECT count(*) FROM " + customers + "_misspelled");
            assertThat(sync.syncQuery(TestPostgres.URL, "SELECT email FROM " + customers + " WHERE id > 5")).isEqualTo(1);
            RunReport report = sync.lastReport();
            assertThat(report.outcome()).isEqualTo(Outcome.SNAPSHOT_FAILED);
            assertThat(report.error()).startsWith("query: source.jdbc.count-query failed: ERROR: relation \"" + customers
                    + "_misspelled\" does not exist").contains("(SQLState 42P01)").contains("fix source.jdbc.count-query")
                    .doesNotContain("Secret");
            assertThat(report.rowsRead()).as("the query did not run").isZero();

            // One that returns the identifiers instead of their number: named by its shape, no value shown.
            sync.set("source.jdbc.count-query", "SELECT email FROM " + customers + " WHERE id = 7");
            assertThat(sync.syncQuery(TestPostgres.URL, query)).isEqualTo(1);
            assertThat(sync.lastReport().error()).startsWith("query: source.jdbc.count-query returned a String value that is"
                    + " not a whole number; it must return one row with one whole number").doesNotContain("user7");

            assertThat(emulator.members(sync.onlyListId())).as("nothing removed").hasSize(20);
        } finally {
            pg.dropAll();
        }
    }

    private void sql(String statement) {
        try (Statement s = h2.createStatement()) {
            s.execute(statement);
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String stderrOf(Runnable action) {
        PrintStream original = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            action.run();
        } finally {
            System.setErr(original);
        }
        return captured.toString(StandardCharsets.UTF_8);
    }
}
