package io.audiencesync.state;

import io.audiencesync.records.RecordFile;
import io.audiencesync.records.WireRecords;
import org.postgresql.PGStatement;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

/**
 * Values of a desired state's records file kept in the PostgreSQL store's {@code state_file} ({@link
 * PostgresStateFiles}), streamed part after part on a connection of their own: what the rows of {@code list_block}
 * that refer to the desired state hold (a first sync's batches, and the members they become, written once: as the
 * desired state's values, not as copies). Hands out whole records in arrays of their own, as rows of {@code
 * list_block} hold them, for the caller to check as it checks those rows; reads {@code limit} values after skipping
 * {@code skip}, and a file that ends first is damage. The file's seal is not read: the values end before it, and what
 * proves them is the list's count and digest.
 */
final class DesiredValues implements AutoCloseable {

    /** What {@link WireRecords#damage} says of a record the part ends in: the next part has the rest. */
    private static final String CUT = "cut";

    /** Records handed out, and how many bytes of the array they fill. */
    record Chunk(byte[] records, int length) {
    }

    private final Connection connection;
    private final String name;
    private final long limit;
    private final PostgresMembers.Problems problems;
    private final Parts parts;
    /** The part being read from {@code pos}, with the rest of the part before it when a record spans the two. */
    private byte[] buf;
    private int pos;
    private long read;

    /**
     * @param connection closed with this
     * @param table      the schema's {@code state_file}
     * @param name       the file's name in it
     */
    DesiredValues(Connection connection, String table, String name, long skip, long limit,
                  PostgresMembers.Problems problems) throws SQLException {
        this.connection = connection;
        this.name = name;
        this.limit = skip + limit;
        this.problems = problems;
        try {
            connection.setAutoCommit(false);
            PreparedStatement st = connection.prepareStatement("select content from " + table + " where name = ? order by part");
            // Two parts of 1 MB at a time, not the whole file; as bytes (binary transfer), not as hexadecimal text.
            st.setFetchSize(2);
            st.unwrap(PGStatement.class).setPrepareThreshold(-1);
            st.setString(1, name);
            ResultSet rows = st.executeQuery();
            if (!rows.next()) {
                throw problems.damaged("rows that refer to the desired state '" + name + "', which " + table
                        + " does not hold (deleted outside this tool?)");
            }
            buf = rows.getBytes(1);
            parts = new Parts(rows);
            for (; read < skip; read++) {
                if (!wholeRecord()) {
                    throw tooFew();
                }
                pos += WireRecords.length(buf, pos);
            }
        } catch (SQLException | RuntimeException e) {
            close();
            throw e;
        }
    }

    /**
     * The next values, whole, back to back: at most {@code maxRecords}, and no more once {@code maxBytes} are filled;
     * none after the limit.
     */
    Chunk next(long maxRecords, int maxBytes) {
        // Room for the values asked for at about 40 bytes each (a hashed value is 34), grown when longer ones come.
        byte[] out = new byte[(int) Math.min(maxBytes, Math.min(maxRecords, limit - read) * 40) + WireRecords.MAX_LENGTH];
        int length = 0;
        for (long taken = 0; taken < maxRecords && read < limit && length < maxBytes; taken++, read++) {
            if (!wholeRecord()) {
                close();
                throw tooFew();
            }
            int n = WireRecords.length(buf, pos);
            if (length + n > out.length) {
                out = Arrays.copyOf(out, Math.max(out.length * 2, length + n));
            }
            System.arraycopy(buf, pos, out, length, n);
            length += n;
            pos += n;
        }
        return new Chunk(out, length);
    }

    private RuntimeException tooFew() {
        return problems.damaged("rows that refer to " + limit + " values of the desired state '" + name + "', which holds "
                + read);
    }

    /** Makes a whole record readable at {@code pos}, joining the next part when one is cut; false at the seal or the end. */
    private boolean wholeRecord() {
        while (true) {
            int available = buf.length - pos;
            if (available > 0) {
                byte kind = buf[pos];
                if (kind == RecordFile.Seal.MARK) {
                    return false;
                }
                String damage = WireRecords.damage(buf, pos, available, CUT);
                if (damage == null) {
                    return true;
                }
                if (damage != CUT) {
                    close();
                    throw problems.damaged("rows that refer to the desired state '" + name + "', whose values are"
                            + " damaged: " + damage);
                }
            }
            byte[] part = parts.take();
            if (part == null) {
                return false;
            }
            byte[] joined = Arrays.copyOfRange(buf, pos, buf.length + part.length);
            System.arraycopy(part, 0, joined, available, part.length);
            buf = joined;
            pos = 0;
        }
    }

    @Override
    public void close() {
        if (parts != null) {
            parts.close();
        }
        try {
            connection.close();
        } catch (SQLException ignored) {
            // read only: its transaction goes with it
        }
    }

    /**
     * The parts after the first, fetched on a thread of their own, a few ahead, so that the database's sending and
     * this process's reading go on at once.
     */
    private final class Parts {
        private static final byte[] END = new byte[0];
        private final BlockingQueue<byte[]> fetched = new ArrayBlockingQueue<>(4);
        private final Thread fetcher;
        /** Set by the fetcher before it hands over {@link #END}. */
        private volatile SQLException failure;
        private volatile boolean closed;
        private boolean ended;

        Parts(ResultSet rows) {
            fetcher = new Thread(() -> fetch(rows), "state-postgres-desired");
            fetcher.setDaemon(true);
            fetcher.start();
        }

        private void fetch(ResultSet rows) {
            try {
                while (!closed && rows.next()) {
                    fetched.put(rows.getBytes(1));
                }
            } catch (SQLException e) {
                failure = e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                try {
                    fetched.put(END);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        /** The next part; null after the last. */
        byte[] take() {
            if (ended) {
                return null;
            }
            byte[] part;
            try {
                part = fetched.take();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StateStoreException("interrupted while reading the desired state '" + name + "'", e);
            }
            if (part != END) {
                return part;
            }
            ended = true;
            if (failure != null) {
                throw new StateStoreException("cannot read the desired state '" + name + "' from the PostgreSQL state"
                        + " store: " + failure.getMessage(), failure);
            }
            return null;
        }

        /** Stops the fetcher (parts it fetched meanwhile are dropped) and waits for it. */
        void close() {
            closed = true;
            PostgresMembers.awaitEnd(fetcher, fetched);
        }
    }
}
