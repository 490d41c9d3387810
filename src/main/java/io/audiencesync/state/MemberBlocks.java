package io.audiencesync.state;

import io.audiencesync.records.WireRecords;

/**
 * The {@code content} of a row of the PostgreSQL store's {@code list_block}: {@link WireRecords} records back to back,
 * as in the file store's members file and journal. A row of members holds up to {@link #TARGET} bytes of them, in
 * order, and every row's records are greater than the rows' before it (by {@code block}); a batch's row holds the
 * batch as it was sent.
 */
final class MemberBlocks {

    /** The bytes of records a row of members is filled to: few rows, each stored out of line (TOAST) in 2 KB chunks. */
    static final int TARGET = 1 << 20;

    private MemberBlocks() {
    }

    /** Checks records read back from the database, counting and hashing them on the way. */
    static final class Checker {
        private final boolean ascending;
        /** The last record checked: in the array of an earlier row, which nothing writes to once read. */
        private byte[] lastBuf;
        private int lastOff;
        private long count;
        private long digest;

        /** @param ascending whether each record must be greater than the one before, across rows */
        Checker(boolean ascending) {
            this.ascending = ascending;
        }

        /**
         * Checks the records of {@code buf[from, to)}: each whole, of a known kind and type, and, when ascending,
         * greater than the one before.
         *
         * @return null when they are, else what is wrong
         */
        String check(byte[] buf, int from, int to) {
            int pos = from;
            while (pos < to) {
                String damage = WireRecords.damage(buf, pos, to - pos, "a record cut off at the end of its row");
                if (damage != null) {
                    return damage;
                }
                int length = WireRecords.length(buf, pos);
                if (ascending && lastBuf != null && WireRecords.compare(lastBuf, lastOff, buf, pos) >= 0) {
                    return "value " + (count + 1) + " is not greater than the one before it (the members are sorted"
                            + " and distinct)";
                }
                lastBuf = buf;
                lastOff = pos;
                count++;
                digest ^= WireRecords.keyHash(buf, pos);
                pos += length;
            }
            return null;
        }

        long count() {
            return count;
        }

        /** The XOR of the records' {@link WireRecords#keyHash key hashes}. */
        long digest() {
            return digest;
        }
    }

    /** Where {@link Packer} puts each full row of members; {@code index} counts them from 0. */
    interface Sink {
        void row(long index, byte[] content, int length, int count, long digest);
    }

    /** Packs members, given in order, into rows of about {@link #TARGET} bytes. */
    static final class Packer implements Fold.Out {
        private final Sink sink;
        private byte[] content = new byte[TARGET + WireRecords.MAX_LENGTH];
        private int length;
        private int count;
        private long digest;
        private long rows;
        private long total;
        private long totalDigest;

        Packer(Sink sink) {
            this.sink = sink;
        }

        @Override
        public void write(byte[] buf, int off) {
            int n = WireRecords.length(buf, off);
            System.arraycopy(buf, off, content, length, n);
            length += n;
            count++;
            long hash = WireRecords.keyHash(buf, off);
            digest ^= hash;
            totalDigest ^= hash;
            total++;
            if (length >= TARGET) {
                flush();
            }
        }

        /** Hands over the row being filled, if any. */
        void flush() {
            if (count > 0) {
                sink.row(rows++, content, length, count, digest);
            }
            length = 0;
            count = 0;
            digest = 0;
        }

        /** The rows handed over. */
        long rows() {
            return rows;
        }

        long count() {
            return total;
        }

        long digest() {
            return totalDigest;
        }
    }
}
