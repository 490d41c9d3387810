package io.audiencesync.state;

import io.audiencesync.pinterest.StoredToken;
import io.audiencesync.pinterest.TokenFile;
import io.audiencesync.pinterest.TokenStore;
import io.audiencesync.pinterest.TokenStoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.function.Supplier;

/**
 * The Pinterest tokens in the PostgreSQL store's {@code token} table ({@code state.store=postgres}): one row, shared by
 * every replica. A refresh holds that row's lock ({@code select … for update}) from re-reading it to saving the new
 * tokens, so replicas refresh one at a time and never spend a refresh token another one rotated out.
 *
 * <p>A token file an earlier release (or {@code auth} before the store was PostgreSQL) left is taken into the table
 * when the table has none, and renamed {@code *.in-postgres}.
 */
public final class PostgresTokenStore implements TokenStore {

    private static final Logger LOG = LoggerFactory.getLogger(PostgresTokenStore.class);
    private static final String NAME = "pinterest";

    private final PostgresStateFiles.Connector connector;
    private final String table;
    private final TokenFile earlier;
    /** The connection holding the row's lock, on the thread in {@link #whileLocked}; load and save use it there. */
    private final ThreadLocal<Connection> locked = new ThreadLocal<>();
    private volatile boolean warned;

    PostgresTokenStore(PostgresStateFiles.Connector connector, String schema, TokenFile earlier) {
        this.connector = connector;
        this.table = schema + ".token";
        this.earlier = earlier;
    }

    @Override
    public String where() {
        return "the PostgreSQL table " + table;
    }

    @Override
    public boolean exists() {
        if (read() != null) {
            warnOfUnusedFile();
            return true;
        }
        return takeEarlierFile();
    }

    /** A token file beside tokens kept here is not read: said once, rather than ignored in silence. */
    private void warnOfUnusedFile() {
        if (earlier != null && earlier.exists() && !warned) {
            warned = true;
            LOG.warn("The token file {} is not used: the tokens are kept in {} (state.store=postgres), which every refresh"
                    + " updates. Delete the file; run 'auth' with these state.* settings to replace the tokens there",
                    earlier.path(), where());
        }
    }

    @Override
    public StoredToken load() {
        byte[] content = read();
        if (content == null && takeEarlierFile()) {
            content = read();
        }
        if (content != null) {
            warnOfUnusedFile();
        }
        if (content == null) {
            throw new TokenStoreException("there are no Pinterest tokens in " + where() + ": run 'pinterest-audience-sync"
                    + " auth' with these state.* settings, or set pinterest.refresh-token", null);
        }
        return TokenFile.parse(content, "the token in " + where());
    }

    private byte[] read() {
        return onConnection("read", c -> {
            try (PreparedStatement st = c.prepareStatement("select content from " + table + " where name = ?")) {
                st.setString(1, NAME);
                try (ResultSet rs = st.executeQuery()) {
                    return rs.next() ? rs.getBytes(1) : null;
                }
            }
        });
    }

    @Override
    public void save(StoredToken token) {
        onConnection("write", c -> {
            try (PreparedStatement st = c.prepareStatement("insert into " + table + " (name, content) values (?, ?)"
                    + " on conflict (name) do update set content = excluded.content, updated_at = now()")) {
                st.setString(1, NAME);
                st.setBytes(2, TokenFile.json(token));
                return st.executeUpdate();
            }
        });
    }

    /** A statement on a connection: the one holding the row's lock on this thread, else one of its own. */
    private interface Statements<T> {
        T run(Connection c) throws SQLException;
    }

    private <T> T onConnection(String doing, Statements<T> statements) {
        Connection held = locked.get();
        try (Connection own = held == null ? connector.connect() : null) {
            return statements.run(held == null ? own : held);
        } catch (SQLException e) {
            throw failure(doing, e);
        }
    }

    @Override
    public <T> T whileLocked(Supplier<T> work) {
        if (locked.get() != null) {
            return work.get();
        }
        try (Connection c = connector.connect()) {
            try (PreparedStatement st = c.prepareStatement("insert into " + table + " (name) values (?) on conflict do nothing")) {
                st.setString(1, NAME);
                st.executeUpdate();
            }
            c.setAutoCommit(false);
            try (PreparedStatement st = c.prepareStatement("select 1 from " + table + " where name = ? for update")) {
                st.setString(1, NAME);
                st.executeQuery().close();
            }
            locked.set(c);
            try {
                T result = work.get();
                c.commit();
                return result;
            } catch (RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                locked.remove();
            }
        } catch (SQLException e) {
            throw failure("lock", e);
        }
    }

    /** Takes the token file of an earlier release into the table, where the table has no tokens; says whether it did. */
    private synchronized boolean takeEarlierFile() {
        if (earlier == null || !earlier.exists()) {
            return false;
        }
        StoredToken token = earlier.load();
        whileLocked(() -> {
            if (read() == null) {
                save(token);
            }
            return null;
        });
        Path file = earlier.path();
        try {
            Files.move(file, file.resolveSibling(file.getFileName() + PostgresStateFiles.IMPORTED),
                    StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new TokenStoreException("took the token file " + file + " into " + where() + " but cannot rename it ("
                    + e.getClass().getSimpleName() + "); delete it", e);
        }
        LOG.info("Took the token file {} into {}; every replica uses and refreshes the tokens there from now on"
                + " (the file is kept as {}{})", file, where(), file.getFileName(), PostgresStateFiles.IMPORTED);
        return true;
    }

    private TokenStoreException failure(String doing, SQLException e) {
        return new TokenStoreException("cannot " + doing + " the Pinterest tokens in " + where() + ": " + e.getMessage(), e);
    }

    @Override
    public String toString() {
        return "PostgresTokenStore[" + table + "]";
    }
}
