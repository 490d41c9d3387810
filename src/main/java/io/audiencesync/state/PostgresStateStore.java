package io.audiencesync.state;

import io.audiencesync.identity.IdentifierType;
import io.audiencesync.identity.Normalizer;
import io.audiencesync.plan.Batch;
import io.audiencesync.plan.Operation;
import io.audiencesync.plan.Plan;
import io.audiencesync.plan.Planner;
import io.audiencesync.records.RecordFile;
import io.audiencesync.records.SortedRecords;
import io.audiencesync.records.WireRecords;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.postgresql.copy.CopyOut;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Array;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Pattern;

/**
 * The PostgreSQL store ({@code state.store=postgres}): the members of every customer list in one table of one
 * schema, created and migrated at start. A plan reads the list's rows in key order ({@code COPY … TO STDOUT}, binary,
 * along the primary key's index) and merges them with the sorted snapshot in this process, as the file store merges
 * its members file; each acknowledged batch is one COPY (ADD) or DELETE, committed before the next batch goes out.
 * The write lock of a list is a session advisory lock on the run's own connection: the database drops it when that
 * connection goes, so a killed run never leaves a stale lock.
 *
 * <p>What proves a list's members whole is its row of {@code list_state}: their count, the XOR of their keys'
 * {@link WireRecords#keyHash hashes}, and the number of batches recorded, updated in the same transaction as each
 * batch. A plan checks it for free: it reads every row anyway, and counts and hashes them on the way. Rows deleted,
 * added or changed outside this tool, a truncated or dropped table, are found before anything is sent.
 *
 * <p>Keys are the {@link WireRecords} key (kind byte, then the digest's bytes or the text's UTF-8 bytes) as
 * {@code bytea}, which PostgreSQL orders by unsigned bytes, then length, with no collation: the order of the sorted
 * files, whatever the database's locale. The merge checks it row by row. A digest takes 33 bytes.
 */
public final class PostgresStateStore implements StateStore {

    private static final Logger LOG = LoggerFactory.getLogger(PostgresStateStore.class);
    private static final Pattern SCHEMA = Pattern.compile("[a-z_][a-z0-9_]{0,62}");
    private static final byte[] COPY_HEADER = "PGCOPY\n\377\r\n\0".getBytes(StandardCharsets.ISO_8859_1);

    /** Each migration once, in order; the applied ones are rows of {@code schema_version}. */
    private static final List<String> MIGRATIONS = List.of(
            // 1: members of each customer list; type is IdentifierType's ordinal, as in the binary files
            "create table list_member (customer_list_id bigint not null, key bytea not null, type smallint not null,"
                    + " primary key (customer_list_id, key))",
            // 2: what proves each list's members whole (filled for the lists there are, see sealLists), and where
            // run --once --reset-state sets a damaged list's rows aside
            "create table list_state (customer_list_id bigint primary key, member_count bigint not null,"
                    + " digest bigint not null, batches bigint not null, updated_at timestamptz not null default now());"
                    + " create table list_member_set_aside (set_aside_at timestamptz not null, customer_list_id bigint not null,"
                    + " key bytea not null, type smallint not null)",
            // 3: what replicas without a shared volume share besides the members (PostgresStateFiles), and the tokens
            // (PostgresTokenStore); a records file's parts are stored as they are (they do not compress)
            "create table state_file (name text not null, part int not null, content bytea not null,"
                    + " updated_at timestamptz not null default now(), primary key (name, part));"
                    + " alter table state_file alter column content set storage external;"
                    + " create table token (name text primary key, content bytea, updated_at timestamptz not null default now())");
    /** The tables a schema at the current version has. */
    private static final List<String> TABLES = List.of("schema_version", "list_member", "list_state", "list_member_set_aside",
            "state_file", "token");

    private final String url;
    private final Properties credentials;
    private final String schema;
    /** Started by the first batch recorded; null until then and after {@link #close()}. */
    private Flusher flusher;
    /** Writes the rows of batches while they are sent ({@link StoredList#prepare}); a thread per list being sent. */
    private final ExecutorService preparer = Executors.newCachedThreadPool(task -> {
        Thread t = new Thread(task, "state-postgres-prepare");
        t.setDaemon(true);
        return t;
    });

