package io.audiencesync.source;

import de.siegmar.fastcsv.reader.CloseableIterator;
import de.siegmar.fastcsv.reader.CsvParseException;
import de.siegmar.fastcsv.reader.CsvReader;
import de.siegmar.fastcsv.reader.CsvRecord;
import io.audiencesync.identity.IdentifierMapping;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;

/**
 * Streams a CSV snapshot as chunks of rows: header row, UTF-8 with or without BOM, comma separated,
 * RFC 4180 quoting, CRLF or LF. Only the mapped columns are kept, so memory holds one chunk at a time.
 * A file that stops parsing part-way (bad quoting, a row with another number of fields, bytes that are not
 * UTF-8) ends the iteration with a {@link SnapshotReadException} naming the line.
 */
public final class CsvSource {

    private final IdentifierMapping mapping;
    private final int chunkSize;

    public CsvSource(IdentifierMapping mapping, int chunkSize) {
        this.mapping = mapping;
        this.chunkSize = chunkSize;
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
        private CsvReader<CsvRecord> reader;
        private CloseableIterator<CsvRecord> records;
        private int[] columnIndex;
        private long lastLine = 1;

        ChunkIterator(Path file) {
            super(chunkSize);
            this.file = file;
            try {
                BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8);
                in.mark(1);
                if (in.read() != '\uFEFF') {
                    in.reset();
                }
                reader = CsvReader.builder().skipEmptyLines(true).ofCsvRecord(in);
                records = reader.iterator();
                if (!records.hasNext()) {
                    throw failure("the file is empty: a header row naming the columns " + mapping + " is required", null);
                }
                columnIndex = resolveColumns(records.next());
            } catch (IOException | UncheckedIOException | CsvParseException e) {
                end();
                throw failure(describe(e), e);
            } catch (SnapshotReadException e) {
                end();
                throw e;
            }
        }

        private int[] resolveColumns(CsvRecord header) {
            List<String> names = new ArrayList<>();
            header.getFields().forEach(f -> names.add(f.strip().toLowerCase(Locale.ROOT)));
            int[] index = new int[mapping.columns().size()];
            for (int i = 0; i < index.length; i++) {
                String wanted = mapping.columns().get(i).name();
                index[i] = names.indexOf(wanted.toLowerCase(Locale.ROOT));
                if (index[i] < 0) {
                    throw failure("line 1: the header has no column '" + wanted + "' (sync.identifiers maps it); columns are "
                            + header.getFields(), null);
                }
            }
            return index;
        }

        @Override
        protected boolean hasNextRow() {
            return records.hasNext();
        }

        @Override
        protected Row nextRow() {
            CsvRecord record = records.next();
            lastLine = record.getStartingLineNumber();
            String[] cells = new String[columnIndex.length];
            for (int i = 0; i < cells.length; i++) {
                cells[i] = record.getField(columnIndex[i]);
            }
            return new Row(lastLine, cells);
        }

        @Override
        protected SnapshotReadException readFailure(RuntimeException e) {
            if (e instanceof UncheckedIOException || e instanceof CsvParseException) {
                return failure(describe(e), e);
            }
            throw e;
        }

        private String describe(Exception e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            if (cause instanceof CharacterCodingException) {
                return "after line " + lastLine + ": the file is not valid UTF-8";
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
