package io.audiencesync.records;

import io.audiencesync.state.StateCorruptedException;

import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * Files of wire records (sorted runs, plans, list members, the desired state), written and read through 1 MB
 * buffers. Every file ends with a {@link Seal}: the number of records, their bytes and a CRC-32C of them, so that a
 * file cut short (at a record boundary too), emptied, padded or with a byte changed is found when it is read, never
 * used. Readers check every record's kind, length and type as they go, the seal at the end, and, for sorted files,
 * that each record is greater than the one before (sorted and distinct, as they were written).
 */
public final class RecordFile {

    public static final int BUFFER = 1 << 20;

    /** What a damaged file of this tool's own means when its reader has nothing more specific to say. */
    public static final String WORK_FILE_ADVICE = "This run wrote the file itself: the disk under sync.data-dir"
            + " returned other bytes than were written. Check the disk (and that nothing else writes there), then run"
            + " again; nothing was sent from it";


    private RecordFile() {
    }

    /** How a reader checks the order of the records. */
    public enum Order {
        /** Each record greater than the one before: sorted and distinct (members, desired state, sorted runs). */
        ASCENDING,
        /** Any order (a plan computed by a database). */
        ANY
    }

    /**
     * The end of every record file: {@code 0x7F | "PASR" | count(8) | record bytes(8) | CRC-32C(4)}. Its first byte is
     * never a record's kind (0-3), so a reader knows where the records end.
     */
    public static final class Seal {
        public static final byte MARK = 0x7F;
        private static final int MAGIC = 0x50_41_53_52; // "PASR"
        public static final int LENGTH = 1 + 4 + 8 + 8 + 4;

        private final CRC32C crc = new CRC32C();
        private long count;
        private long bytes;

        /** Takes the bytes of records in {@code buf[from, from + length)}, in the order they are written. */
        public void bytes(byte[] buf, int from, int length) {
            crc.update(buf, from, length);
            bytes += length;
        }

        /** Counts {@code n} more records. */
        public void records(long n) {
            count += n;
        }

        public long count() {
            return count;
        }

        /** The seal's bytes for what was added. */
        public byte[] toBytes() {
            return ByteBuffer.allocate(LENGTH).put(MARK).putInt(MAGIC).putLong(count).putLong(bytes)
                    .putInt((int) crc.getValue()).array();
        }
    }

    /** Reads a sorted, distinct file of records; a missing file reads as empty. */
    public static SortedRecords read(Path file) {
        return read(file, Order.ASCENDING, -1, WORK_FILE_ADVICE);
    }

    /** Reads a file whose records may come in any order (a plan the database computed). */
    public static SortedRecords readAnyOrder(Path file) {
        return read(file, Order.ANY, -1, WORK_FILE_ADVICE);
    }

    /**
     * Reads a file of records, checked as it is read; a missing file reads as empty.
     *
     * @param expectedCount the records its owner says it holds (-1: only the seal's word)
     * @param advice        what a person does when it turns out damaged (said with the damage)
     * @throws StateCorruptedException from {@code next()} when the file is damaged
     */
    public static SortedRecords read(Path file, Order order, long expectedCount, String advice) {
        return Files.exists(file) ? new Reader(file, order, expectedCount, advice, true) : SortedRecords.empty();
    }

    /**
     * Reads a sorted file written before files were sealed (a state directory of an earlier release): the records
     * are checked one by one and for their order; a seal, if there is one, too.
     */
    public static SortedRecords readUnsealed(Path file, String advice) {
        return new Reader(file, Order.ASCENDING, -1, advice, false);
    }

    /** The first {@code limit} values of a record file, as wire values. */
    public static List<String> values(Path file, int limit) {
        List<String> out = new ArrayList<>();
        try (SortedRecords records = readAnyOrder(file)) {
            while (out.size() < limit && records.next()) {
                out.add(WireRecords.value(records.buffer(), records.offset()));
            }
        }
        return out;
    }

    /** Every record as a {@code value<TAB>TYPE} line (tests and small lists only). */
    public static List<String> lines(Path file) {
        List<String> out = new ArrayList<>();
        try (SortedRecords records = readAnyOrder(file)) {
            while (records.next()) {
                out.add(WireRecords.line(records.buffer(), records.offset()));
            }
        }
        return out;
    }

    /**
     * Appends records and, on {@link #close()}, the seal; {@link #closeAndForce()} also forces the file to the disk.
     * The checksum is taken of each full buffer as it goes to the file, not record by record.
     */
    public static final class Writer implements AutoCloseable {
        private final Path file;
        private final OutputStream raw;
        private final OutputStream out;
        private final Seal seal = new Seal();
        private long count;
        private boolean closed;

        public Writer(Path file) {
            this(file, OutputStream.nullOutputStream());
        }

        /** A writer that also hands every byte it writes to the file, seal included, to {@code copy}, in order. */
        public Writer(Path file, OutputStream copy) {
            this.file = file;
            try {
                OutputStream disk = Files.newOutputStream(file);
                this.raw = new FilterOutputStream(disk) {
                    @Override
                    public void write(byte[] b, int off, int len) throws IOException {
                        disk.write(b, off, len);
                        copy.write(b, off, len);
                    }
                };
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write " + file, e);
            }
            this.out = new BufferedOutputStream(new FilterOutputStream(raw) {
                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    seal.bytes(b, off, len);
                    raw.write(b, off, len);
                }
            }, BUFFER);
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

