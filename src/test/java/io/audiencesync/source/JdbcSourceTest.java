package io.audiencesync.source;

import io.audiencesync.identity.IdentifierMapping;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientConnectionException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JdbcSourceTest {

    private static final IdentifierMapping MAPPING = IdentifierMapping.parse("email=EMAIL,maid=MAID");
    private final AtomicInteger ended = new AtomicInteger();
    private final JdbcSource source = new JdbcSource(MAPPING, 2, "SELECT 1", "query on jdbc:test", s -> s.replace("hunter22", "***"),
            ended::incrementAndGet);

    @Test
    void rowsComeInChunksNumberedFromOneWithTheMappedColumnsInMappingOrder() {
        List<Map<String, Object>> rows = List.of(row("ID", 7, "MAID", null, "EMAIL", "a@example.com"),
                row("ID", 8, "MAID", UUID.fromString("6D1F3A2E-9B7C-4E8F-A1D2-3C4B5A6F7E80"), "EMAIL", "b@example.com"),
                row("ID", 9, "MAID", null, "EMAIL", null));

        List<List<Row>> chunks = read(source.snapshot(rows.iterator(), List.of("ID", "MAID", "EMAIL")));

        assertThat(ended).as("the database is told once that the rows are read").hasValue(1);
        assertThat(chunks).hasSize(2);
        assertThat(chunks.get(0)).hasSize(2);
        List<Row> all = chunks.stream().flatMap(List::stream).toList();
        assertThat(all).extracting(Row::line).containsExactly(1L, 2L, 3L);
        assertThat(all).extracting(r -> Arrays.asList(r.cells())).containsExactly(
                Arrays.asList("a@example.com", null),
                Arrays.asList("b@example.com", "6d1f3a2e-9b7c-4e8f-a1d2-3c4b5a6f7e80"),
                Arrays.asList(null, null));
        assertThat(source.snapshot(rows.iterator(), List.of()).name()).isEqualTo("query on jdbc:test");
    }

    @Test
    void anExactLabelWinsOverOnesThatDifferInCaseButTwoInexactOnesAreAmbiguous() {
        List<Map<String, Object>> rows = List.of(row("Email", "x@example.com", "email", "a@example.com", "MAID", null));
        List<Row> read = read(source.snapshot(rows.iterator(), List.of("Email", "email", "MAID"))).get(0);
        assertThat(read.get(0).cells()).containsExactly("a@example.com", null);

        assertThatThrownBy(() -> source.snapshot(List.<Map<String, Object>>of().iterator(), List.of("Email", "EMAIL", "maid")).chunks())
                .isInstanceOf(SnapshotReadException.class)
                .hasMessageContaining("2 columns named 'email' in different case [Email, EMAIL]");
    }

    @Test
    void aMissingColumnFailsTheSnapshotEvenWithoutRows() {
        Snapshot snapshot = source.snapshot(List.<Map<String, Object>>of().iterator(), List.of("id", "email"));
        assertThatThrownBy(snapshot::chunks).isInstanceOf(SnapshotReadException.class)
                .hasMessage("query: the result has no column 'maid' (sync.identifiers maps it; name it with AS in source.jdbc.query);"
                        + " its columns are [id, email]");
        assertThat(ended).hasValue(1);
    }

    @Test
    void aConnectionLostPartWayHandsOutTheRowsReadThenTheFailure() {
        Iterator<Map<String, Object>> rows = failingAfter(3, new RuntimeException("Cannot process result",
                new SQLRecoverableException("An I/O error occurred while sending to the backend.", "08006")));

        Iterator<List<Row>> chunks = source.snapshot(rows, List.of("email", "maid")).chunks();

        assertThat(chunks.next()).hasSize(2);
        assertThat(chunks.hasNext()).isTrue();
        assertThat(chunks.next()).as("the row read before the failure").hasSize(1);
        assertThat(ended).hasValue(1);
        assertThat(chunks.hasNext()).isTrue();
        assertThatThrownBy(chunks::next).isInstanceOf(SnapshotReadException.class)
                .hasMessage("query: the result stopped after row 3: An I/O error occurred while sending to the backend."
                        + " (SQLState 08006)")
                .hasNoCause();
        assertThat(chunks.hasNext()).isFalse();
    }

    @Test
    void aQueryThatFailedIsASnapshotWhoseReadingFailsWithTheDatabasesWordsAndNoSecret() {
        SQLException refused = new SQLTransientConnectionException("source-database - Connection is not available, request timed out"
                + " after 1000ms", "08001", new SQLException("Connection to db:5432 refused (password=hunter22)\n  Check the host."));

        Snapshot snapshot = source.failed(refused);

        assertThat(snapshot.name()).isEqualTo("query on jdbc:test");
        assertThatThrownBy(snapshot::chunks).isInstanceOf(SnapshotReadException.class)
                .hasMessage("query: the query failed: source-database - Connection is not available, request timed out after 1000ms:"
                        + " Connection to db:5432 refused (password=***) Check the host. (SQLState 08001)");
    }

    @Test
    void rowsThatAreNotTheNumberTheCountQueryCountedFailTheSnapshotAfterEveryRowIsRead() {
        List<Map<String, Object>> rows = List.of(row("email", "a@example.com", "maid", null),
                row("email", "b@example.com", "maid", null), row("email", "c@example.com", "maid", null));
        assertThat(read(source.snapshot(rows.iterator(), List.of("email", "maid"), 3L))).flatMap(c -> c).hasSize(3);

        List<Row> read = new ArrayList<>();
        Iterator<List<Row>> chunks = source.snapshot(rows.iterator(), List.of("email", "maid"), 4L).chunks();
        assertThatThrownBy(() -> chunks.forEachRemaining(read::addAll)).isInstanceOf(SnapshotReadException.class)
                .hasMessage("query: the query returned 3 rows, but source.jdbc.count-query counted 4 in the same transaction:"
                        + " the two queries do not select the same rows (or, where the database has no REPEATABLE READ, the"
                        + " tables changed between them); the rows were read and nothing is removed. Make"
                        + " source.jdbc.count-query count exactly the rows of source.jdbc.query");
        assertThat(read).as("every row is read first").hasSize(3);
        assertThat(ended).hasValue(2);
    }

    @Test
    void aCountQueryThatFailedNamesTheSettingWithTheDatabasesWordsAndNoSecret() {
        Snapshot failed = source.failed(new IllegalStateException("bean call failed", new SourceDatabase.CountQueryException(
                "failed", new SQLException("ERROR: relation \"custmers\" does not exist (password=hunter22)", "42P01"))));
        assertThatThrownBy(failed::chunks).isInstanceOf(SnapshotReadException.class)
                .hasMessage("query: source.jdbc.count-query failed: ERROR: relation \"custmers\" does not exist (password=***)"
                        + " (SQLState 42P01); it must return one row with one whole number, the rows source.jdbc.query returns"
                        + " (e.g. SELECT count(*) FROM customers WHERE ads_optin): fix source.jdbc.count-query, or leave it empty");
        assertThat(ended).as("the connection the count ran on goes back").hasValue(1);

        assertThatThrownBy(source.failed(new SourceDatabase.CountQueryException("returned more than one row", null))::chunks)
                .hasMessageStartingWith("query: source.jdbc.count-query returned more than one row; it must return one row");
    }

    @Test
    void binaryArrayAndStructuredValuesFailTheSnapshotNamingRowAndColumn() {
        for (Object value : List.of(new byte[] {1}, new Integer[] {1}, List.of(1), Map.of("a", 1))) {
            Iterator<List<Row>> chunks = source.snapshot(List.of(row("email", "a@example.com", "maid", null),
                    row("email", value, "maid", null)).iterator(), List.of("email", "maid")).chunks();
            assertThat(chunks.next()).as("row 1 is read").hasSize(1);
            assertThatThrownBy(chunks::next).as(value.getClass().getName()).isInstanceOf(SnapshotReadException.class)
                    .hasMessageStartingWith("query: row 2: column 'email' holds ")
                    .hasMessageEndingWith(" values, which cannot be identifiers; select it as text (e.g. CAST(email AS VARCHAR))"
                            + " in source.jdbc.query");
        }
    }

    @Test
    void numbersAreWrittenPlainlyAndOtherValuesAsTheirText() throws SQLException {
        assertThat(SqlValues.text(null)).isNull();
        assertThat(SqlValues.text(42)).isEqualTo("42");
        assertThat(SqlValues.text(9_007_199_254_740_993L)).isEqualTo("9007199254740993");
        assertThat(SqlValues.text(new BigInteger("123456789012345678901234567890"))).isEqualTo("123456789012345678901234567890");
        assertThat(SqlValues.text(new BigDecimal("42.000"))).isEqualTo("42");
        assertThat(SqlValues.text(new BigDecimal("0.00"))).isEqualTo("0");
        assertThat(SqlValues.text(new BigDecimal("1E+3"))).isEqualTo("1000");
        assertThat(SqlValues.text(new BigDecimal("7.50"))).isEqualTo("7.5");
        assertThat(SqlValues.text(42.0)).isEqualTo("42");
        assertThat(SqlValues.text(1e20)).isEqualTo("100000000000000000000");
        assertThat(SqlValues.text(1.5)).isEqualTo("1.5");
        assertThat(SqlValues.text(0.1f)).isEqualTo("0.1");
        assertThat(SqlValues.text(Double.NaN)).isEqualTo("NaN");
        assertThat(SqlValues.text(UUID.fromString("AEBE52E7-03EE-455A-B3C4-E57283966239"))).isEqualTo("aebe52e7-03ee-455a-b3c4-e57283966239");
        assertThat(SqlValues.text(true)).isEqualTo("true");
        assertThat(SqlValues.text(new char[] {'h', 'i'})).isEqualTo("hi");
        assertThat(SqlValues.text(java.time.LocalDate.of(2026, 1, 2))).isEqualTo("2026-01-02");
        assertThat(SqlValues.unsupported("text")).isNull();
        assertThat(SqlValues.unsupported(new char[] {'h'})).isNull();
        assertThat(SqlValues.unsupported(new byte[0])).isEqualTo("binary (byte[])");
        assertThat(SqlValues.unsupported(new String[0])).isEqualTo("an array (String[])");
    }

    private static List<List<Row>> read(Snapshot snapshot) {
        List<List<Row>> chunks = new ArrayList<>();
        snapshot.chunks().forEachRemaining(chunks::add);
        return chunks;
    }

    private static Map<String, Object> row(Object... labelsAndValues) {
        Map<String, Object> row = new LinkedHashMap<>();
        for (int i = 0; i < labelsAndValues.length; i += 2) {
            row.put((String) labelsAndValues[i], labelsAndValues[i + 1]);
        }
        return row;
    }

    /** Like camel-jdbc's iterator over a result set whose connection drops: {@code n} rows, then next() throws. */
    private static Iterator<Map<String, Object>> failingAfter(int n, RuntimeException failure) {
        return new Iterator<>() {
            private int given;

            @Override
            public boolean hasNext() {
                return true;
            }

            @Override
            public Map<String, Object> next() {
                if (given++ < n) {
                    return row("email", "user" + given + "@example.com", "maid", null);
                }
                throw failure;
            }
        };
    }
}
