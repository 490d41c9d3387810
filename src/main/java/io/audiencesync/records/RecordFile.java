package io.audiencesync.records;

import io.audiencesync.state.StateCorruptedException;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/** Files of wire records (sorted runs, plans, list members): written and read through 1 MB buffers. */
public final class RecordFile {

    public static final int BUFFER = 1 << 20;

    private RecordFile() {
    }

    /** Reads a file of records in order; a missing file reads as empty. */
    public static SortedRecords read(Path file) {
        return Files.exists(file) ? new Reader(file) : SortedRecords.empty();
    }

    /** The first {@code limit} values of a record file, as wire values. */
    public static List<String> values(Path file, int limit) {
        List<String> out = new ArrayList<>();
        try (SortedRecords records = read(file)) {
            while (out.size() < limit && records.next()) {
                out.add(WireRecords.value(records.buffer(), records.offset()));
            }
        }
        return out;
    }

    /** Every record as a {@code value<TAB>TYPE} line (tests and small lists only). */
    public static List<String> lines(Path file) {
        List<String> out = new ArrayList<>();
        try (SortedRecords records = read(file)) {
            while (records.next()) {
                out.add(WireRecords.line(records.buffer(), records.offset()));
            }
        }
        return out;
    }

    /** Appends records; {@link #close()} flushes, {@link #closeAndForce()} also forces them to the disk. */
    public static final class Writer implements AutoCloseable {
        private final Path file;
        private final OutputStream out;
        private long count;

        public Writer(Path file) {
            this.file = file;
            try {
                this.out = new BufferedOutputStream(Files.newOutputStream(file), BUFFER);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write " + file, e);
            }
        }

        public void write(byte[] buf, int off) {
            try {
                out.write(buf, off, WireRecords.length(buf, off));
                count++;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write " + file, e);
            }
        }

        public long count() {
            return count;
        }

        @Override
        public void close() {
            try {
                out.close();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write " + file, e);
            }
        }

        public void closeAndForce() {
            close();
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
                ch.force(true);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot force " + file + " to the disk", e);
            }
        }
    }

    /** Parses records in place in a 1 MB buffer; a record cut by the buffer's end is moved to its start. */
    private static final class Reader implements SortedRecords {
        private final Path file;
        private final InputStream in;
        private final byte[] buf = new byte[BUFFER];
        private int pos;
        private int limit;
        private int current = -1;
        private boolean eof;

        Reader(Path file) {
            this.file = file;
            try {
                this.in = Files.newInputStream(file);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + file, e);
            }
        }

        @Override
        public boolean next() {
            if (!ensure(1)) {
                current = -1;
                return false;
            }
            if (!ensure(WireRecords.headerLength(buf[pos]))) {
                throw truncated();
            }
            int length = WireRecords.length(buf, pos);
            if (!ensure(length)) {
                throw truncated();
            }
            current = pos;
            pos += length;
            return true;
        }

        /** Makes {@code n} bytes readable at {@code pos}; false when the file ends first. */
        private boolean ensure(int n) {
            if (limit - pos >= n) {
                return true;
            }
            if (eof) {
                return false;
            }
            System.arraycopy(buf, pos, buf, 0, limit - pos);
            limit -= pos;
            pos = 0;
            try {
                while (limit < n || limit < buf.length / 2) {
                    int read = in.read(buf, limit, buf.length - limit);
                    if (read < 0) {
                        eof = true;
                        break;
                    }
                    limit += read;
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + file, e);
            }
            return limit - pos >= n;
        }

        private StateCorruptedException truncated() {
            return new StateCorruptedException(file + " ends inside a record: the file is damaged");
        }

        @Override
        public byte[] buffer() {
            return buf;
        }

        @Override
        public int offset() {
            return current;
        }

        @Override
        public void close() {
            try {
                in.close();
            } catch (IOException ignored) {
                // read-only: nothing is lost when closing fails
            }
        }
    }
}