    /**
     * Connects once to create or migrate the schema.
     *
     * @throws SQLException when the database cannot be reached or migrated (the tool stops at start)
     */
    public PostgresStateStore(String url, String user, String password, String schema) throws SQLException {
        if (!SCHEMA.matcher(schema).matches()) {
            throw new IllegalArgumentException("must be a lowercase SQL name such as pinterest_audience_sync, got '" + schema + "'");
        }
        this.url = url;
        this.schema = schema;
        this.credentials = new Properties();
        if (user != null) {
            credentials.setProperty("user", user);
        }
        if (password != null) {
            credentials.setProperty("password", password);
        }
        credentials.setProperty("ApplicationName", "pinterest-audience-sync");
        try (Connection c = connect()) {
            migrate(c);
            checkTables(c);
        }
    }

    /** A table of the schema gone while schema_version says it was made: the state was dropped, never a fresh start. */
    private void checkTables(Connection c) throws SQLException {
        for (String table : TABLES) {
            try (PreparedStatement st = c.prepareStatement("select to_regclass(?)")) {
                st.setString(1, schema + "." + table);
                try (ResultSet rs = st.executeQuery()) {
                    rs.next();
                    if (rs.getString(1) == null) {
                        throw gone(table);
                    }
                }
            }
        }
    }

    private StateCorruptedException gone(String table) {
        return new StateCorruptedException("the PostgreSQL state is damaged: the table " + schema + "." + table
                + " is gone (dropped?), while the schema records that it was made. Nothing was sent. Restore the schema "
                + schema + " from a backup, or drop the whole schema to start every list's state again (each sync then"
                + " re-adds every value of its model, and values that left a model meanwhile cannot be removed)");
    }

    /** A statement that found a table of the state gone, or failed otherwise. */
    private RuntimeException failure(SQLException e, String doing) {
        if ("42P01".equals(e.getSQLState())) {
            for (String table : TABLES) {
                if (String.valueOf(e.getMessage()).contains(table)) {
                    return gone(table);
                }
            }
        }
        return new StateStoreException("cannot " + doing + " in the PostgreSQL state store: " + e.getMessage(), e);
    }

    @Override
    public StateFiles files(Path dataDir) {
        return new PostgresStateFiles(this::connect, schema, dataDir);
    }

    /** The Pinterest tokens in this store; {@code earlier}, a token file, is taken in when the store has none. */
    public io.audiencesync.pinterest.TokenStore tokens(io.audiencesync.pinterest.TokenFile earlier) {
        return new PostgresTokenStore(this::connect, schema, earlier);
    }

    @Override
    public String kind() {
        return "postgres";
    }

    private Connection connect() throws SQLException {
        return DriverManager.getConnection(url, credentials);
    }

    private void migrate(Connection c) throws SQLException {
        c.setAutoCommit(false);
        try (Statement st = c.createStatement()) {
            // Serializes processes starting at once; released with the transaction.
            st.execute("select pg_advisory_xact_lock(" + lockId("migrate:" + schema) + ")");
            st.execute("create schema if not exists " + schema);
            st.execute("create table if not exists " + schema + ".schema_version (version int primary key,"
                    + " applied_at timestamptz not null default now())");
            int current;
            try (ResultSet rs = st.executeQuery("select coalesce(max(version), 0) from " + schema + ".schema_version")) {
                rs.next();
                current = rs.getInt(1);
            }
            if (current > MIGRATIONS.size()) {
                throw new SQLException("schema " + schema + " is at version " + current + ", newer than this tool ("
                        + MIGRATIONS.size() + "); use a newer pinterest-audience-sync");
            }
            st.execute("set local search_path to " + schema);
            for (int v = current + 1; v <= MIGRATIONS.size(); v++) {
                st.execute(MIGRATIONS.get(v - 1));
                if (v == 2) {
                    sealLists(c);
                }
                st.execute("insert into schema_version (version) values (" + v + ")");
                LOG.info("PostgreSQL state: schema {} migrated to version {}", schema, v);
            }
            c.commit();
        } catch (SQLException e) {
            c.rollback();
            throw e;
        }
    }

