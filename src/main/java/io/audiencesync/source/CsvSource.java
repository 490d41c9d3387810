package io.audiencesync.source;

import de.siegmar.fastcsv.reader.CloseableIterator;
import de.siegmar.fastcsv.reader.CsvParseException;
import de.siegmar.fastcsv.reader.CsvReader;
import de.siegmar.fastcsv.reader.CsvRecord;
import io.audiencesync.identity.IdentifierMapping;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Streams a CSV snapshot as chunks of rows: header row, in the {@link CsvFormat} configured (UTF-8 with or without
 * BOM and comma separated by default), RFC 4180 quoting, CRLF or LF, gzip-compressed when named {@code *.csv.gz}
 * (every member checked to its end, {@link GzipInput}). Only the mapped columns are kept, so memory holds one chunk at a time.
 * A file that is not a whole snapshot ends the iteration with a {@link SnapshotReadException} naming the file and
 * line, after the rows before the fault: bad quoting, a quoted field still open at the end of the file, a row with
 * another number of fields, bytes that are not valid in the encoding, binary data (NUL or other control characters),
 * damaged gzip data, and, when
 * {@code requireLineEnd}, a last line without its line end (a file cut off while it was copied).
 */
public final class CsvSource {

    private static final java.util.regex.Pattern HEADER_CELL =
            java.util.regex.Pattern.compile("[\\p{L}_][\\p{L}\\p{N} _.()#/-]{0,99}");

    private static final Logger LOG = LoggerFactory.getLogger(CsvSource.class);

    private final IdentifierMapping mapping;
    private final int chunkSize;
    private final boolean requireLineEnd;
    private final CsvFormat format;
    private final Marker marker;
    /** Whether the log said that a marker holds no row count (once: most markers are empty files). */
    private final AtomicBoolean saidNoCount = new AtomicBoolean();

    /** With the settings' defaults: a last line must end with a line end, comma-separated UTF-8. */
    public CsvSource(IdentifierMapping mapping, int chunkSize) {
        this(mapping, chunkSize, true, CsvFormat.DEFAULT);
    }

    /** @param requireLineEnd whether a last line without a line end makes the file a failed snapshot */
    public CsvSource(IdentifierMapping mapping, int chunkSize, boolean requireLineEnd, CsvFormat format) {
        this(mapping, chunkSize, requireLineEnd, format, null);
    }

    /**
     * @param requireLineEnd whether a last line without a line end makes the file a failed snapshot
     * @param marker         the marker beside each file ({@code source.file.marker}), whose row count, when it has one,
     *                       the file's data rows must match; null for none
     */
    public CsvSource(IdentifierMapping mapping, int chunkSize, boolean requireLineEnd, CsvFormat format, Marker marker) {
        this.mapping = mapping;
        this.chunkSize = chunkSize;
        this.requireLineEnd = requireLineEnd;
        this.format = format;
        this.marker = marker;
    }

    /**
     * Whether {@code file}'s header names every mapped column, read as a run would read it: the problem a run of
     * the file would stop on before reading any row (empty, not a header, a column missing, not decodable), else
     * null. Reads only the first line.
     */
    public String headerProblem(Path file) {
        try {
            new ChunkIterator(file).end();
            return null;
        } catch (SnapshotReadException | SnapshotHeaderException e) {
            return e.getMessage();
        }
    }

    /**
     * The first rows of a file, read exactly as a run reads them ({@code check FILE}).
     *
     * @param rows     at most {@code maxRows} rows, in file order
     * @param more     whether the file has more rows than these (not read: a run reads them, and only then checks
     *                 the last line end and a marker's row count)
     * @param failure  why reading stopped within or right after these rows (the run's message), else null
     */
    public record FirstRows(List<Row> rows, boolean more, String failure) {
    }

