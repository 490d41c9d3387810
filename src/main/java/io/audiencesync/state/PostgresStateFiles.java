package io.audiencesync.state;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;

/**
 * {@link StateFiles} as rows of {@code state_file} in the PostgreSQL store's schema ({@code state.store=postgres}):
 * a file is its parts in order, a small one a single part, a large one (a desired state's records) parts of
 * {@value #PART} bytes streamed in and out, never whole in memory. Each write is one transaction.
 *
 * <p>A file an earlier release left on the disk, with no row yet, is taken into the table the first time it is looked
 * for, and the file renamed {@code *.in-postgres}: a data directory of that release syncs on, nothing lost.
 */
public final class PostgresStateFiles implements StateFiles {

    private static final Logger LOG = LoggerFactory.getLogger(PostgresStateFiles.class);
    /** Parts of a large file: 1 MB, so that a 10M-value desired state is a few hundred rows. */
    static final int PART = 1 << 20;
    static final String IMPORTED = ".in-postgres";

    /** A new connection to the store's database. */
    @FunctionalInterface
    interface Connector {
        Connection connect() throws SQLException;
    }

    private final Connector connector;
    private final String schema;
    private final String table;
    private final Path root;
    /** Files on the disk not used because the table has them, said once each. */
    private final java.util.Set<String> ignored = java.util.concurrent.ConcurrentHashMap.newKeySet();

    PostgresStateFiles(Connector connector, String schema, Path root) {
        this.connector = connector;
        this.schema = schema;
        this.table = schema + ".state_file";
        this.root = root.toAbsolutePath().normalize();
    }

    /** The file's name in the table: its path relative to the workspace's data directory, with {@code /}. */
    String name(Path file) {
        Path absolute = file.toAbsolutePath().normalize();
        if (!absolute.startsWith(root)) {
            throw new IllegalArgumentException(file + " is not under the data directory " + root);
        }
        return root.relativize(absolute).toString().replace(java.io.File.separatorChar, '/');
    }

    @Override
    public Optional<byte[]> read(Path file) {
        importLocal(file);
        String name = name(file);
        try (Connection c = connector.connect();
             PreparedStatement st = c.prepareStatement("select content from " + table + " where name = ? order by part")) {
            st.setString(1, name);
            try (ResultSet rs = st.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                byte[] content = rs.getBytes(1);
                while (rs.next()) {
                    byte[] more = rs.getBytes(1);
                    byte[] joined = Arrays.copyOf(content, content.length + more.length);
                    System.arraycopy(more, 0, joined, content.length, more.length);
                    content = joined;
                }
                return Optional.of(content);
            }
        } catch (SQLException e) {
            throw failure(e, "read", name);
        }
    }

