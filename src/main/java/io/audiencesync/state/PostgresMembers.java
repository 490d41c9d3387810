package io.audiencesync.state;

import io.audiencesync.records.SortedRecords;
import io.audiencesync.records.WireRecords;
import org.postgresql.copy.CopyOut;

import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * The members of one list as {@link SortedRecords}, read on a thread of their own from a {@code COPY (select content
 * … order by block) TO STDOUT (FORMAT binary)} of the PostgreSQL store's {@code list_block}: each row is a block of
 * records (see {@link MemberBlocks}) that the reader checks (every record whole, of a known kind and type, greater
 * than the one before, across rows) and hands to the merge as it came from the driver, with no copy, so the
 * database's sending, this reading and the merge go on at once. The members that rows refer to in the desired state
 * ({@link DesiredValues}) come first: read on the same thread, in blocks of their own. Counts the records and XORs
 * their keys' hashes on the way, for the list's {@code list_state} check.
 */
final class PostgresMembers implements SortedRecords {

    private static final byte[] SIGNATURE = "PGCOPY\n\377\r\n\0".getBytes(StandardCharsets.ISO_8859_1);
    private static final Block END = new Block(new byte[0], 0, 0);

    private final CopyOut copy;
    private final Thread reader = new Thread(this::read, "state-postgres-members");
    private final BlockingQueue<Block> full = new ArrayBlockingQueue<>(8);
    private final MemberBlocks.Checker checker = new MemberBlocks.Checker(true);
    /** The members the rows refer to in the desired state, read before the rows; null when none. */
    private final DesiredValues referred;
    /** Set by the reader thread before it hands over {@link #END}; read after that. */
    private volatile RuntimeException failure;
    private volatile boolean abandoned;
    /** The merge's side: the block it reads, where its next record starts, and where the current one does. */
    private Block current;
    private int position;
    private int offset;
    /** The reader's side: how it words what it finds wrong, and the COPY message it parses. */
    private final Problems problems;
    private byte[] in = new byte[0];
    private int pos;
    private boolean headerRead;
    private boolean ended;

    /** How a caller words what it finds wrong. */
    interface Problems {
        /** Rows that cannot be this tool's: they were changed outside it. */
        RuntimeException damaged(String what);
    }

    /** @param referred the members that rows refer to in the desired state, or null; closed with this */
    PostgresMembers(CopyOut copy, DesiredValues referred, Problems problems) {
        this.copy = copy;
        this.referred = referred;
        this.problems = problems;
        reader.setDaemon(true);
    }

    /** Records back to back in {@code records[from, to)}. */
    private record Block(byte[] records, int from, int to) {
    }

    /** The next row's records, checked; null after the trailer. On the reader thread. */
    private Block parseNext() {
        if (ended) {
            return null;
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
            return null;
        }
        if (fields != 1) {
            throw problems.damaged("a row of " + fields + " columns where 1 was asked for");
        }
        int length = field();
        ensureOrFail(length);
        Block block = new Block(in, pos, pos + length);
        pos += length;
        String problem = checker.check(block.records(), block.from(), block.to());
        if (problem != null) {
            throw problems.damaged(problem);
        }
        return block;
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
            if (referred != null) {
                readReferred();
            }
            Block block;
            while (!abandoned && (block = parseNext()) != null) {
                if (block.to() > block.from()) {
                    full.put(block);
                }
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
     * The members the rows refer to, in blocks of about {@link MemberBlocks#TARGET} bytes, checked as the rows'
     * records are and handed over the same way.
     */
    private void readReferred() throws InterruptedException {
        try (referred) {
            DesiredValues.Chunk chunk;
            while (!abandoned && (chunk = referred.next(Long.MAX_VALUE, MemberBlocks.TARGET)).length() > 0) {
                String problem = checker.check(chunk.records(), 0, chunk.length());
                if (problem != null) {
                    throw problems.damaged(problem);
                }
                full.put(new Block(chunk.records(), 0, chunk.length()));
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
        if (current != null && position < current.to()) {
            offset = position;
            position += WireRecords.length(current.records(), position);
            return true;
        }
        if (current == END) {
            return false;
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
        position = current.from();
        return next();
    }

    /** The record of the current row; valid until the next call of {@link #next()}. */
    @Override
    public byte[] buffer() {
        return current.records();
    }

    @Override
    public int offset() {
        return offset;
    }

    /** The records read. Valid once {@link #next()} returned false. */
    long count() {
        return checker.count();
    }

    /** The XOR of the records' {@link WireRecords#keyHash key hashes}. Valid once {@link #next()} returned false. */
    long digest() {
        return checker.digest();
    }

    /** Stops reading (the rest of the COPY is read and dropped) and waits for the reader thread. */
    @Override
    public void close() {
        if (!reader.isAlive() && current == END) {
            return;
        }
        abandoned = true;
        if (!awaitEnd(reader, full)) {
            return;
        }
        if (referred != null) {
            // Closed by the reader once read; not yet if the reader never ran.
            referred.close();
        }
        current = END;
    }

    /**
     * Waits for {@code thread}, which hands what it reads to {@code queue} and has been told to stop, to end: takes
     * from the queue meanwhile, so that a thread waiting for room goes on (what it hands over is dropped).
     *
     * @return false when this thread was interrupted first
     */
    static boolean awaitEnd(Thread thread, BlockingQueue<?> queue) {
        while (thread.isAlive()) {
            queue.poll();
            try {
                thread.join(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
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
     * next message whole; a row split over messages (the header, in some versions) is joined into a new array, so
     * the arrays already handed to the merge are never written again.
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