    /**
     * Records what proves each list's members whole, for the lists an earlier release left (migration 2): their
     * count and digest, read once, in the migration's transaction.
     */
    private void sealLists(Connection c) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("select customer_list_id, key from " + schema
                + ".list_member order by customer_list_id")) {
            st.setFetchSize(10_000);
            long list = -1;
            long count = 0;
            long digest = 0;
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    long id = rs.getLong(1);
                    if (id != list && list >= 0) {
                        insertListState(c, list, count, digest);
                        count = 0;
                        digest = 0;
                    }
                    list = id;
                    count++;
                    digest ^= WireRecords.keyHashOfKey(rs.getBytes(2));
                }
            }
            if (list >= 0) {
                insertListState(c, list, count, digest);
            }
        }
    }

    private void insertListState(Connection c, long list, long count, long digest) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("insert into " + schema + ".list_state (customer_list_id,"
                + " member_count, digest, batches) values (?, ?, ?, 0)")) {
            st.setLong(1, list);
            st.setLong(2, count);
            st.setLong(3, digest);
            st.executeUpdate();
        }
    }

    @Override
    public Session begin(String lockKey) {
        Connection c = null;
        try {
            c = connect();
            long lock = lockId("list:" + schema + ":" + lockKey);
            try (PreparedStatement st = c.prepareStatement("select pg_try_advisory_lock(?)")) {
                st.setLong(1, lock);
                try (ResultSet rs = st.executeQuery()) {
                    rs.next();
                    if (!rs.getBoolean(1)) {
                        throw new StateLockedException("another process is syncing '" + lockKey + "' (it holds its"
                                + " PostgreSQL advisory lock in schema " + schema + "); this run stopped before reading the"
                                + " snapshot and sent nothing");
                    }
                }
            }
            return new PgSession(c, lock);
        } catch (SQLException e) {
            closeQuietly(c);
            throw failure(e, "take the list's lock");
        } catch (RuntimeException e) {
            closeQuietly(c);
            throw e;
        }
    }

    /** A 64-bit advisory lock id from a name (the first 8 bytes of its SHA-256). */
    private static long lockId(String name) {
        return ByteBuffer.wrap(HexFormat.of().parseHex(Normalizer.sha256(name).substring(0, 16))).getLong();
    }

    private static void closeQuietly(Connection c) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // the connection is gone either way, and its locks with it
            }
        }
    }

    @Override
    public synchronized void close() {
        preparer.shutdown();
        if (flusher != null) {
            flusher.close();
            flusher = null;
        }
    }

    private synchronized Flusher flusher() {
        if (flusher == null) {
            flusher = new Flusher();
        }
        return flusher;
    }

    /**
     * Makes the batches that were committed without waiting for the disk durable, while the next batch is on its
     * way to Pinterest: one synchronous commit on a connection and thread of its own, whose wait for the WAL to be
     * flushed up to its own commit covers every commit before it. What the file store's journal does with a force
     * after each block; one for every list of the process.
     */
    private final class Flusher {
        private final ExecutorService thread = Executors.newSingleThreadExecutor(task -> {
            Thread t = new Thread(task, "state-postgres-flush");
            t.setDaemon(true);
            return t;
        });
        /** Used on that thread only. */
        private Connection connection;

        CompletableFuture<Void> flush() {
            return CompletableFuture.runAsync(() -> {
                try {
                    if (connection == null) {
                        connection = connect();
                        connection.setAutoCommit(false);
                    }
                    try (Statement st = connection.createStatement()) {
                        // A transaction id makes the commit write a record, and wait for the disk (synchronous_commit).
                        st.execute("select txid_current()");
                    }
                    connection.commit();
                } catch (SQLException e) {
                    closeQuietly(connection);
                    connection = null;
                    throw new CompletionException(e);
                }
            }, thread);
        }

        void close() {
            thread.execute(() -> closeQuietly(connection));
            thread.shutdown();
        }
    }

    private final class PgSession implements Session {
        private final Connection c;
        private final long lock;

        PgSession(Connection c, long lock) {
            this.c = c;
            this.lock = lock;
        }

        /** The list this session opened, whose batch being written is dropped before the session ends. */
        private PgList opened;

        @Override
        public StoredList open(String customerListId) {
            opened = new PgList(c, Long.parseLong(customerListId));
            return opened;
        }

        @Override
        public boolean hasState(String customerListId) {
            try (PreparedStatement st = c.prepareStatement("select exists (select 1 from " + schema + ".list_state where"
                    + " customer_list_id = ?) or exists (select 1 from " + schema + ".list_member where customer_list_id = ?)")) {
                st.setLong(1, Long.parseLong(customerListId));
                st.setLong(2, Long.parseLong(customerListId));
                try (ResultSet rs = st.executeQuery()) {
                    rs.next();
                    return rs.getBoolean(1);
                }
            } catch (SQLException e) {
                throw failure(e, "read the state of customer list " + customerListId);
            }
        }

        @Override
        public String setAside(String customerListId, Path setAsideDir) {
            long list = Long.parseLong(customerListId);
            boolean auto = autoCommit(c);
            try {
                c.setAutoCommit(false);
                long rows;
                try (PreparedStatement copy = c.prepareStatement("insert into " + schema + ".list_member_set_aside"
                        + " (set_aside_at, customer_list_id, key, type) select now(), customer_list_id, key, type from "
                        + schema + ".list_member where customer_list_id = ?");
                     PreparedStatement members = c.prepareStatement("delete from " + schema + ".list_member where customer_list_id = ?");
                     PreparedStatement state = c.prepareStatement("delete from " + schema + ".list_state where customer_list_id = ?")) {
                    copy.setLong(1, list);
                    rows = copy.executeUpdate();
                    members.setLong(1, list);
                    members.executeUpdate();
                    state.setLong(1, list);
                    state.executeUpdate();
                }
                c.commit();
                return rows + " rows of customer list " + customerListId + " copied to " + schema + ".list_member_set_aside";
            } catch (SQLException e) {
                rollback(c);
                throw failure(e, "set the state of customer list " + customerListId + " aside");
            } finally {
                restoreAutoCommit(c, auto);
            }
        }

        @Override
        public void close() {
            if (opened != null) {
                opened.drop();
            }
            // Unlocked here, not left to the end of the connection: the server ends a closed session a moment later.
            try (PreparedStatement st = c.prepareStatement("select pg_advisory_unlock(?)")) {
                st.setLong(1, lock);
                st.execute();
            } catch (SQLException ignored) {
                // the connection is broken: the server drops the lock when it notices
            } finally {
                closeQuietly(c);
            }
        }
    }

    /** A batch being written while it is on its way to Pinterest, and the work writing it. */
    private record Prepared(Batch batch, CompletableFuture<Void> rows) {
    }

    /** What {@code list_state} records of one list: its members' count and digest, and the batches that made them. */
    private record Recorded(long count, long digest, long batches) {
    }

    private final class PgList implements StoredList {
        private final Connection c;
        private final long listId;
        /** Where an ADD batch's COPY is written, kept from batch to batch. */
        private ByteBuffer copyBuffer;
        /** The flush that makes the last batch recorded durable; waited for before the next one is committed. */
        private CompletableFuture<Void> pendingFlush;
        /** The batch whose rows are being written, uncommitted, while it is on its way; null when none. */
        private Prepared prepared;

        PgList(Connection c, long listId) {
            this.c = c;
            this.listId = listId;
        }

        @Override
        public Plan plan(SortedRecords snapshot, Path workDir) {
            try {
                Recorded recorded = recorded();
                if (recorded.count() == 0) {
                    try (snapshot; Planner.PlanWriter plan = new Planner.PlanWriter(workDir)) {
                        // Nothing to diff against: every value is an add, no need to read the table.
                        if (hasRows()) {
                            throw damaged(recorded, "it holds rows of the list, where list_state records none");
                        }
                        long snapshotCount = 0;
                        while (snapshot.next()) {
                            plan.add(snapshot.buffer(), snapshot.offset());
                            snapshotCount++;
                        }
                        plan.counts(snapshotCount, 0);
                        plan.close();
                        return plan.plan();
                    }
                }
                return merge(snapshot, recorded, workDir);
            } catch (SQLException e) {
                snapshot.close();
                throw failure(e, "plan");
            }
        }

        /**
         * The list's rows streamed in key order ({@code COPY … TO STDOUT (FORMAT binary)}, one pass of the primary
         * key's index) and merged with the sorted snapshot here, as the file store merges its members file: the
         * database only reads, nothing is loaded into it or joined there. Their count and digest, taken on the way,
         * must be what {@code list_state} records.
         */
        private Plan merge(SortedRecords snapshot, Recorded recorded, Path workDir) throws SQLException {
            boolean auto = c.getAutoCommit();
            PostgresMembers members = null;
            try {
                c.setAutoCommit(false);
                try (Statement st = c.createStatement()) {
                    // The rows in the index's order, never sorted by the server: a sort of every row would spill to
                    // disk at the default work_mem, and a bitmap scan loses the order. Without statistics (a table
                    // just filled) the planner would choose both.
                    st.execute("set local enable_sort = off");
                    st.execute("set local enable_bitmapscan = off");
                }
                CopyOut copy = c.unwrap(PGConnection.class).getCopyAPI().copyOut("copy (select key, type from " + schema
                        + ".list_member where customer_list_id = " + listId + " order by key) to stdout (format binary)");
                members = new PostgresMembers(copy, new PostgresMembers.Problems() {
                    @Override
                    public RuntimeException damaged(String what) {
                        return PgList.this.damaged(recorded, "it holds " + what);
                    }

                    @Override
                    public RuntimeException outOfOrder(String what) {
                        return new StateStoreException("PostgreSQL returned the rows of customer list " + listId + " of "
                                + schema + ".list_member out of order: " + what + ". The plan merges them with the"
                                + " snapshot in that order, so nothing was planned or sent. The column key must be"
                                + " bytea (see \\d " + schema + ".list_member), as this tool's migrations made it", null);
                    }
                }).start();
                Plan plan = Planner.plan(snapshot, members, workDir);
                c.commit();
                if (members.count() != recorded.count() || members.digest() != recorded.digest()) {
                    throw damaged(recorded, "it holds " + members.count() + " values of the list where list_state records "
                            + recorded.count() + (members.count() == recorded.count() ? ", and other ones" : "")
                            + " (rows deleted, added or changed outside this tool, or the table truncated)");
                }
                return plan;
            } catch (SQLException | RuntimeException e) {
                if (members != null) {
                    members.close();
                }
                rollback(c);
                throw e;
            } finally {
                restoreAutoCommit(c, auto);
            }
        }

        private Recorded recorded() throws SQLException {
            try (PreparedStatement st = c.prepareStatement("select member_count, digest, batches from " + schema
                    + ".list_state where customer_list_id = ?")) {
                st.setLong(1, listId);
                try (ResultSet rs = st.executeQuery()) {
                    return rs.next() ? new Recorded(rs.getLong(1), rs.getLong(2), rs.getLong(3)) : new Recorded(0, 0, 0);
                }
            }
        }

        private boolean hasRows() throws SQLException {
            try (PreparedStatement st = c.prepareStatement("select exists (select 1 from " + schema
                    + ".list_member where customer_list_id = ?)")) {
                st.setLong(1, listId);
                try (ResultSet rs = st.executeQuery()) {
                    rs.next();
                    return rs.getBoolean(1);
                }
            }
        }

        private StateCorruptedException damaged(Recorded recorded, String what) {
            return new StateCorruptedException("the PostgreSQL state of customer list " + listId + " is damaged: the table "
                    + schema + ".list_member does not match " + schema + ".list_state (" + recorded.count() + " values from "
                    + recorded.batches() + " batches): " + what + ". "
                    + StateCorruptedException.resetAdvice("customer list " + listId));
        }

        /**
         * Writes {@code batch}'s rows while it is on its way to Pinterest, on a thread of the store's, in a transaction
         * left open: the {@link #commit} after its 2xx then only commits it, and the rows' COPY is no longer between
         * one batch's answer and the next batch's call. Uncommitted, the rows count for no one: a batch that fails, or
         * a process killed meanwhile, leaves the state as it was (the transaction is rolled back), so the next run
         * sends it again, as before.
         */
        @Override
        public void prepare(Batch batch) {
            if (batch.size() == 0) {
                return;
            }
            drop();
            prepared = new Prepared(batch, CompletableFuture.runAsync(() -> {
                try {
                    write(batch);
                } catch (SQLException e) {
                    throw new CompletionException(e);
                }
            }, preparer));
        }

        /**
         * Records a batch Pinterest acknowledged and, in the same transaction, what it changed of the list's count and
         * digest: only the rows the statement really inserted or deleted count (a value already in, or never in,
         * changes nothing). The rows were written by {@link #prepare} while the batch was sent, else they are now.
         *
         * <p>The transaction is committed before this returns, so a killed process loses nothing of it, but without
         * waiting for the disk: the {@link Flusher} makes it durable while the next batch is on its way, and that
         * flush is waited for before the next batch is committed. A database that crashes or loses power loses at
         * most the last batch recorded, which the next run sends again (ADD and REMOVE are idempotent at Pinterest),
         * as with the file store; the count and digest are in the same transaction, so they never disagree.
         */
        @Override
        public void commit(Batch batch) {
            if (batch.size() == 0) {
                return;
            }
            if (prepared != null && prepared.batch() != batch) {
                drop();
            }
            Prepared ready = prepared;
            prepared = null;
            try {
                if (ready != null) {
                    ready.rows().join();
                } else {
                    write(batch);
                }
                awaitFlush();
                c.commit();
                pendingFlush = flusher().flush();
            } catch (SQLException | CompletionException e) {
                rollback(c);
                Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
                if (cause instanceof SQLException sql) {
                    throw failure(sql, "record an acknowledged batch (it will be sent again by the next run)");
                }
                throw cause instanceof RuntimeException runtime ? runtime : new StateStoreException(cause.getMessage(), cause);
            } catch (RuntimeException e) {
                rollback(c);
                throw e;
            } finally {
                restoreAutoCommit(c, true);
            }
        }

        /** The rows of {@code batch} and its list's count and digest, in a transaction this leaves open. */
        private void write(Batch batch) throws SQLException {
            Operation operation = batch.operation();
            byte[] records = batch.records();
            c.setAutoCommit(false);
            long[] changed = operation == Operation.ADD ? copyIn(records, batch.size()) : null;
            if (changed == null) {
                changed = returning(operation, records, batch.size());
            }
            long count = changed[0];
            long digest = changed[1];
            try (Statement st = c.createStatement()) {
                // Read at the commit: the flush after it waits for the disk instead, while the next batch is sent.
                st.execute("set local synchronous_commit = off");
            }
            try (PreparedStatement st = c.prepareStatement("insert into " + schema + ".list_state (customer_list_id,"
                    + " member_count, digest, batches) values (?, ?, ?, 1) on conflict (customer_list_id) do update set"
                    + " member_count = list_state.member_count + excluded.member_count,"
                    + " digest = list_state.digest # excluded.digest, batches = list_state.batches + 1, updated_at = now()")) {
                st.setLong(1, listId);
                st.setLong(2, operation == Operation.ADD ? count : -count);
                st.setLong(3, digest);
                st.executeUpdate();
            }
        }

        /** Rolls back the rows a prepared batch wrote that was not acknowledged (it failed, or another came first). */
        private void drop() {
            Prepared stale = prepared;
            prepared = null;
            if (stale == null) {
                return;
            }
            try {
                stale.rows().join();
            } catch (CompletionException ignored) {
                // it failed: rolled back below either way
            }
            rollback(c);
            restoreAutoCommit(c, true);
        }

        /**
         * An ADD batch by {@code COPY … FROM STDIN (FORMAT binary)}: no statement to parse, no array to build, no
         * keys sent back. Every value of a plan's ADD batch is new to the list, so each row is inserted and counts;
         * a value already there (a batch recorded twice, a test's duplicate) fails the COPY, and the batch is then
         * recorded by {@link #returning} in a new transaction.
         *
         * @return the rows inserted and their digest, or null when a value was already there
         */
        private long[] copyIn(byte[] records, int size) throws SQLException {
            CopyIn copy = c.unwrap(PGConnection.class).getCopyAPI().copyIn("copy " + schema
                    + ".list_member (customer_list_id, key, type) from stdin (format binary)");
            long digest = 0;
            try {
                if (copyBuffer == null) {
                    copyBuffer = ByteBuffer.allocate(RecordFile.BUFFER);
                }
                ByteBuffer out = copyBuffer.clear();
                out.put(COPY_HEADER).putInt(0).putInt(0);
                for (int pos = 0; pos < records.length; pos += WireRecords.length(records, pos)) {
                    if (out.remaining() < WireRecords.MAX_LENGTH + 24) {
                        copy.writeToCopy(out.array(), 0, out.position());
                        out.clear();
                    }
                    out.putShort((short) 3).putInt(8).putLong(listId);
                    putKey(out, records, pos);
                    digest ^= WireRecords.keyHash(records, pos);
                }
                out.putShort((short) -1);
                copy.writeToCopy(out.array(), 0, out.position());
                copy.endCopy();
            } catch (SQLException e) {
                if (copy.isActive()) {
                    copy.cancelCopy();
                }
                if (!"23505".equals(e.getSQLState())) {
                    throw e;
                }
                c.rollback();
                return null;
            }
            return new long[] {size, digest};
        }

        /**
         * A batch by one statement that returns the keys it really inserted or deleted: {@code INSERT … ON CONFLICT
         * DO NOTHING} or {@code DELETE … = ANY(…)}.
         *
         * @return the rows changed and their digest
         */
        private long[] returning(Operation operation, byte[] records, int size) throws SQLException {
            byte[][] keys = new byte[size][];
            Short[] types = new Short[size];
            for (int i = 0, pos = 0; i < keys.length; pos += WireRecords.length(records, pos), i++) {
                keys[i] = key(records, pos);
                types[i] = (short) WireRecords.type(records, pos).ordinal();
            }
            String sql = operation == Operation.ADD
                    ? "insert into " + schema + ".list_member (customer_list_id, key, type) select ?, k, t"
                            + " from unnest(?::bytea[], ?::smallint[]) as u(k, t) on conflict do nothing returning key"
                    : "delete from " + schema + ".list_member where customer_list_id = ? and key = any(?::bytea[]) returning key";
            long changed = 0;
            long digest = 0;
            try (PreparedStatement st = c.prepareStatement(sql)) {
                st.setLong(1, listId);
                st.setArray(2, c.createArrayOf("bytea", keys));
                if (operation == Operation.ADD) {
                    st.setArray(3, c.createArrayOf("int2", types));
                }
                try (ResultSet rs = st.executeQuery()) {
                    while (rs.next()) {
                        changed++;
                        digest ^= WireRecords.keyHashOfKey(rs.getBytes(1));
                    }
                }
            }
            return new long[] {changed, digest};
        }

        /** Waits until every batch recorded so far is on the database's disk. */
        private void awaitFlush() {
            CompletableFuture<Void> flush = pendingFlush;
            if (flush == null) {
                return;
            }
            pendingFlush = null;
            try {
                flush.join();
            } catch (CompletionException e) {
                Throwable cause = e.getCause();
                throw new StateStoreException("cannot make the batches recorded in the PostgreSQL state store durable"
                        + " (the last one may be sent again by the next run): " + cause.getMessage(), cause);
            }
        }

        @Override
        public void finish() {
            // Every batch was committed as it was acknowledged: nothing to fold, the last one to make durable.
            drop();
            awaitFlush();
        }
    }

    private static boolean autoCommit(Connection c) {
        try {
            return c.getAutoCommit();
        } catch (SQLException e) {
            return true;
        }
    }

    private static void restoreAutoCommit(Connection c, boolean auto) {
        try {
            c.setAutoCommit(auto);
        } catch (SQLException ignored) {
            // a broken connection: the session's close drops it
        }
    }

    private static void rollback(Connection c) {
        try {
            c.rollback();
        } catch (SQLException ignored) {
            // nothing was committed; a broken connection rolls back on its own
        }
    }

    /** Appends the COPY fields key and type of a record. */
    private static void putKey(ByteBuffer out, byte[] buf, int off) {
        int keyLength = WireRecords.keyLength(buf, off);
        int header = WireRecords.headerLength(buf[off]);
        // The key leaves out the text length: kind then payload, so bytea order is the records' order.
        out.putInt(keyLength - header + 1);
        out.put(buf[off]);
        out.put(buf, off + header, keyLength - header);
        out.putInt(2);
        out.putShort(buf[off + keyLength]);
    }

    /** The database key of a record: its kind byte and payload, without the text length. */
    static byte[] key(byte[] buf, int off) {
        int keyLength = WireRecords.keyLength(buf, off);
        int header = WireRecords.headerLength(buf[off]);
        byte[] key = new byte[keyLength - header + 1];
        key[0] = buf[off];
        System.arraycopy(buf, off + header, key, 1, keyLength - header);
        return key;
    }
}
