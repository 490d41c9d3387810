package io.audiencesync.source;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.audiencesync.config.ConfigException;
import io.audiencesync.config.JdbcSettings;
import org.apache.camel.component.jdbc.ConnectionStrategy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The database the model's query runs on: a connection pool, and the connection the query streams from, which
 * camel-jdbc takes through this {@link ConnectionStrategy} and which {@link #endQuery()} hands back as soon as the
 * rows are read. camel-jdbc itself would keep it until the run's exchange completes, that is while the run sends to
 * Pinterest, holding a transaction open and the table's share lock with it (a TRUNCATE-and-reload would wait).
 * With {@code source.jdbc.count-query}, {@link #begin()} takes that connection first, at REPEATABLE READ where the
 * database has it, and counts the rows in the same transaction, so that the count and the rows see one snapshot.
 */
public final class SourceDatabase implements ConnectionStrategy, AutoCloseable {

    /** {@code source.jdbc.count-query} could not run, or did not return one row with one whole number. */
    public static final class CountQueryException extends Exception {
        private final String problem;

        CountQueryException(String problem, SQLException cause) {
            super("source.jdbc.count-query " + problem, cause);
            this.problem = problem;
        }

        /** What went wrong, without the database's message (which is the cause's). */
        public String problem() {
            return problem;
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger(SourceDatabase.class);
    private static final Pattern PASSWORD_PARAMETER = Pattern.compile("(?i)\\b(password|pwd)=[^&;\\s]*");
    /** Shorter passwords are not searched for in messages: every "a" or "12" in a message would turn into ***. */
    private static final int MIN_REDACTED_LENGTH = 3;
    private static final Pattern WHOLE_NUMBER = Pattern.compile("\\d{1,18}");

    private final HikariDataSource pool;
    private final String countQuery;
    /** The connection {@link #begin()} counted on, for camel-jdbc to take; null when it takes one of its own. */
    private final AtomicReference<Connection> counted = new AtomicReference<>();
    private final AtomicReference<Connection> query = new AtomicReference<>();
    private final AtomicBoolean saidNoRepeatableRead = new AtomicBoolean();

    private SourceDatabase(HikariDataSource pool, String countQuery) {
        this.pool = pool;
        this.countQuery = countQuery;
    }

    /**
     * A pool of at most one connection (runs never overlap), closed a minute after a run: a query on a daily cron
     * should not hold a warehouse connection all day. No connection is made until the first run, so a database
     * that is down at start fails that run, with a report, instead of the start.
     *
     * @throws ConfigException when no JDBC driver on the class path takes the URL
     */
    public static SourceDatabase open(JdbcSettings jdbc) {
        try {
            DriverManager.getDriver(jdbc.url());
        } catch (SQLException e) {
            // A driver refuses a URL it cannot parse as if it were not its own: say what is wrong with it first.
            java.util.regex.Matcher port = java.util.regex.Pattern
                    .compile("^jdbc:[A-Za-z0-9]+://(?:[^/@]*@)?[^/:?;@]+:([^/?;]*)").matcher(jdbc.url());
            if (port.find() && !port.group(1).matches("\\d{1,5}")) {
                throw new ConfigException("source.jdbc.url", "the port in '" + jdbc.safeUrl() + "' is not a number;"
                        + " write host:port, e.g. jdbc:postgresql://db.example.com:5432/crm");
            }
            throw new ConfigException("source.jdbc.url", "no JDBC driver on the class path takes '" + jdbc.safeUrl()
                    + "'; the PostgreSQL and H2 drivers ship in the jar, others go on the class path (README: SQL source)");
        }
        HikariConfig config = new HikariConfig();
        config.setPoolName("source-database");
        config.setJdbcUrl(jdbc.url());
        if (jdbc.user() != null) {
            config.setUsername(jdbc.user());
        }
        if (jdbc.password() != null) {
            config.setPassword(jdbc.password());
        }
        // PostgreSQL (and others) stream a result a fetch size at a time only inside a transaction; the query only reads.
        config.setAutoCommit(false);
        config.setMaximumPoolSize(1);
        config.setMinimumIdle(0);
        config.setIdleTimeout(Duration.ofMinutes(1).toMillis());
        config.setConnectionTimeout(jdbc.connectTimeout().toMillis());
        config.setInitializationFailTimeout(-1);
        return new SourceDatabase(new HikariDataSource(config), jdbc.countQuery());
    }

    public DataSource dataSource() {
        return pool;
    }

    /**
     * The labels of the columns {@code query} returns, read from the database's description of the statement without
     * reading a row ({@code check}); a query that cannot run (a missing table, a syntax error) throws its error.
     */
    public List<String> columns(String query) throws SQLException {
        try (Connection connection = pool.getConnection(); PreparedStatement statement = connection.prepareStatement(query)) {
            try {
                ResultSetMetaData described = statement.getMetaData();
                if (described == null) {
                    // A driver that describes a statement only by running it: run it, but fetch nothing.
                    statement.setMaxRows(1);
                    try (ResultSet result = statement.executeQuery()) {
                        return labels(result.getMetaData());
                    }
                }
                return labels(described);
            } finally {
                connection.rollback();
            }
        }
    }

    private static List<String> labels(ResultSetMetaData metaData) throws SQLException {
        List<String> labels = new ArrayList<>();
        for (int i = 1; i <= metaData.getColumnCount(); i++) {
            labels.add(metaData.getColumnLabel(i));
        }
        return labels;
    }

    /**
     * Starts the query's read transaction: with {@code source.jdbc.count-query}, takes the connection the query will
     * run on, sets it to REPEATABLE READ where the database has it (PostgreSQL: the count and the query then see one
     * snapshot of the database) and runs the count in it.
     *
     * @return the rows the count query counted, or null without a count query
     * @throws SQLException        when no connection can be had (as the query itself would fail)
     * @throws CountQueryException when the count query fails or does not return one row with one whole number
     */
    public Long begin() throws SQLException, CountQueryException {
        endQuery(); // nothing of an earlier run is left
        if (countQuery == null) {
            return null;
        }
        Connection connection = pool.getConnection();
        counted.set(connection);
        try {
            if (connection.getMetaData().supportsTransactionIsolationLevel(Connection.TRANSACTION_REPEATABLE_READ)) {
                connection.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            } else if (saidNoRepeatableRead.compareAndSet(false, true)) {
                LOG.warn("The source database has no REPEATABLE READ transactions: source.jdbc.count-query and"
                        + " source.jdbc.query may see the tables at different moments, and a change between them fails the"
                        + " snapshot (said once)");
            }
            return count(connection);
        } catch (SQLException e) {
            endQuery();
            throw new CountQueryException("failed", e);
        } catch (CountQueryException e) {
            endQuery();
            throw e;
        }
    }

    private Long count(Connection connection) throws SQLException, CountQueryException {
        try (Statement statement = connection.createStatement(); ResultSet result = statement.executeQuery(countQuery)) {
            int columns = result.getMetaData().getColumnCount();
            if (!result.next()) {
                throw new CountQueryException("returned no row", null);
            }
            Object value = result.getObject(1);
            if (result.next()) {
                throw new CountQueryException("returned more than one row", null);
            }
            if (columns != 1) {
                throw new CountQueryException("returned " + columns + " columns", null);
            }
            // The value is not shown: a count query that selects the wrong column could return an identifier.
            String text = value == null || SqlValues.unsupported(value) != null ? null : SqlValues.text(value);
            if (text == null || !WHOLE_NUMBER.matcher(text).matches()) {
                throw new CountQueryException("returned " + (value == null ? "NULL" : "a " + value.getClass().getSimpleName()
                        + " value that is not a whole number"), null);
            }
            return Long.parseLong(text);
        }
    }

    @Override
    public Connection getConnection(DataSource dataSource) throws SQLException {
        Connection connection = counted.getAndSet(null);
        if (connection == null) {
            connection = dataSource.getConnection();
        }
        query.set(connection);
        return connection;
    }

    @Override
    public boolean isConnectionTransactional(Connection connection, DataSource dataSource) {
        return false;
    }

    /**
     * The query's rows are read (or its stream failed): its connection goes back to the pool, which rolls the
     * read-only transaction back and so releases the table. camel-jdbc's own close later finds it closed.
     */
    public void endQuery() {
        for (Connection connection : new Connection[] {query.getAndSet(null), counted.getAndSet(null)}) {
            if (connection != null) {
                try {
                    connection.close();
                } catch (SQLException e) {
                    // a connection that cannot even close is broken; the pool drops it
                }
            }
        }
    }

    @Override
    public void close() {
        pool.close();
    }

    /** Hides the password in a database message: the password itself, and any {@code password=...} parameter. */
    public static UnaryOperator<String> redactor(JdbcSettings jdbc) {
        String password = jdbc.password();
        return text -> {
            if (text == null) {
                return null;
            }
            String out = text;
            if (password != null && password.length() >= MIN_REDACTED_LENGTH) {
                out = out.replace(password, "***");
            }
            return PASSWORD_PARAMETER.matcher(out).replaceAll(m -> Matcher.quoteReplacement(m.group(1)) + "=***");
        };
    }
}
