package io.audiencesync.state;

import io.audiencesync.identity.IdentifierType;
import io.audiencesync.records.SortedRecords;
import io.audiencesync.records.WireRecords;
import org.postgresql.copy.CopyOut;

import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * The members of one list as {@link SortedRecords}, read on a thread of their own from a {@code COPY (… ORDER BY key)
 * TO STDOUT (FORMAT binary)} of the PostgreSQL store: each row's key and type become a {@link WireRecords} record,
 * handed to the merge in blocks, so the database's sending, this reading and the merge go on at once. The plan
 * merges them with the snapshot as it merges a members file, so it relies on PostgreSQL's order of {@code bytea}
 * (unsigned bytes, then length) being the records' order: each record is checked to be greater than the one before,
 * and a row out of that order stops the plan before anything is sent. Counts the rows and XORs their keys' hashes on
 * the way, for the list's {@code list_state} check.
 */
final class PostgresMembers implements SortedRecords {

    private static final byte[] SIGNATURE = "PGCOPY\n\377\r\n\0".getBytes(StandardCharsets.ISO_8859_1);
    private static final int TYPES = IdentifierType.values().length;
    /** The longest text payload a record can have (256 characters of up to 4 UTF-8 bytes). */
    private static final int MAX_TEXT = WireRecords.MAX_LENGTH - 4;
    private static final int[] DIGEST_BYTES = {16, 20, 32};
    /** Bytes of records in a block handed from the reader thread to the merge. */
    private static final int BLOCK = 1 << 16;
    private static final Block END = new Block();

    private final CopyOut copy;
    private final Thread reader = new Thread(this::read, "state-postgres-members");
    private final BlockingQueue<Block> full = new ArrayBlockingQueue<>(8);
    private final BlockingQueue<Block> free = new ArrayBlockingQueue<>(16);
    /** Set by the reader thread before it hands over {@link #END}; read after that. */
    private volatile RuntimeException failure;
    private volatile boolean abandoned;
    /** The merge's side: the block it reads, where its next record starts, and where the current one does. */
    private Block current;
    private int position;
    private int offset;
    /** The reader's side: how it words what it finds wrong, the COPY message it parses, the last two rows. */
    private final Problems problems;
    private byte[] in = new byte[0];
    private int pos;
    private byte[] record = new byte[WireRecords.MAX_LENGTH];
    private byte[] last = new byte[WireRecords.MAX_LENGTH];
    private boolean hasLast;
    private boolean headerRead;
    private boolean ended;
    private long count;
    private long digest;

    /** How a caller words what it finds wrong. */
    interface Problems {
        /** A row that cannot be a record of this tool: the rows were changed outside it. */
        RuntimeException damaged(String what);

        /** Rows out of the records' order: the database's order of {@code bytea} is not the one the plan needs. */
        RuntimeException outOfOrder(String what);
    }

    PostgresMembers(CopyOut copy, Problems problems) {
        this.copy = copy;
        this.problems = problems;
        reader.setDaemon(true);
    }

    /** Records back to back. */
    private static final class Block {
        final byte[] records = new byte[BLOCK];
        int length;
    }

    /** Parses the next row into {@link #last}; false after the trailer. On the reader thread. */
    private boolean parseNext() {
        if (ended) {
            return false;
        }
        if (!headerRead) {
            readHeader();
        }
        if (!ensure(2)) {
            throw problems.damaged("the COPY of its rows ends without its trailer");
        }
        short fields = getShort();
        if (fields == -1) {
            // The trailer: the COPY ends with the next message (none), which the connection must read before it is used again.
            if (ensure(1)) {
                throw problems.damaged("the COPY of its rows goes on after its trailer");
            }
            ended = true;
            return false;
        }
        if (fields != 2) {
            throw problems.damaged("a row of " + fields + " columns where 2 were asked for");
        }
        int keyLength = field();
        if (keyLength < 1 || keyLength > 3 + MAX_TEXT) {
            throw problems.damaged("a key of " + keyLength + " bytes");
        }
        ensureOrFail(keyLength);
        byte kind = in[pos];
        int header = 0;
        if (kind < 0 || kind > WireRecords.KIND_TEXT) {
            throw problems.damaged("a key of unknown kind " + kind);
        }
        int payload = keyLength - 1;
        if (kind == WireRecords.KIND_TEXT) {
            if (payload > MAX_TEXT) {
                throw problems.damaged("a key longer than any value");
            }
            header = 3;
            record[1] = (byte) (payload >>> 8);
            record[2] = (byte) payload;
        } else {
            header = 1;
            if (payload != DIGEST_BYTES[kind]) {
                throw problems.damaged("a digest key of " + payload + " bytes");
            }
        }
        record[0] = kind;
        System.arraycopy(in, pos + 1, record, header, payload);
        pos += keyLength;
        if (field() != 2) {
            throw problems.damaged("a type that is not a smallint");
        }
        ensureOrFail(2);
        short type = getShort();
        if (type < 0 || type >= TYPES) {
            throw problems.damaged("an unknown identifier type " + type);
        }
        int length = header + payload + 1;
        record[length - 1] = (byte) type;
        if (hasLast && WireRecords.compare(last, 0, record, 0) >= 0) {
            throw problems.outOfOrder("row " + (count + 1) + " is not greater than the row before it in the tool's order"
                    + " (unsigned bytes, then length)");
        }
        byte[] swap = last;
        last = record;
        record = swap;
        hasLast = true;
        count++;
        digest ^= WireRecords.keyHash(last, 0);
        return true;
    }