    /**
     * Reads at most {@code maxRows} rows of {@code file} (and one more, to know whether there are more) the way a run
     * does: the header, Excel's delimiter hint, the encoding, quotes, binary data, gzip; a file that ends within them
     * is checked to its end. No marker applies, as for a file given on the command line.
     *
     * @throws SnapshotHeaderException when the header cannot be read with these settings (as a run stops)
     * @throws SnapshotReadException   when the file cannot be opened or read from its start
     */
    public FirstRows firstRows(Path file, int maxRows) {
        ChunkIterator chunks = new ChunkIterator(file, maxRows);
        try {
            List<Row> rows = new ArrayList<>();
            String failure = null;
            try {
                if (chunks.hasNext()) {
                    rows.addAll(chunks.next());
                }
                boolean more = chunks.hasNext();
                if (more && chunks.failed()) {
                    chunks.next();
                }
                return new FirstRows(rows, more, null);
            } catch (SnapshotReadException e) {
                failure = e.getMessage();
            }
            return new FirstRows(rows, false, failure);
        } finally {
            chunks.end();
        }
    }

    /** A CSV file as a snapshot: opened when its chunks are read, closed when the iteration ends. */
    public Snapshot snapshot(Path file) {
        return new Snapshot() {
            @Override
            public String name() {
                return file.getFileName().toString();
            }

            @Override
            public Iterator<List<Row>> chunks() {
                return new ChunkIterator(file);
            }
        };
    }

    private final class ChunkIterator extends Chunks {
        private final Path file;
        private SnapshotFileReader decoded;
        private CsvReader<CsvRecord> reader;
        private CloseableIterator<CsvRecord> records;
        private int[] columnIndex;
        private int keyIndex = -1;
        private long lastLine = 1;
        /** The data rows the marker vouches for, or -1. */
        private long expectedRows = -1;
        private long rows;
        /** The settings' format, or the file's own delimiter when its first line is Excel's hint ({@code sep=;}). */
        private CsvFormat format = CsvSource.this.format;
        /** Lines before the header: 1 after a delimiter hint (the parser counts from the header). */
        private long lineOffset;

        ChunkIterator(Path file) {
            this(file, chunkSize);
        }

        ChunkIterator(Path file, int rowsPerChunk) {
            super(rowsPerChunk);
            this.file = file;
            try {
                expectedRows = expectedRows();
                InputStream raw = Files.newInputStream(file);
                decoded = new SnapshotFileReader(CsvFormat.isGzip(file.getFileName().toString())
                        ? GzipInput.open(raw) : raw, format);
                BufferedReader in = new BufferedReader(decoded, 1 << 16);
                in.mark(1);
                if (in.read() != '\uFEFF') {
                    in.reset();
                }
                delimiterHint(in);
                reader = CsvReader.builder().fieldSeparator(format.delimiter()).quoteCharacter(format.quote()).skipEmptyLines(true)
                        .ofCsvRecord(in);
                records = reader.iterator();
                if (!records.hasNext()) {
                    throw failure("the file is empty: a header row naming the columns " + mapping + " is required", null);
                }
                columnIndex = resolveColumns(records.next());
            } catch (IOException | UncheckedIOException | CsvParseException e) {
                end();
                throw failure(describe(e, true), e);
            } catch (SnapshotReadException | SnapshotHeaderException e) {
                end();
                throw e;
            }
        }

        /**
         * A first line that is exactly {@code sep=X} (Excel writes {@code sep=;} so that it opens the file right) gives
         * the file's delimiter and is skipped: the header is the next line. The reader decides it once it handed out
         * the first line's end, so the first few characters are read here and given back when they are not a hint.
         */
        private void delimiterHint(BufferedReader in) throws IOException {
            in.mark(8);
            int c = 0;
            for (int i = 0; i < 8 && c != '\n' && c >= 0; i++) {
                c = in.read();
            }
            char hint = decoded.delimiterHint();
            if (hint == 0) {
                in.reset();
                return;
            }
            format = new CsvFormat(hint, format.quote(), format.encoding());
            lineOffset = 1;
            LOG.info("{}: its first line is Excel's delimiter hint sep={}: the file is read with the delimiter '{}' (instead of"
                    + " source.file.delimiter={}), its header is line 2", file.getFileName(), hint, printable(hint),
                    CsvFormat.name(CsvSource.this.format.delimiter()));
        }

