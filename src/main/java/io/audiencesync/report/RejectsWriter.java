package io.audiencesync.report;

import de.siegmar.fastcsv.writer.CsvWriter;
import io.audiencesync.identity.Identifier;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The rejects file of one run ({@code rejects/<run-id>.csv}): row, column, type, reason code and a redacted
 * sample of every value that was not sent. Created on the first reject; never holds a raw value.
 */
public final class RejectsWriter implements AutoCloseable {

    private final Path file;
    private final String keyColumn;
    private CsvWriter writer;

    public RejectsWriter(Path file) {
        this(file, null);
    }

    /** @param keyColumn the source column whose value each line carries after the row number, or null */
    public RejectsWriter(Path file, String keyColumn) {
        this.file = file;
        this.keyColumn = keyColumn;
    }

    public void write(long row, String key, String column, Identifier.Rejected reject) {
        try {
            if (writer == null) {
                Files.createDirectories(file.getParent());
                writer = CsvWriter.builder().build(file, StandardCharsets.UTF_8);
                if (keyColumn == null) {
                    writer.writeRecord("row", "column", "type", "reason", "sample");
                } else {
                    writer.writeRecord("row", keyColumn, "column", "type", "reason", "sample");
                }
            }
            if (keyColumn == null) {
                writer.writeRecord(Long.toString(row), column, reject.type().name(), reject.reason().name(),
                        reject.redactedSample());
            } else {
                writer.writeRecord(Long.toString(row), key == null ? "" : key, column, reject.type().name(),
                        reject.reason().name(), reject.redactedSample());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the rejects file " + file, e);
        }
    }

    /** The file, or null when nothing was rejected. */
    public Path file() {
        return writer == null ? null : file;
    }

    @Override
    public void close() {
        if (writer != null) {
            try {
                writer.close();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot finish the rejects file " + file, e);
            }
        }
    }
}