    private boolean stored(String name) {
        try (Connection c = connector.connect();
             PreparedStatement st = c.prepareStatement("select exists (select 1 from " + table + " where name = ?)")) {
            st.setString(1, name);
            try (ResultSet rs = st.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        } catch (SQLException e) {
            throw failure(e, "look up", name);
        }
    }

    @Override
    public void write(Path file, byte[] content) {
        String name = name(file);
        try (Connection c = connector.connect()) {
            c.setAutoCommit(false);
            delete(c, name);
            insert(c, name, 0, content, content.length);
            c.commit();
        } catch (SQLException e) {
            throw failure(e, "write", name);
        }
    }

    @Override
    public void append(Path file, byte[] content) {
        String name = name(file);
        try (Connection c = connector.connect();
             PreparedStatement st = c.prepareStatement("insert into " + table + " (name, part, content) select ?,"
                     + " coalesce(max(part), -1) + 1, ? from " + table + " where name = ?")) {
            // One writer per sync (it holds the list's lock), so the next part number is not raced.
            st.setString(1, name);
            st.setBytes(2, content);
            st.setString(3, name);
            st.executeUpdate();
        } catch (SQLException e) {
            throw failure(e, "write", name);
        }
    }

    /** Whether the files are kept in {@code schema}'s table, where a list's rows can refer to them. */
    boolean keptIn(String schema) {
        return this.schema.equals(schema);
    }

    /**
     * Deletes the file, but not a desired state's records file that rows of a list refer to ({@code
     * list_block.desired}: a first sync's values, written once): it goes with a later generation, once the list's next
     * fold has written those values into its own rows.
     */
    @Override
    public boolean delete(Path file) {
        String name = name(file);
        boolean local = LocalStateFiles.INSTANCE.delete(file);
        try (Connection c = connector.connect();
             PreparedStatement st = c.prepareStatement("delete from " + table + " where name = ? and not exists"
                     + " (select 1 from " + schema + ".list_block where desired = ?)")) {
            st.setString(1, name);
            st.setString(2, name);
            return st.executeUpdate() > 0 || local;
        } catch (SQLException e) {
            throw failure(e, "delete", name);
        }
    }

    private int delete(Connection c, String name) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("delete from " + table + " where name = ?")) {
            st.setString(1, name);
            return st.executeUpdate();
        }
    }

    private void insert(Connection c, String name, int part, byte[] content, int length) throws SQLException {
        try (PreparedStatement st = c.prepareStatement("insert into " + table + " (name, part, content) values (?, ?, ?)")) {
            st.setString(1, name);
            st.setInt(2, part);
            st.setBytes(3, length == content.length ? content : Arrays.copyOf(content, length));
            st.executeUpdate();
        }
    }

    @Override
    public List<Path> list(Path dir, String suffix) {
        for (Path local : LocalStateFiles.INSTANCE.list(dir, suffix)) {
            // Records files on the disk are this replica's copies, taken in (if ever) by fetch; documents of an
            // earlier release are taken in here, so that a listing shows them.
            String name = local.getFileName().toString();
            if (name.endsWith(".json") || name.endsWith(".jsonl")) {
                importLocal(local);
            }
        }
        String prefix = name(dir) + "/";
        TreeSet<String> names = new TreeSet<>();
        try (Connection c = connector.connect();
             PreparedStatement st = c.prepareStatement("select distinct name from " + table + " where left(name, ?) = ?"
                     + " and strpos(substr(name, ?), '/') = 0 and right(name, ?) = ?")) {
            st.setInt(1, prefix.length());
            st.setString(2, prefix);
            st.setInt(3, prefix.length() + 1);
            st.setInt(4, suffix.length());
            st.setString(5, suffix);
            try (ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    names.add(rs.getString(1));
                }
            }
        } catch (SQLException e) {
            throw failure(e, "list", prefix);
        }
        List<Path> files = new ArrayList<>();
        for (String name : names) {
            files.add(root.resolve(name));
        }
        return files;
    }

    @Override
    public boolean move(Path from, Path to) {
        importLocal(from);
        String source = name(from);
        String target = name(to);
        try (Connection c = connector.connect()) {
            c.setAutoCommit(false);
            delete(c, target);
            int moved;
            try (PreparedStatement st = c.prepareStatement("update " + table + " set name = ?, updated_at = now() where name = ?")) {
                st.setString(1, target);
                st.setString(2, source);
                moved = st.executeUpdate();
            }
            c.commit();
            return moved > 0;
        } catch (SQLException e) {
            throw failure(e, "move", source);
        }
    }

    @Override
    public void store(Path file) {
        try (Upload upload = upload(file); InputStream in = Files.newInputStream(file)) {
            in.transferTo(upload);
            upload.finish();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + " to keep it in " + table, e);
        }
    }

    /**
     * The parts of the file written as the writer fills them, on a thread and connection of their own, in one
     * transaction that {@link Upload#finish()} commits: a 10M-value desired state (550 MB) is in PostgreSQL about when
     * it is on the disk, instead of as long again after. At most {@value #IN_FLIGHT} parts wait in memory.
     */
    @Override
    public Upload upload(Path file) {
        return new PartUpload(name(file));
    }

    /** Parts handed to the upload's thread and not inserted yet, at most. */
    private static final int IN_FLIGHT = 4;

    private final class PartUpload extends Upload {
        private final String name;
        private final ExecutorService thread = Executors.newSingleThreadExecutor(task -> {
            Thread t = new Thread(task, "state-postgres-upload");
            t.setDaemon(true);
            return t;
        });
        private final Semaphore room = new Semaphore(IN_FLIGHT);
        private byte[] part = new byte[PART];
        private int length;
        private int parts;
        /** Used on the upload's thread only. */
        private Connection connection;
        private CompletableFuture<Void> written;
        private boolean done;

        PartUpload(String name) {
            this.name = name;
            written = CompletableFuture.runAsync(() -> {
                try {
                    connection = connector.connect();
                    connection.setAutoCommit(false);
                    delete(connection, name);
                } catch (SQLException e) {
                    throw new CompletionException(e);
                }
            }, thread);
        }

        @Override
        public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            while (len > 0) {
                int n = Math.min(len, PART - length);
                System.arraycopy(b, off, part, length, n);
                length += n;
                off += n;
                len -= n;
                if (length == PART) {
                    send();
                }
            }
        }

        /** Hands the full part to the upload's thread, waiting for room first. */
        private void send() {
            byte[] full = part;
            int size = length;
            int number = parts++;
            part = new byte[PART];
            length = 0;
            try {
                room.acquire();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StateStoreException("interrupted while writing '" + name + "' to " + table, e);
            }
            written = written.thenRunAsync(() -> {
                try {
                    insert(connection, name, number, full, size);
                } catch (SQLException e) {
                    throw new CompletionException(e);
                }
            }, thread).whenComplete((ok, failed) -> room.release());
            if (written.isCompletedExceptionally()) {
                await();
            }
        }

        @Override
        public void finish() {
            if (length > 0 || parts == 0) {
                send();
            }
            written = written.thenRunAsync(() -> {
                try {
                    connection.commit();
                } catch (SQLException e) {
                    throw new CompletionException(e);
                }
            }, thread);
            await();
            done = true;
            close();
        }

        private void await() {
            try {
                written.join();
            } catch (CompletionException e) {
                close();
                Throwable cause = e.getCause();
                throw cause instanceof SQLException sql ? failure(sql, "write", name)
                        : new StateStoreException("cannot write '" + name + "' to " + table + ": " + cause, cause);
            }
        }

        /** Without {@link #finish()}: rolls back what was inserted, so the name keeps what it had. */
        @Override
        public void close() {
            if (thread.isShutdown()) {
                return;
            }
            thread.execute(() -> {
                if (connection != null) {
                    try {
                        if (!done) {
                            connection.rollback();
                        }
                        connection.close();
                    } catch (SQLException ignored) {
                        // closing the connection rolls back what was not committed
                    }
                }
            });
            thread.shutdown();
        }
    }

    @Override
    public boolean fetch(Path file) {
        importLocal(file);
        String name = name(file);
        try (Connection c = connector.connect()) {
            long size;
            byte[] tail;
            try (PreparedStatement st = c.prepareStatement("select coalesce(sum(octet_length(content)), -1),"
                    + " (select content from " + table + " where name = ? order by part desc limit 1) from " + table
                    + " where name = ?")) {
                st.setString(1, name);
                st.setString(2, name);
                try (ResultSet rs = st.executeQuery()) {
                    rs.next();
                    size = rs.getLong(1);
                    tail = rs.getBytes(2);
                }
            }
            if (size < 0) {
                return false;
            }
            if (sameAsLocal(file, size, tail)) {
                return true;
            }
            download(c, name, file);
            return true;
        } catch (SQLException e) {
            throw failure(e, "read", name);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy " + name + " of " + table + " to " + file, e);
        }
    }

    /** Whether the local copy has the stored size and ends with the stored last part (a sealed file ends with its CRC). */
    private static boolean sameAsLocal(Path file, long size, byte[] lastPart) throws IOException {
        if (!Files.exists(file) || Files.size(file) != size) {
            return false;
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            java.nio.ByteBuffer end = java.nio.ByteBuffer.allocate(lastPart.length);
            long at = size - lastPart.length;
            while (end.hasRemaining()) {
                if (ch.read(end, at + end.position()) < 0) {
                    return false;
                }
            }
            return Arrays.equals(end.array(), lastPart);
        }
    }

    private void download(Connection c, String name, Path file) throws SQLException, IOException {
        Files.createDirectories(file.getParent());
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (OutputStream out = Files.newOutputStream(tmp);
             PreparedStatement st = c.prepareStatement("select content from " + table + " where name = ? and part = ?")) {
            st.setString(1, name);
            for (int part = 0; ; part++) {
                st.setInt(2, part);
                try (ResultSet rs = st.executeQuery()) {
                    if (!rs.next()) {
                        break;
                    }
                    out.write(rs.getBytes(1));
                }
            }
        }
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * Takes a file an earlier release left on the disk into the table, once, where the table has none of that name;
     * where it has one, that is the one in force (a local copy of a large file is this replica's cache of it).
     */
    private void importLocal(Path file) {
        if (!Files.isRegularFile(file)) {
            return;
        }
        String name = name(file);
        if (stored(name)) {
            // A document written on the disk after its name was taken in (the file store run on this directory
            // meanwhile?) is not read: said once, rather than ignored in silence.
            if (!name.endsWith(".bin") && ignored.add(name)) {
                LOG.warn("{} is not used: the PostgreSQL state store keeps '{}' in {} (state.store=postgres), and that one"
                        + " is in force. Delete the file, or move it aside", file, name, table);
            }
            return;
        }
        store(file);
        try {
            Files.move(file, file.resolveSibling(file.getFileName() + IMPORTED), StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot rename " + file + " after taking it into " + table, e);
        }
        LOG.info("Took {} into the PostgreSQL state store ({}); the file is kept as {}{}", file, table, file.getFileName(),
                IMPORTED);
    }

    @Override
    public String describe(Path file) {
        return "'" + name(file) + "' of the PostgreSQL table " + table;
    }

    private StateStoreException failure(SQLException e, String doing, String name) {
        return new StateStoreException("cannot " + doing + " '" + name + "' in the PostgreSQL table " + table + ": "
                + e.getMessage(), e);
    }
}