        /** Writes the seal after the records and closes the file. */
        @Override
        public void close() {
            if (closed) {
                return;
            }
            closed = true;
            try (raw) {
                out.flush();
                seal.records(count);
                raw.write(seal.toBytes());
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

    /**
     * Parses records in place in a 1 MB buffer; a record cut by the buffer's end is moved to its start. The
     * checksum is taken of the records consumed before each such move, and of the rest at the seal.
     */
    private static final class Reader implements SortedRecords {
        private final Path file;
        private final Order order;
        private final long expectedCount;
        private final String advice;
        private final boolean sealRequired;
        private final InputStream in;
        private final byte[] buf = new byte[BUFFER];
        private final CRC32C crc = new CRC32C();
        private final byte[] last = new byte[WireRecords.MAX_LENGTH];
        private boolean hasLast;
        /** The file offset of {@code buf[0]}. */
        private long base;
        private int pos;
        private int limit;
        /** {@code buf[checked, pos)}: records read whose bytes the checksum has not taken yet. */
        private int checked;
        private int current = -1;
        private long count;
        private long bytes;
        private boolean eof;
        private boolean ended;

        Reader(Path file, Order order, long expectedCount, String advice, boolean sealRequired) {
            this.file = file;
            this.order = order;
            this.expectedCount = expectedCount;
            this.advice = advice;
            this.sealRequired = sealRequired;
            try {
                this.in = Files.newInputStream(file);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + file, e);
            }
        }

        @Override
        public boolean next() {
            if (ended) {
                return false;
            }
            if (!ensure(1)) {
                end(false, null);
                return false;
            }
            byte kind = buf[pos];
            if (kind == Seal.MARK) {
                end(true, readSeal());
                return false;
            }
            // A whole record is at most MAX_LENGTH bytes: fewer are readable only at the end of the file.
            ensure(WireRecords.MAX_LENGTH);
            String damage = WireRecords.damage(buf, pos, limit - pos, "the file ends inside a record");
            if (damage != null) {
                throw damaged(damage);
            }
            int length = WireRecords.length(buf, pos);
            if (order == Order.ASCENDING) {
                if (hasLast && WireRecords.compare(last, 0, buf, pos) >= 0) {
                    throw damaged("a record that is not greater than the one before (the file is sorted and distinct)");
                }
                System.arraycopy(buf, pos, last, 0, length);
                hasLast = true;
            }
            current = pos;
            pos += length;
            count++;
            bytes += length;
            return true;
        }

        /** The seal at {@code pos}, checked against what was read; null when it matches. */
        private String readSeal() {
            crc.update(buf, checked, pos - checked);
            checked = pos;
            if (!ensure(Seal.LENGTH)) {
                return "its seal is cut off (the file was cut short)";
            }
            ByteBuffer seal = ByteBuffer.wrap(buf, pos + 1, Seal.LENGTH - 1);
            int magic = seal.getInt();
            long sealedCount = seal.getLong();
            long sealedBytes = seal.getLong();
            int sealedCrc = seal.getInt();
            pos += Seal.LENGTH;
            checked = pos;
            if (magic != Seal.MAGIC) {
                return "its seal is damaged";
            }
            if (sealedCount != count || sealedBytes != bytes) {
                return "it holds " + count + " records in " + bytes + " bytes, its seal says " + sealedCount
                        + " in " + sealedBytes;
            }
            if (sealedCrc != (int) crc.getValue()) {
                return "its checksum does not match its records (a byte changed)";
            }
            if (ensure(1)) {
                return "bytes follow its seal";
            }
            return null;
        }

        /**
         * The records ended, at the seal or at the end of the file without one: checks what must hold then.
         *
         * @param sealProblem what is wrong with the seal, null when it matches (or there is none)
         */
        private void end(boolean sealed, String sealProblem) {
            ended = true;
            current = -1;
            close();
            if (sealProblem != null) {
                throw damaged(sealProblem);
            }
            if (!sealed && sealRequired) {
                throw damaged(count == 0 && bytes == 0 ? "the file is empty: its seal is missing"
                        : "the file ends without its seal (it was cut short, or emptied and written over)");
            }
            if (expectedCount >= 0 && count != expectedCount) {
                throw damaged("it holds " + count + " records where " + expectedCount + " are recorded");
            }
        }

        /** Makes {@code n} bytes readable at {@code pos}; false when the file ends first. */
        private boolean ensure(int n) {
            if (limit - pos >= n) {
                return true;
            }
            if (eof) {
                return false;
            }
            crc.update(buf, checked, pos - checked);
            System.arraycopy(buf, pos, buf, 0, limit - pos);
            base += pos;
            limit -= pos;
            pos = 0;
            checked = 0;
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

        private StateCorruptedException damaged(String what) {
            close();
            return new StateCorruptedException(file + " is damaged: " + what + " (at byte " + (base + pos) + "). "
                    + advice);
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
