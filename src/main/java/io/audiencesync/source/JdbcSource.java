package io.audiencesync.source;

import io.audiencesync.identity.IdentifierMapping;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * The result of the model's SQL query as a snapshot, in chunks of rows. The rows arrive as a stream of
 * column-label → value maps (camel-jdbc's streaming output, fetched from the database a fetch size at a time),
 * so memory holds one chunk. A row's line is its 1-based row number; its cells are the mapped columns, matched
 * by label case-insensitively, converted to text by {@link SqlValues} (SQL NULL is an empty cell).
 * A query that fails, a connection lost part-way, a mapped column missing from the result or holding
 * values of a type no identifier can come from, and, with {@code source.jdbc.count-query}, a count query that fails
 * or a result whose rows are not the number it counted: each is a {@link SnapshotReadException}.
 */
public final class JdbcSource {

    /** How runs name a query's snapshot: this, then the database's URL without credentials. */
    public static final String NAME_PREFIX = "query on ";

    private final IdentifierMapping mapping;
    private final int chunkSize;
    private final String query;
    private final String name;
    private final UnaryOperator<String> redact;
    private final Runnable endOfRows;

    /**
     * @param name      how runs name this source (the database's URL without credentials)
     * @param redact    removes secrets (the password) from database error messages before they reach a report or log
     * @param endOfRows called once the rows are read or their stream failed: the database's part of the run is over
     */
    public JdbcSource(IdentifierMapping mapping, int chunkSize, String query, String name, UnaryOperator<String> redact,
                      Runnable endOfRows) {
        this.mapping = mapping;
        this.chunkSize = chunkSize;
        this.query = query;
        this.name = name;
        this.redact = redact;
        this.endOfRows = endOfRows;
    }

    /**
     * What a run would stop on in a result with these columns (a mapped column missing, or there in several cases),
     * or null: {@code check} asks it of the query's columns without reading a row.
     */
    public String columnProblem(Collection<String> columns) {
        try {
            new ChunkIterator(java.util.Collections.emptyIterator(), new LinkedHashSet<>(columns), -1);
            return null;
        } catch (SnapshotReadException e) {
            return e.getMessage();
        }
    }

    /** The SQL the route hands to the database. */
    public String query() {
        return query;
    }

    /**
     * The query's streamed result as a snapshot. The columns are checked when the chunks are read, inside the run.
     *
     * @param rows    one map per row, column label → value (camel-jdbc closes the result set when they run out)
     * @param columns the result's column labels (also known when there is no row)
     */
    public Snapshot snapshot(Iterator<Map<String, Object>> rows, Collection<String> columns) {
        return snapshot(rows, columns, null);
    }

    /**
     * The query's streamed result as a snapshot whose rows must be {@code countedRows}.
     *
     * @param countedRows the rows {@code source.jdbc.count-query} counted in the same transaction; null without one
     */
    public Snapshot snapshot(Iterator<Map<String, Object>> rows, Collection<String> columns, Long countedRows) {
        Set<String> labels = new LinkedHashSet<>(columns == null ? List.of() : columns);
        return snapshot(() -> new ChunkIterator(rows, labels, countedRows == null ? -1 : countedRows));
    }

    /**
     * The query could not run (syntax error, database unreachable, authentication refused), or the count query
     * failed: a snapshot whose reading fails with the database's message, so the failure is a run with a report and
     * an exit code.
     */
    public Snapshot failed(Exception failure) {
        endOfRows.run();
        SourceDatabase.CountQueryException count = null;
        for (Throwable t = failure; t != null && count == null; t = t.getCause() == t ? null : t.getCause()) {
            count = t instanceof SourceDatabase.CountQueryException c ? c : null;
        }
        SnapshotReadException error = count == null ? failure("the query failed: " + describe(failure))
                : failure("source.jdbc.count-query " + count.problem() + (count.getCause() == null ? "" : ": "
                        + describe(count.getCause())) + "; it must return one row with one whole number, the rows"
                        + " source.jdbc.query returns (e.g. SELECT count(*) FROM customers WHERE ads_optin): fix"
                        + " source.jdbc.count-query, or leave it empty");
        return snapshot(() -> {
            throw error;
        });
    }

    private Snapshot snapshot(Supplier<Iterator<List<Row>>> chunks) {
        return new Snapshot() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public Iterator<List<Row>> chunks() {
                return chunks.get();
            }
        };
    }

    private final class ChunkIterator extends Chunks {
        private final Iterator<Map<String, Object>> rows;
        private final String[] labels;
        /** The key column's label in the result, or null without sync.rejects-key-column. */
        private final String keyLabel;
        /** The rows the count query counted, or -1. */
        private final long countedRows;
        private long rowNumber;

        ChunkIterator(Iterator<Map<String, Object>> rows, Set<String> columns, long countedRows) {
            super(chunkSize);
            this.rows = rows;
            this.countedRows = countedRows;
            try {
                this.labels = resolveColumns(columns);
                this.keyLabel = mapping.keyColumn() == null ? null
                        : label(columns, mapping.keyColumn(), "sync.rejects-key-column names it");
            } catch (SnapshotReadException e) {
                end();
                throw e;
            }
        }

        /** Each mapped column's label in the result: the same name, else the one that differs only in case. */
        private String[] resolveColumns(Set<String> columns) {
            String[] resolved = new String[mapping.columns().size()];
            for (int i = 0; i < resolved.length; i++) {
                resolved[i] = label(columns, mapping.columns().get(i).name(), "sync.identifiers maps it");
            }
            return resolved;
        }

        /** A column's label in the result: the same name, else the one that differs only in case. */
        private String label(Set<String> columns, String wanted, String why) {
            if (columns.contains(wanted)) {
                return wanted;
            }
            List<String> matches = columns.stream().filter(c -> c.toLowerCase(Locale.ROOT).equals(wanted.toLowerCase(Locale.ROOT)))
                    .toList();
            if (matches.size() != 1) {
                throw failure((matches.isEmpty() ? "the result has no column '" + wanted + "'"
                        : "the result has " + matches.size() + " columns named '" + wanted + "' in different case " + matches)
                        + " (" + why + "; name it with AS in source.jdbc.query); its columns are " + columns);
            }
            return matches.get(0);
        }

        @Override
        protected boolean hasNextRow() {
            if (rows.hasNext()) {
                return true;
            }
            if (countedRows >= 0 && rowNumber != countedRows) {
                throw failure("the query returned " + rowNumber + " rows, but source.jdbc.count-query counted " + countedRows
                        + " in the same transaction: the two queries do not select the same rows (or, where the database"
                        + " has no REPEATABLE READ, the tables changed between them); the rows were read and nothing is"
                        + " removed. Make source.jdbc.count-query count exactly the rows of source.jdbc.query");
            }
            return false;
        }

        @Override
        protected Row nextRow() {
            Map<String, Object> values = rows.next();
            rowNumber++;
            Object key = keyLabel == null ? null : values.get(keyLabel);
            return new Row(rowNumber, cells(values), key == null ? null : key.toString());
        }

        @Override
        protected void release() {
            endOfRows.run();
        }

        private String[] cells(Map<String, Object> values) {
            String[] cells = new String[labels.length];
            for (int i = 0; i < cells.length; i++) {
                Object value = values.get(labels[i]);
                String unsupported = SqlValues.unsupported(value);
                if (unsupported != null) {
                    throw failure("row " + rowNumber + ": column '" + labels[i] + "' holds " + unsupported
                            + " values, which cannot be identifiers; select it as text (e.g. CAST(" + labels[i]
                            + " AS VARCHAR)) in source.jdbc.query");
                }
                try {
                    cells[i] = SqlValues.text(value);
                } catch (SQLException e) {
                    throw failure("row " + rowNumber + ": column '" + labels[i] + "' could not be read: " + describe(e));
                }
            }
            return cells;
        }

        @Override
        protected SnapshotReadException readFailure(RuntimeException e) {
            return failure("the result stopped after row " + rowNumber + ": " + describe(e));
        }
    }

    /**
     * The database's own words, one line: from the first SQLException down the cause chain (a pool's "connection
     * is not available" and the driver's reason under it), each message once, with the SQLState, and no secret.
     */
    private String describe(Throwable failure) {
        Throwable start = failure;
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SQLException) {
                start = t;
                break;
            }
        }
        List<String> parts = new ArrayList<>();
        String sqlState = null;
        for (Throwable t = start; t != null && parts.size() < 4; t = t.getCause() == t ? null : t.getCause()) {
            if (sqlState == null && t instanceof SQLException sql) {
                sqlState = sql.getSQLState();
            }
            String message = t.getMessage() == null ? "" : t.getMessage().replaceAll("\\s+", " ").strip();
            if (!message.isEmpty() && parts.stream().noneMatch(p -> p.contains(message))) {
                parts.add(message);
            }
        }
        if (parts.isEmpty()) {
            parts.add(failure.getClass().getSimpleName());
        }
        return redact.apply(String.join(": ", parts) + (sqlState == null ? "" : " (SQLState " + sqlState + ")"));
    }

    /**
     * The database's exception is not kept as the cause: its message, or a cause's, could quote a secret, and
     * a stack trace would print it. Its text, redacted, is in the message.
     */
    private SnapshotReadException failure(String what) {
        return new SnapshotReadException("query: " + redact.apply(what), null);
    }
}