        /** The row count the marker vouches for, -1 for none; a rows line that is not a count fails the snapshot. */
        private long expectedRows() {
            if (marker == null) {
                return -1;
            }
            String name = marker.nameFor(file.getFileName().toString());
            Marker.RowCount count = marker.rowCount(file);
            if (count instanceof Marker.RowCount.Rows vouched) {
                return vouched.rows();
            }
            if (count instanceof Marker.RowCount.Invalid invalid) {
                throw failure("its marker " + name + " " + invalid.problem() + "; write the marker again with the number"
                        + " of data rows as its only content (12345) or as a line rows=12345, or with no rows line", null);
            }
            if (saidNoCount.compareAndSet(false, true)) {
                LOG.info("{}: its marker {} holds no row count (a whole number, or a line rows=N), so the rows read are not"
                        + " checked against one (said once)", file.getFileName(), name);
            }
            return -1;
        }

        private int[] resolveColumns(CsvRecord header) {
            List<String> names = new ArrayList<>();
            header.getFields().forEach(f -> names.add(f.strip().toLowerCase(Locale.ROOT)));
            String line = "line " + (1 + lineOffset) + ": ";
            int[] index = new int[mapping.columns().size()];
            for (int i = 0; i < index.length; i++) {
                String wanted = mapping.columns().get(i).name();
                index[i] = names.indexOf(wanted.toLowerCase(Locale.ROOT));
                int second = index[i] < 0 ? -1 : names.lastIndexOf(wanted.toLowerCase(Locale.ROOT));
                if (second > index[i]) {
                    throw headerFailure(line + "the header names the column '" + wanted + "' twice (columns " + (index[i] + 1)
                            + " and " + (second + 1) + "); which one is the model is not clear, so nothing is taken"
                            + " from this file. Rename or drop one of them");
                }
                if (index[i] < 0) {
                    // A header's cells are column names and may be shown; a first line of data must not be.
                    String other = otherDelimiter(header.getFields());
                    throw headerFailure(other != null
                            ? line + "the header is not separated by '" + printable(format.delimiter()) + "' ("
                                    + (lineOffset > 0 ? "the file's line 1, sep=" + format.delimiter()
                                    : "source.file.delimiter=" + CsvFormat.name(format.delimiter())) + ") but by '"
                                    + printable(other.charAt(0)) + "': " + (lineOffset > 0 ? "write the file's line 1 as sep="
                                    + other.charAt(0) + ", or without it set" : "set") + " source.file.delimiter="
                                    + CsvFormat.name(other.charAt(0))
                            : looksLikeHeader(header.getFields())
                            ? line + "the header has no column '" + wanted + "', which sync.identifiers maps; its columns are "
                                    + header.getFields() + ". Set sync.identifiers to the file's column (e.g. sync.identifiers="
                                    + header.getFields().get(0).strip() + "=" + mapping.columns().get(i).type() + ") or rename"
                                    + " the column in the export"
                            : line + "the first line does not look like a header (" + header.getFieldCount() + " cells), so the"
                                    + " column '" + wanted + "' that sync.identifiers maps cannot be found; add a header row"
                                    + " naming the columns");
                }
            }
            if (mapping.keyColumn() != null) {
                keyIndex = names.indexOf(mapping.keyColumn().toLowerCase(Locale.ROOT));
                if (keyIndex < 0) {
                    throw headerFailure(line + "the header has no column '" + mapping.keyColumn() + "', which"
                            + " sync.rejects-key-column names; its columns are " + header.getFields());
                }
            }
            return index;
        }

        /** The delimiter the header is written with when it is not the configured one and holds every mapped column. */
        private String otherDelimiter(List<String> cells) {
            String line = String.join(String.valueOf(format.delimiter()), cells);
            for (char candidate : CsvFormat.candidates()) {
                if (candidate == format.delimiter() || line.indexOf(candidate) < 0) {
                    continue;
                }
                List<String> names = new ArrayList<>();
                for (String cell : line.split(java.util.regex.Pattern.quote(String.valueOf(candidate)), -1)) {
                    names.add(cell.strip().replace(String.valueOf(format.quote()), "").toLowerCase(Locale.ROOT));
                }
                if (mapping.columns().stream().allMatch(c -> names.contains(c.name().toLowerCase(Locale.ROOT)))) {
                    return String.valueOf(candidate);
                }
            }
            return null;
        }

