package io.audiencesync.state;

import io.audiencesync.identity.IdentifierType;
import io.audiencesync.plan.Operation;
import io.audiencesync.records.RecordFile;
import io.audiencesync.records.WireRecords;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32;

/**
 * The file store's journal of acknowledged batches ({@code journal.bin}): one block a batch,
 * {@code magic(4) | sequence(8) | operation(1) | count(4) | length(4) | records(length) | crc32(4)}, records as in
 * {@link WireRecords}, the checksum over everything before it, the blocks numbered from 1 in the order the batches
 * were acknowledged. A block cut short at the end of the file, or a last block whose checksum does not match, is a
 * torn write (the process or the machine died while writing it); damage anywhere before the last block, or a number
 * missing in the sequence, is corruption. Journals of the earlier release (magic "PASJ", no sequence) still replay.
 */
final class Journal {

    private static final int MAGIC = 0x50_41_53_32; // "PAS2"
    private static final int LEGACY_MAGIC = 0x50_41_53_4A; // "PASJ"
    private static final int HEADER = 21;
    private static final int LEGACY_HEADER = 13;
    private static final int TRAILER = 4;

    /** Told each record of every whole block, in the order the batches were acknowledged. */
    interface Sink {
        void add(Operation operation, byte[] buf, int off);
    }

    /** What replaying found wrong: a torn last block (its values dropped) is not an error. */
    static final class Damaged extends Exception {
        final long offset;

        Damaged(long offset, String what) {
            super(what);
            this.offset = offset;
        }
    }

    private Journal() {
    }

    /** Block {@code sequence} (from 1) for a batch of {@code count} records, back to back in {@code records}. */
    static ByteBuffer block(long sequence, Operation operation, int count, byte[] records) {
        ByteBuffer block = ByteBuffer.allocate(HEADER + records.length + TRAILER);
        block.putInt(MAGIC).putLong(sequence).put((byte) operation.ordinal()).putInt(count).putInt(records.length)
                .put(records);
        CRC32 crc = new CRC32();
        crc.update(block.array(), 0, block.position());
        block.putInt((int) crc.getValue());
        return block.flip();
    }

    /**
     * Hands every record of every whole block to {@code sink}.
     *
     * @return the number of values of a torn last block that was dropped, or -1 when the journal ended cleanly
     * @throws Damaged when a block before the last one is damaged
     */
    static long replay(Path file, Sink sink) throws IOException, Damaged {
        return replay(file, sink, new long[1]);
    }

    /** The number of the last whole block of the journal (0 for none): where appending it goes on. */
    static long lastSequence(Path file) throws IOException, Damaged {
        long[] last = new long[1];
        replay(file, (operation, buf, off) -> { }, last);
        return last[0];
    }

    private static long replay(Path file, Sink sink, long[] lastSequence) throws IOException, Damaged {
        long size = Files.size(file);
        long offset = 0;
        long sequence = 0;
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file), RecordFile.BUFFER))) {
            while (offset < size) {
                long left = size - offset;
                if (left < LEGACY_HEADER) {
                    return 0;
                }
                byte[] start = new byte[4];
                in.readFully(start);
                int magic = ByteBuffer.wrap(start).getInt();
                int headerLength = magic == LEGACY_MAGIC ? LEGACY_HEADER : HEADER;
                if (left < headerLength) {
                    return 0;
                }
                byte[] header = new byte[headerLength];
                System.arraycopy(start, 0, header, 0, 4);
                in.readFully(header, 4, headerLength - 4);
                ByteBuffer h = ByteBuffer.wrap(header, 4, headerLength - 4);
                long blockSequence = magic == MAGIC ? h.getLong() : 0;
                int op = h.get();
                int count = h.getInt();
                int length = h.getInt();
                boolean sane = (magic == MAGIC || magic == LEGACY_MAGIC) && op >= 0 && op < Operation.values().length
                        && count > 0 && length > 0 && (long) length <= (long) count * WireRecords.MAX_LENGTH;
                if (!sane) {
                    if (isZeros(header) && restIsZeros(in)) {
                        // The file grew before its data reached the disk: a torn write.
                        return 0;
                    }
                    throw new Damaged(offset, "a batch header is damaged");
                }
                if (left < headerLength + (long) length + TRAILER) {
                    return count;
                }
                byte[] records = new byte[length];
                in.readFully(records);
                int stored = in.readInt();
                CRC32 crc = new CRC32();
                crc.update(header);
                crc.update(records);
                long end = offset + headerLength + length + TRAILER;
                if ((int) crc.getValue() != stored) {
                    if (end == size) {
                        return count;
                    }
                    throw new Damaged(offset, "a batch checksum does not match");
                }
                if (magic == MAGIC) {
                    if (blockSequence != sequence + 1) {
                        throw new Damaged(offset, blockSequence > sequence + 1
                                ? "batches " + (sequence + 1) + " to " + (blockSequence - 1) + " are missing (the blocks are numbered)"
                                : "batch " + blockSequence + " comes again after batch " + sequence);
                    }
                    sequence = blockSequence;
                    lastSequence[0] = sequence;
                }
                Operation operation = Operation.values()[op];
                int pos = 0;
                int n = 0;
                while (pos < length) {
                    int recordLength = pos + 3 <= length && records[pos] >= 0 && records[pos] <= WireRecords.KIND_TEXT
                            ? WireRecords.length(records, pos) : Integer.MAX_VALUE;
                    if (recordLength > length - pos || records[pos + recordLength - 1] < 0
                            || records[pos + recordLength - 1] >= IdentifierType.values().length) {
                        throw new Damaged(offset, "a batch's values do not fill it exactly");
                    }
                    sink.add(operation, records, pos);
                    pos += recordLength;
                    n++;
                }
                if (n != count) {
                    throw new Damaged(offset, "a batch holds " + n + " values, its header says " + count);
                }
                offset = end;
            }
        } catch (EOFException e) {
            throw new UncheckedIOException("the state journal " + file + " shrank while it was read", e);
        }
        return -1;
    }

    private static boolean isZeros(byte[] bytes) {
        for (byte b : bytes) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    private static boolean restIsZeros(InputStream in) throws IOException {
        byte[] buf = new byte[8192];
        int read;
        while ((read = in.read(buf)) >= 0) {
            for (int i = 0; i < read; i++) {
                if (buf[i] != 0) {
                    return false;
                }
            }
        }
        return true;
    }
}