    /**
     * Starts the reader thread: it reads and checks the rows while the caller merges the ones before, so the
     * database's sending, this process's reading and the merge go on at once.
     */
    PostgresMembers start() {
        reader.start();
        return this;
    }

    /** The reader thread's work: blocks of records until the trailer, then {@link #END}; a failure is handed over. */
    private void read() {
        try {
            Block block = null;
            while (!abandoned && parseNext()) {
                if (block == null) {
                    block = free.poll();
                    if (block == null) {
                        block = new Block();
                    }
                    block.length = 0;
                }
                int length = WireRecords.length(last, 0);
                System.arraycopy(last, 0, block.records, block.length, length);
                block.length += length;
                if (block.length > BLOCK - WireRecords.MAX_LENGTH) {
                    full.put(block);
                    block = null;
                }
            }
            if (block != null) {
                full.put(block);
            }
        } catch (RuntimeException e) {
            failure = e;
        } catch (InterruptedException e) {
            failure = new IllegalStateException("interrupted while reading the members", e);
        } finally {
            drain();
            try {
                full.put(END);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Reads what is left of the COPY, if anything: the run's connection (which holds the list's lock) stays usable.
     * Cancelling instead would race with the end of the COPY and could cancel the connection's next statement.
     */
    private void drain() {
        try {
            while (copy.isActive() && copy.readFromCopy() != null) {
                // rows after a failure are not needed
            }
        } catch (SQLException ignored) {
            // the connection is broken: the session's close ends it
        }
    }

    @Override
    public boolean next() {
        if (current != null && position < current.length) {
            offset = position;
            position += WireRecords.length(current.records, position);
            return true;
        }
        if (current == END) {
            return false;
        }
        if (current != null) {
            free.offer(current);
        }
        try {
            current = full.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while reading the members", e);
        }
        if (current == END) {
            join();
            if (failure != null) {
                throw failure;
            }
            return false;
        }
        position = 0;
        return next();
    }

    /** The record of the current row; valid until the next call of {@link #next()}. */
    @Override
    public byte[] buffer() {
        return current.records;
    }

    @Override
    public int offset() {
        return offset;
    }

    /** The rows read. Valid once {@link #next()} returned false. */
    long count() {
        return count;
    }

    /** The XOR of the rows' {@link WireRecords#keyHash key hashes}. Valid once {@link #next()} returned false. */
    long digest() {
        return digest;
    }

    /** Stops reading (the rest of the COPY is read and dropped) and waits for the reader thread. */
    @Override
    public void close() {
        if (!reader.isAlive() && current == END) {
            return;
        }
        abandoned = true;
        // Unblocks a reader waiting for room: blocks it hands over from here on are dropped.
        while (reader.isAlive()) {
            full.poll();
            try {
                reader.join(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        current = END;
    }

    private void join() {
        try {
            reader.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void readHeader() {
        if (!ensure(SIGNATURE.length + 8) || !Arrays.equals(in, pos, pos + SIGNATURE.length, SIGNATURE, 0, SIGNATURE.length)) {
            throw problems.damaged("the COPY does not start with the binary format's signature");
        }
        pos += SIGNATURE.length + 4;
        int extension = getInt();
        ensureOrFail(extension);
        pos += extension;
        headerRead = true;
    }

    /** A field's length (-1 is NULL, which no column of the store holds). */
    private int field() {
        ensureOrFail(4);
        int length = getInt();
        if (length < 0) {
            throw problems.damaged("a NULL");
        }
        return length;
    }

    private short getShort() {
        short v = (short) ((in[pos] & 0xFF) << 8 | in[pos + 1] & 0xFF);
        pos += 2;
        return v;
    }

    private int getInt() {
        int v = (in[pos] & 0xFF) << 24 | (in[pos + 1] & 0xFF) << 16 | (in[pos + 2] & 0xFF) << 8 | in[pos + 3] & 0xFF;
        pos += 4;
        return v;
    }

    private void ensureOrFail(int n) {
        if (!ensure(n)) {
            throw problems.damaged("the COPY of its rows ends inside a row");
        }
    }

    /**
     * Makes {@code n} bytes available at {@code pos}. The server sends one message a row, so this mostly takes the
     * next message whole; a row split over messages (the header, in some versions) is joined.
     */
    private boolean ensure(int n) {
        while (in.length - pos < n) {
            byte[] message;
            try {
                message = copy.readFromCopy();
            } catch (SQLException e) {
                throw new StateStoreException("cannot read the members from the PostgreSQL state store: " + e.getMessage(), e);
            }
            if (message == null) {
                return false;
            }
            int rest = in.length - pos;
            if (rest == 0) {
                in = message;
            } else {
                byte[] joined = Arrays.copyOfRange(in, pos, pos + rest + message.length);
                System.arraycopy(message, 0, joined, rest, message.length);
                in = joined;
            }
            pos = 0;
        }
        return true;
    }
}