        private static String printable(char c) {
            return c == '\t' ? "\\t" : String.valueOf(c);
        }

        /** Column names: words, not values (no '@', no digits-only cell, no digest or device id). */
        private static boolean looksLikeHeader(List<String> cells) {
            for (String cell : cells) {
                String name = cell.strip();
                if (!name.isEmpty() && !HEADER_CELL.matcher(name).matches() || name.matches("[0-9a-fA-F-]{16,}")) {
                    return false;
                }
            }
            return true;
        }

        @Override
        protected boolean hasNextRow() {
            if (records.hasNext()) {
                return true;
            }
            // The parser ended: only now is it known whether the file ended where a whole snapshot ends.
            long openQuote = decoded.openQuoteLine();
            if (openQuote > 0) {
                throw failure("line " + openQuote + ": a quoted field opens here and is never closed; the rest of the"
                        + " file would be one value, so the rows after this line were not read. Close the quote (\"\")"
                        + " or write the file again", null);
            }
            if (requireLineEnd && !decoded.endsWithLineEnd()) {
                throw failure("line " + decoded.lines() + ": the last line has no line end, so the file may have been"
                        + " cut off (source.file.require-line-end=true); its rows were read and nothing is removed. Write"
                        + " the file again; if its exporter never ends the last line, set source.file.require-line-end=false",
                        null);
            }
            if (expectedRows >= 0 && rows != expectedRows) {
                throw failure("the file has " + rows + " data rows, but its marker " + marker.nameFor(file.getFileName()
                        .toString()) + " says " + expectedRows + (expectedRows == rows + 1 ? " (does the count include the"
                        + " header row?)" : "") + ": the file may have been cut off at a line end, or the count is wrong;"
                        + " its rows were read and nothing is removed. Write the file and its marker again", null);
            }
            return false;
        }

        @Override
        protected Row nextRow() {
            CsvRecord record = records.next();
            rows++;
            lastLine = record.getStartingLineNumber() + lineOffset;
            String[] cells = new String[columnIndex.length];
            for (int i = 0; i < cells.length; i++) {
                cells[i] = record.getField(columnIndex[i]);
            }
            return new Row(lastLine, cells, keyIndex < 0 ? null : record.getField(keyIndex));
        }

        @Override
        protected SnapshotReadException readFailure(RuntimeException e) {
            if (e instanceof UncheckedIOException || e instanceof CsvParseException) {
                return failure(describe(e, false), e);
            }
            throw e;
        }

        /** @param header whether the header row was being read: no row was read then */
        private String describe(Exception e, boolean header) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof SnapshotFileReader.NotDecodableException notDecodable) {
                    return notDecodable.getMessage();
                }
                if (t instanceof SnapshotFileReader.BinaryDataException binary) {
                    boolean compressed = CsvFormat.isGzip(file.getFileName().toString());
                    return header
                            ? "line " + binary.line() + ": the header holds binary data, not text: " + binary.what() + " "
                                    + binary.where(compressed) + " (a file padded with zeros, a copy that went wrong, or not"
                                    + " a CSV file at all); nothing was read. Write the file again"
                            : "line " + binary.line() + ": " + binary.what() + " (binary data, not text) "
                                    + binary.where(compressed) + ": the file holds binary data from here on (a file padded"
                                    + " with zeros, or a copy that went wrong); the rows before it were read. Write the"
                                    + " file again";
                }
                if (t instanceof GzipInput.DamagedException damaged) {
                    return damaged.getMessage();
                }
            }
            String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            if (e.getCause() != null && e.getCause() != e && e.getCause().getMessage() != null) {
                message += ": " + e.getCause().getMessage();
            }
            return message;
        }

        private SnapshotReadException failure(String what, Exception cause) {
            return new SnapshotReadException(file.getFileName() + ": " + what, cause);
        }

        /** The file cannot be read with these settings at all: no row is read, nothing is sent. */
        private SnapshotHeaderException headerFailure(String what) {
            return new SnapshotHeaderException(file.getFileName() + ": " + what);
        }

        @Override
        protected void release() {
            try {
                if (reader != null) {
                    reader.close();
                }
            } catch (IOException ignored) {
                // read-only file: nothing is lost when closing fails
            }
        }
    }
}
