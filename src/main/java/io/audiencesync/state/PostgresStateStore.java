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
import org.postgresql.copy.CopyOut;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
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
 * schema, created and migrated at start, as blocks of records ({@code list_block}, see {@link MemberBlocks}), the file
 * store's members file and journal in rows: each acknowledged batch is one row, committed before the next batch goes
 * out, and the end of the run folds the batches into the list's rows of members. A plan reads those rows in order
 * ({@code COPY … TO STDOUT}, binary, along the primary key's index) and merges them with the sorted snapshot in this
 * process, as the file store merges its members file. The write lock of a list is a session advisory lock on the
 * run's own connection: the database drops it when that connection goes, so a killed run never leaves a stale lock.
 *
 * <p>What proves a list's members whole is its row of {@code list_state}: their count, the XOR of their keys'
 * {@link WireRecords#keyHash hashes}, the batches recorded and the rows of batches not folded yet. A plan checks it
 * for free: it reads every record anyway, and counts and hashes them on the way; a fold checks each batch's row
 * against the count and digest it was written with. Rows deleted, added or changed outside this tool, a truncated or
 * dropped table, are found before anything is sent.
 */
public final class PostgresStateStore implements StateStore {

    private static final Logger LOG = LoggerFactory.getLogger(PostgresStateStore.class);
    private static final Pattern SCHEMA = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

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
                    + " create table token (name text primary key, content bytea, updated_at timestamptz not null default now())",
            // 4: the members of each list as blocks of records (see MemberBlocks) and the batches recorded and not
            // folded yet, a row each, instead of a row and an index entry per value; list_member's rows are moved
            // (see moveMembers) and it is dropped. Blocks are stored as they are (records do not compress).
            "create table list_block (customer_list_id bigint not null, block bigint not null, operation smallint not null,"
                    + " value_count int not null, digest bigint not null, content bytea not null,"
                    + " primary key (customer_list_id, block));"
                    + " alter table list_block alter column content set storage external;"
                    + " alter table list_state add column pending bigint not null default 0;"
                    + " create table list_block_set_aside (set_aside_at timestamptz not null, customer_list_id bigint not null,"
                    + " block bigint not null, operation smallint not null, content bytea not null)",
            // 5: a row whose values are the desired state's (a first sync's batch, and the members it becomes) names
            // the desired state's records file in state_file instead of holding a copy: each value written once
            "alter table list_block add column desired text;"
                    + " alter table list_block_set_aside add column desired text");
    /** The tables a schema at the current version has. */
    private static final List<String> TABLES = List.of("schema_version", "list_block", "list_state", "list_block_set_aside",
            "state_file", "token");
    /** {@code list_block.operation}: a row of the list's members, or of a batch recorded and not folded yet. */
    private static final short MEMBERS = 0;
    private static final short ADD = 1;
    private static final short REMOVE = 2;

    private final String url;
    private final Properties credentials;
    private final String schema;
    /** Where folding a list's batches sorts what does not fit in memory (a directory per list, deleted after). */
    private final Path workRoot;
    private final int sortBufferValues;
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
        this(url, user, password, schema, Path.of(System.getProperty("java.io.tmpdir"), "pinterest-audience-sync"),
                ListState.DEFAULT_SORT_BUFFER);
    }

    /**
     * Like {@link #PostgresStateStore(String, String, String, String)}; folding a list's batches sorts up to
     * {@code sortBufferValues} values at a time in memory, the rest in files under {@code workRoot}.
     */
    public PostgresStateStore(String url, String user, String password, String schema, Path workRoot,
                              int sortBufferValues) throws SQLException {
        if (!SCHEMA.matcher(schema).matches()) {
            throw new IllegalArgumentException("must be a lowercase SQL name such as pinterest_audience_sync, got '" + schema + "'");
        }
        this.url = url;
        this.schema = schema;
        this.workRoot = workRoot;
        this.sortBufferValues = sortBufferValues;
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
                if (v == 4) {
                    moveMembers(c);
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

    /**
     * Moves the members an earlier release kept a row each into blocks of {@code list_block} (migration 4), in the
     * migration's transaction: each list's rows in key order, packed as records; {@code list_state}'s count and digest
     * stay what they were, so rows changed outside the tool before are still found by the next plan.
     */
    private void moveMembers(Connection c) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("select customer_list_id, key, type from " + schema
                + ".list_member order by customer_list_id, key")) {
            st.setFetchSize(10_000);
            long list = -1;
            MemberBlocks.Packer out = null;
            byte[] record = new byte[WireRecords.MAX_LENGTH];
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    long id = rs.getLong(1);
                    if (id != list) {
                        if (out != null) {
                            out.flush();
                        }
                        list = id;
                        out = packer(c, id, 1);
                    }
                    out.write(record, recordOf(rs.getBytes(2), rs.getShort(3), record));
                }
            }
            if (out != null) {
                out.flush();
            }
        }
        try (Statement st = c.createStatement()) {
            st.execute("drop table list_member");
            // Rows an earlier release set aside stay where a person may look for them; an empty table goes.
            try (ResultSet rs = st.executeQuery("select exists (select 1 from list_member_set_aside)")) {
                rs.next();
                if (!rs.getBoolean(1)) {
                    st.execute("drop table list_member_set_aside");
                }
            }
        }
    }

    /** The record of an earlier release's row: its key (kind, then payload) and its type, into {@code record} at 0. */
    private static int recordOf(byte[] key, short type, byte[] record) {
        int header = WireRecords.headerLength(key[0]);
        int payload = key.length - 1;
        record[0] = key[0];
        if (header == 3) {
            record[1] = (byte) (payload >>> 8);
            record[2] = (byte) payload;
        }
        System.arraycopy(key, 1, record, header, payload);
        record[header + payload] = (byte) type;
        return 0;
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
            try (Statement st = c.createStatement()) {
                // The session's commits do not wait for the disk: the Flusher's commit after each batch does, while
                // the next batch is on its way. A commit lost with a crash of the database leaves the transaction's
                // state before it, whole (a fold is folded again; a batch is sent again).
                st.execute("set synchronous_commit = off");
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
            opened = new PgList(c, Long.parseLong(customerListId)).recover();
            return opened;
        }

        @Override
        public boolean hasState(String customerListId) {
            try (PreparedStatement st = c.prepareStatement("select exists (select 1 from " + schema + ".list_state where"
                    + " customer_list_id = ?) or exists (select 1 from " + schema + ".list_block where customer_list_id = ?)")) {
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
                try (PreparedStatement copy = c.prepareStatement("insert into " + schema + ".list_block_set_aside"
                        + " (set_aside_at, customer_list_id, block, operation, content, desired) select now(),"
                        + " customer_list_id, block, operation, content, desired from " + schema + ".list_block where"
                        + " customer_list_id = ?");
                     PreparedStatement members = c.prepareStatement("delete from " + schema + ".list_block where customer_list_id = ?");
                     PreparedStatement state = c.prepareStatement("delete from " + schema + ".list_state where customer_list_id = ?")) {
                    copy.setLong(1, list);
                    rows = copy.executeUpdate();
                    members.setLong(1, list);
                    members.executeUpdate();
                    state.setLong(1, list);
                    state.executeUpdate();
                }
                c.commit();
                return rows + " rows of customer list " + customerListId + " copied to " + schema + ".list_block_set_aside";
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
                opened.stopFollowing();
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

    /**
     * What a list's rows refer to in the desired state: the records file's name in {@code state_file}; how many of its
     * values the rows of members refer to (its first ones, in the rows' order) and the last of those rows; and how many
     * values after those the rows of batches refer to.
     */
    private record Referred(String name, long members, long lastMemberBlock, long batches) {
    }

    /**
     * A first sync's batches compared with the desired state's records file on the disk (the copy of the one kept in
     * {@code state_file}), one after the other: while each batch is the file's next values, its row refers to them.
     * Used on the thread that writes the batches' rows.
     */
    private static final class Following implements AutoCloseable {
        private final String name;
        private final SortedRecords values;

        Following(String name, Path file, long count) {
            this.name = name;
            this.values = RecordFile.read(file, RecordFile.Order.ASCENDING, count, RecordFile.WORK_FILE_ADVICE);
        }

        /** Whether {@code records} are the file's next values; reads past them either way. */
        boolean next(byte[] records) {
            try {
                for (int pos = 0, length; pos < records.length; pos += length) {
                    length = WireRecords.length(records, pos);
                    if (!values.next()) {
                        return false;
                    }
                    int off = values.offset();
                    if (!Arrays.equals(records, pos, pos + length, values.buffer(), off, off + WireRecords.length(values.buffer(), off))) {
                        return false;
                    }
                }
                return true;
            } catch (RuntimeException e) {
                // The copy on the disk cannot be read: the batch holds its values, as every batch after it.
                LOG.debug("Comparing a batch with the desired state {}: {}", name, e.toString());
                return false;
            }
        }

        @Override
        public void close() {
            values.close();
        }
    }

    /** A batch being written while it is on its way to Pinterest, and the work writing it. */
    private record Prepared(Batch batch, CompletableFuture<Written> rows) {
    }

    /** What writing a batch's row found of it: its digest, and whether each value is greater than the one before. */
    private record Written(long digest, boolean ascending) {
    }

    /**
     * What {@code list_state} records of one list: the count and digest of its rows of members, the batches recorded
     * in all, and the batches' rows not folded into the members yet.
     */
    private record Recorded(long count, long digest, long batches, long pending) {
    }

    private final class PgList implements StoredList {
        private final Connection c;
        private final long listId;
        /** The number the next row of {@code list_block} gets: rows are numbered in the order they are written. */
        private long nextBlock;
        /** The flush that makes the last batch recorded durable; waited for before the next one is committed. */
        private CompletableFuture<Void> pendingFlush;
        /** The batch whose row is being written, uncommitted, while it is on its way; null when none. */
        private Prepared prepared;
        /**
         * Whether every batch recorded since the list had nothing was an ADD, each value greater than the one before:
         * the batches' rows are then the members as they are, in order, and folding them only relabels them.
         */
        private boolean firstSyncInOrder;
        /** The last value of the last batch recorded in order. */
        private final byte[] lastInOrder = new byte[WireRecords.MAX_LENGTH];
        private long inOrderCount;
        private long inOrderDigest;
        private long inOrderBatches;
        /**
         * The desired state a first sync's batches are compared with while each is its next values, in order: the
         * row of such a batch refers to them ({@code list_block.desired}) instead of holding a copy. Null when the
         * list had values, or once a batch was not (then every row holds its values, as before).
         */
        private volatile Following following;
        /** The desired state the batches are sent toward, once said ({@link #sending}); null before. */
        private DesiredState desired;

        PgList(Connection c, long listId) {
            this.c = c;
            this.listId = listId;
        }

        /** Folds what an earlier run recorded and did not fold (it crashed, or was killed), and gets ready to record. */
        PgList recover() {
            try {
                fold();
                nextBlock = nextBlock();
                firstSyncInOrder = nextBlock == 1 && recorded().count() == 0;
                return this;
            } catch (SQLException e) {
                throw failure(e, "open the state of customer list " + listId);
            }
        }

        /**
         * While nothing is recorded in the list, its batches are compared with {@code desired}'s records, when this
         * store keeps them (in its own {@code state_file}, which replicas share): each row of a batch that is the
         * records' next values refers to them instead of holding a copy.
         */
        @Override
        public void sending(DesiredState desired) {
            stopFollowing();
            this.desired = desired;
            if (firstSyncInOrder && inOrderBatches == 0 && prepared == null) {
                desired.records().filter(r -> r.files() instanceof PostgresStateFiles files && files.keptIn(schema))
                        .ifPresent(r -> following = new Following(((PostgresStateFiles) r.files()).name(r.file()),
                                r.file(), r.values()));
            }
        }

        /** Every batch from here on holds its values in its row. */
        void stopFollowing() {
            Following was = following;
            following = null;
            if (was != null) {
                was.close();
            }
        }

        @Override
        public Plan plan(SortedRecords snapshot, Path workDir) {
            try {
                // Batches recorded since the list was opened count too (a run plans once, before it sends).
                fold();
                Recorded recorded = recorded();
                if (recorded.count() == 0) {
                    try (snapshot; Planner.PlanWriter plan = new Planner.PlanWriter(workDir)) {
                        // Nothing to diff against: every value is an add, no need to read the table.
                        if (hasMemberRows()) {
                            throw damaged(recorded, "it holds values of the list, where list_state records none");
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
                boolean auto = c.getAutoCommit();
                PostgresMembers members = null;
                try {
                    c.setAutoCommit(false);
                    members = members(c, recorded);
                    Plan plan = Planner.plan(snapshot, members, workDir);
                    c.commit();
                    checkWhole(members, recorded);
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
            } catch (SQLException e) {
                snapshot.close();
                throw failure(e, "plan");
            }
        }

        /**
         * The list's members streamed in order on {@code connection}, in a transaction of the caller's: its rows of
         * members in {@code block} order ({@code COPY … TO STDOUT (FORMAT binary)}, along the primary key's index),
         * each a block of records, checked and merged here as the file store merges its members file.
         */
        private PostgresMembers members(Connection connection, Recorded recorded) throws SQLException {
            try (Statement st = connection.createStatement()) {
                // The rows in the index's order, never sorted by the server: without statistics (a table just
                // filled) the planner could choose a sort or a bitmap scan, which loses the order.
                st.execute("set local enable_sort = off");
                st.execute("set local enable_bitmapscan = off");
            }
            PostgresMembers.Problems problems = what -> damaged(recorded, "it holds " + what);
            Referred referred = referred(connection, recorded);
            DesiredValues values = null;
            if (referred != null && referred.members() > 0) {
                long firstOfRows = firstBlock(connection, "operation = " + MEMBERS + " and desired is null");
                if (firstOfRows <= referred.lastMemberBlock()) {
                    throw damaged(recorded, "it holds row " + firstOfRows + " of values before the last one that refers to"
                            + " the desired state (they come first)");
                }
                values = read(referred.name(), 0, referred.members(), problems);
            }
            try {
                CopyOut copy = connection.unwrap(PGConnection.class).getCopyAPI().copyOut("copy (select content from "
                        + schema + ".list_block where customer_list_id = " + listId + " and operation = " + MEMBERS
                        + " and desired is null order by block) to stdout (format binary)");
                return new PostgresMembers(copy, values, problems).start();
            } catch (SQLException | RuntimeException e) {
                if (values != null) {
                    values.close();
                }
                throw e;
            }
        }

        /** What the list's rows refer to in the desired state: null when none do. */
        private Referred referred(Connection connection, Recorded recorded) throws SQLException {
            try (PreparedStatement st = connection.prepareStatement("select desired, coalesce(sum(value_count) filter"
                    + " (where operation = " + MEMBERS + "), 0), coalesce(max(block) filter (where operation = " + MEMBERS
                    + "), 0), coalesce(sum(value_count) filter (where operation <> " + MEMBERS + "), 0) from " + schema
                    + ".list_block where customer_list_id = ? and desired is not null group by desired")) {
                st.setLong(1, listId);
                try (ResultSet rs = st.executeQuery()) {
                    if (!rs.next()) {
                        return null;
                    }
                    Referred referred = new Referred(rs.getString(1), rs.getLong(2), rs.getLong(3), rs.getLong(4));
                    if (rs.next()) {
                        throw damaged(recorded, "it holds rows that refer to two desired states, '" + referred.name()
                                + "' and '" + rs.getString(1) + "', where one is referred to at most");
                    }
                    return referred;
                }
            }
        }

        /** {@code count} values of the desired state {@code name} after its first {@code skip}, on a connection of their own. */
        private DesiredValues read(String name, long skip, long count, PostgresMembers.Problems problems) throws SQLException {
            return new DesiredValues(connect(), schema + ".state_file", name, skip, count, problems);
        }

        /** The lowest row number of the list's rows of {@code operations}; {@link Long#MAX_VALUE} when there is none. */
        private long firstBlock(Connection connection, String operations) throws SQLException {
            try (PreparedStatement st = connection.prepareStatement("select coalesce(min(block), " + Long.MAX_VALUE
                    + ") from " + schema + ".list_block where customer_list_id = ? and " + operations)) {
                st.setLong(1, listId);
                try (ResultSet rs = st.executeQuery()) {
                    rs.next();
                    return rs.getLong(1);
                }
            }
        }

        /** The members read to their end must be what {@code list_state} records: their count and digest. */
        private void checkWhole(PostgresMembers members, Recorded recorded) {
            if (members.count() != recorded.count() || members.digest() != recorded.digest()) {
                throw damaged(recorded, "it holds " + members.count() + " values of the list where list_state records "
                        + recorded.count() + (members.count() == recorded.count() ? ", and other ones" : "")
                        + " (rows deleted, added or changed outside this tool, or the table truncated)");
            }
        }

        private Recorded recorded() throws SQLException {
            try (PreparedStatement st = c.prepareStatement("select member_count, digest, batches, pending from " + schema
                    + ".list_state where customer_list_id = ?")) {
                st.setLong(1, listId);
                try (ResultSet rs = st.executeQuery()) {
                    return rs.next() ? new Recorded(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4))
                            : new Recorded(0, 0, 0, 0);
                }
            }
        }

        private boolean hasMemberRows() throws SQLException {
            return hasRows("operation = " + MEMBERS);
        }

        /** Whether the list has rows of batches not folded yet. */
        private boolean hasBatchRows() throws SQLException {
            return hasRows("operation <> " + MEMBERS);
        }

        private boolean hasRows(String condition) throws SQLException {
            try (PreparedStatement st = c.prepareStatement("select exists (select 1 from " + schema
                    + ".list_block where customer_list_id = ? and " + condition + ")")) {
                st.setLong(1, listId);
                try (ResultSet rs = st.executeQuery()) {
                    rs.next();
                    return rs.getBoolean(1);
                }
            }
        }

        private StateCorruptedException damaged(Recorded recorded, String what) {
            return new StateCorruptedException("the PostgreSQL state of customer list " + listId + " is damaged: the table "
                    + schema + ".list_block does not match " + schema + ".list_state (" + recorded.count() + " values from "
                    + recorded.batches() + " batches): " + what + ". "
                    + StateCorruptedException.resetAdvice("customer list " + listId));
        }

        /**
         * Writes {@code batch}'s row while it is on its way to Pinterest, on a thread of the store's, in a transaction
         * left open: the {@link #commit} after its 2xx then only commits it. Uncommitted, the row counts for no one: a
         * batch that fails, or a process killed meanwhile, leaves the state as it was (the transaction is rolled
         * back), so the next run sends it again, as before.
         */
        @Override
        public void prepare(Batch batch) {
            if (batch.size() == 0) {
                return;
            }
            drop();
            long block = nextBlock++;
            prepared = new Prepared(batch, CompletableFuture.supplyAsync(() -> {
                try {
                    return write(batch, block);
                } catch (SQLException e) {
                    throw new CompletionException(e);
                }
            }, preparer));
        }

        /**
         * Records a batch Pinterest acknowledged: one row of {@code list_block} (the batch as it was sent) and, in the
         * same transaction, one more batch and one more row to fold in the list's {@code list_state}. The row was
         * written by {@link #prepare} while the batch was sent, else it is now.
         *
         * <p>The transaction is committed before this returns, so a killed process loses nothing of it, but without
         * waiting for the disk: the {@link Flusher} makes it durable while the next batch is on its way, and that
         * flush is waited for before the next batch is committed. A database that crashes or loses power loses at
         * most the last batch recorded, which the next run sends again (ADD and REMOVE are idempotent at Pinterest),
         * as with the file store.
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
            Written written;
            try {
                written = ready != null ? ready.rows().join() : write(batch, nextBlock++);
                awaitFlush();
                c.commit();
                pendingFlush = flusher().flush();
            } catch (SQLException | CompletionException e) {
                rollback(c);
                stopFollowing();
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
            followOrder(batch, written);
        }

        /**
         * Keeps {@link #firstSyncInOrder} true while the batches recorded are a first sync's, in order: ADDs, each
         * ascending (checked while its row was written), each beginning above where the one before ended.
         */
        private void followOrder(Batch batch, Written written) {
            if (!firstSyncInOrder) {
                return;
            }
            byte[] records = batch.records();
            if (batch.operation() != Operation.ADD || !written.ascending()
                    || inOrderBatches > 0 && WireRecords.compare(lastInOrder, 0, records, 0) >= 0) {
                firstSyncInOrder = false;
                return;
            }
            int last = 0;
            for (int pos = 0; pos < records.length; pos += WireRecords.length(records, pos)) {
                last = pos;
            }
            System.arraycopy(records, last, lastInOrder, 0, WireRecords.length(records, last));
            inOrderDigest ^= written.digest();
            inOrderCount += batch.size();
            inOrderBatches++;
        }

        /** The row of {@code batch} and its list's {@code list_state} change, in a transaction this leaves open. */
        private Written write(Batch batch, long block) throws SQLException {
            byte[] records = batch.records();
            long digest = 0;
            boolean ascending = true;
            for (int pos = 0, before = -1; pos < records.length; before = pos, pos += WireRecords.length(records, pos)) {
                digest ^= WireRecords.keyHash(records, pos);
                ascending = ascending && (before < 0 || WireRecords.compare(records, before, records, pos) < 0);
            }
            Following follow = following;
            boolean refers = follow != null && batch.operation() == Operation.ADD && follow.next(records);
            if (follow != null && !refers) {
                stopFollowing();
            }
            c.setAutoCommit(false);
            // One statement: the batch's row, and one more batch to fold in the list's list_state.
            try (PreparedStatement st = c.prepareStatement("with batch as (insert into " + schema + ".list_block"
                    + " (customer_list_id, block, operation, value_count, digest, content, desired) values (?, ?, ?, ?, ?, ?, ?))"
                    + " insert into " + schema + ".list_state (customer_list_id, member_count, digest, batches, pending)"
                    + " values (?, 0, 0, 1, 1) on conflict (customer_list_id) do update set batches = list_state.batches + 1,"
                    + " pending = list_state.pending + 1, updated_at = now()")) {
                st.setLong(1, listId);
                st.setLong(2, block);
                st.setShort(3, batch.operation() == Operation.ADD ? ADD : REMOVE);
                st.setInt(4, batch.size());
                st.setLong(5, digest);
                st.setBytes(6, refers ? new byte[0] : records);
                st.setString(7, refers ? follow.name : null);
                st.setLong(8, listId);
                st.executeUpdate();
            }
            return new Written(digest, ascending);
        }

        /** Rolls back the row a prepared batch wrote that was not acknowledged (it failed, or another came first). */
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
            // A batch not recorded: the ones after it are not the desired state's next values.
            stopFollowing();
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
            drop();
            stopFollowing();
            awaitFlush();
            try {
                fold();
            } catch (SQLException e) {
                throw failure(e, "fold the batches recorded into the members of customer list " + listId
                        + " (the next run folds them)");
            }
        }

        /**
         * Folds the batches' rows into rows of members, in one transaction: a first sync's batches recorded in order
         * are relabelled as they are; otherwise the batches' values are sorted by operation and merged with the
         * members read back, the result written as new rows, and the old rows deleted. {@code list_state} then records
         * the new members' count and digest and no batch left to fold. A process killed meanwhile folds nothing; the
         * next run folds again.
         */
        private void fold() throws SQLException {
            Recorded recorded = recorded();
            if (recorded.pending() == 0 && !hasBatchRows()) {
                return;
            }
            boolean auto = c.getAutoCommit();
            boolean hadReferences = false;
            try {
                c.setAutoCommit(false);
                if (firstSyncInOrder && inOrderBatches == recorded.pending()) {
                    relabel(recorded);
                } else {
                    hadReferences = hasRows("desired is not null");
                    merge(recorded);
                }
                c.commit();
            } catch (SQLException | RuntimeException e) {
                rollback(c);
                throw e;
            } finally {
                restoreAutoCommit(c, auto);
            }
            firstSyncInOrder = false;
            if (hadReferences && desired != null) {
                // No row refers to a desired state any more: the generations before the one in force can go.
                desired.deleteOldGenerations();
            }
        }

        /** A first sync's rows, each value greater than the one before, are the members: only their label changes. */
        private void relabel(Recorded recorded) throws SQLException {
            int rows;
            try (PreparedStatement st = c.prepareStatement("update " + schema + ".list_block set operation = " + MEMBERS
                    + " where customer_list_id = ? and operation = " + ADD)) {
                st.setLong(1, listId);
                rows = st.executeUpdate();
            }
            if (rows != recorded.pending()) {
                throw damaged(recorded, "it holds " + rows + " rows of batches where list_state records "
                        + recorded.pending() + " not folded yet");
            }
            setState(inOrderCount, inOrderDigest);
        }

        /** (members ∪ adds) − removes, written as new rows after every old one, which are then deleted. */
        private void merge(Recorded recorded) throws SQLException {
            // Named by the schema too: processes on other schemas may share the directory (tests, the tmpdir default).
            Path work = workRoot.resolve(schema + "-fold-" + listId);
            try {
                Fold.deleteTree(work);
                Files.createDirectories(work);
                Fold.Sink adds = new Fold.Sink(work, "adds", sortBufferValues);
                Fold.Sink removes = new Fold.Sink(work, "removes", sortBufferValues);
                readBatches(recorded, adds, removes);
                long firstNew = nextBlock();
                MemberBlocks.Packer out = packer(c, listId, firstNew);
                if (recorded.count() == 0) {
                    if (hasMemberRows()) {
                        throw damaged(recorded, "it holds values of the list, where list_state records none");
                    }
                    Fold.merge(SortedRecords.empty(), adds.finish(), removes.finish(), out);
                } else {
                    // Read on a connection of its own, since this one writes the folded rows meanwhile; nothing else
                    // writes the list while this session holds its lock.
                    try (Connection reader = connect()) {
                        reader.setAutoCommit(false);
                        PostgresMembers members = members(reader, recorded);
                        try {
                            Fold.merge(members, adds.finish(), removes.finish(), out);
                        } finally {
                            members.close();
                        }
                        reader.commit();
                        checkWhole(members, recorded);
                    }
                }
                out.flush();
                try (PreparedStatement st = c.prepareStatement("delete from " + schema + ".list_block where"
                        + " customer_list_id = ? and block < ?")) {
                    st.setLong(1, listId);
                    st.setLong(2, firstNew);
                    st.executeUpdate();
                }
                setState(out.count(), out.digest());
                nextBlock = firstNew + out.rows();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot fold the batches of customer list " + listId + " in " + work, e);
            } finally {
                try {
                    Fold.deleteTree(work);
                } catch (IOException e) {
                    LOG.debug("Deleting {}: {}", work, e.toString());
                }
            }
        }

        /** The rows of batches not folded yet, in the order they were recorded, each checked against its count and digest. */
        private void readBatches(Recorded recorded, Fold.Sink adds, Fold.Sink removes) throws SQLException {
            long rows = 0;
            // Batches that refer to the desired state are its values after those of the members that do.
            Referred referred = referred(c, recorded);
            try (DesiredValues values = referred == null || referred.batches() == 0 ? null : read(referred.name(),
                    referred.members(), referred.batches(), what -> damaged(recorded, "it holds " + what));
                 PreparedStatement st = c.prepareStatement("select block, operation, value_count, digest, content, desired"
                         + " from " + schema + ".list_block where customer_list_id = ? and operation <> " + MEMBERS
                         + " order by block")) {
                st.setFetchSize(4);
                st.setLong(1, listId);
                try (ResultSet rs = st.executeQuery()) {
                    while (rs.next()) {
                        rows++;
                        long block = rs.getLong(1);
                        short operation = rs.getShort(2);
                        byte[] content = rs.getBytes(5);
                        if (rs.getString(6) != null) {
                            content = operation == ADD ? take(values, rs.getInt(3)) : null;
                        }
                        MemberBlocks.Checker checker = new MemberBlocks.Checker(false);
                        String problem = operation != ADD && operation != REMOVE ? "an unknown operation " + operation
                                : content == null ? "a batch of removals that refers to the desired state"
                                : checker.check(content, 0, content.length);
                        if (problem == null && (checker.count() != rs.getInt(3) || checker.digest() != rs.getLong(4))) {
                            problem = checker.count() + " values where its row records " + rs.getInt(3)
                                    + (checker.count() == rs.getInt(3) ? ", and other ones" : "");
                        }
                        if (problem != null) {
                            throw damaged(recorded, "its row " + block + " holds " + problem);
                        }
                        Fold.Sink sink = operation == ADD ? adds : removes;
                        for (int pos = 0; pos < content.length; pos += WireRecords.length(content, pos)) {
                            sink.addRecord(content, pos);
                        }
                    }
                }
            }
            if (rows != recorded.pending()) {
                throw damaged(recorded, "it holds " + rows + " rows of batches where list_state records "
                        + recorded.pending() + " not folded yet");
            }
        }

        /** The next {@code count} values of {@code values} (null: rows that refer to none), back to back. */
        private static byte[] take(DesiredValues values, int count) {
            if (values == null) {
                return new byte[0];
            }
            DesiredValues.Chunk chunk = values.next(count, Integer.MAX_VALUE);
            return Arrays.copyOf(chunk.records(), chunk.length());
        }

        /** One more than the highest row number of the list, or than the last one given out, whichever is higher. */
        private long nextBlock() throws SQLException {
            try (PreparedStatement st = c.prepareStatement("select coalesce(max(block), 0) + 1 from " + schema
                    + ".list_block where customer_list_id = ?")) {
                st.setLong(1, listId);
                try (ResultSet rs = st.executeQuery()) {
                    rs.next();
                    return Math.max(nextBlock, rs.getLong(1));
                }
            }
        }

        private void setState(long count, long digest) throws SQLException {
            try (PreparedStatement st = c.prepareStatement("update " + schema + ".list_state set member_count = ?,"
                    + " digest = ?, pending = 0, updated_at = now() where customer_list_id = ?")) {
                st.setLong(1, count);
                st.setLong(2, digest);
                st.setLong(3, listId);
                st.executeUpdate();
            }
        }
    }

    /** Writes members given in order as rows of {@code list_block} on {@code connection}, numbered from {@code firstBlock}. */
    private MemberBlocks.Packer packer(Connection connection, long listId, long firstBlock) {
        return new MemberBlocks.Packer((index, content, length, count, digest) -> {
            try {
                insertBlock(connection, listId, firstBlock + index, content, length, count, digest);
            } catch (SQLException e) {
                throw failure(e, "write the members of customer list " + listId);
            }
        });
    }

    /** A row of members in {@code list_block}. */
    private void insertBlock(Connection connection, long listId, long block, byte[] content, int length, int count,
                             long digest) throws SQLException {
        try (PreparedStatement st = connection.prepareStatement("insert into " + schema + ".list_block (customer_list_id,"
                + " block, operation, value_count, digest, content) values (?, ?, " + MEMBERS + ", ?, ?, ?)")) {
            st.setLong(1, listId);
            st.setLong(2, block);
            st.setInt(3, count);
            st.setLong(4, digest);
            st.setBytes(5, Arrays.copyOf(content, length));
            st.executeUpdate();
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
}
