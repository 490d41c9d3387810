package io.audiencesync.source;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.audiencesync.config.ConfigException;
import io.audiencesync.config.JdbcSettings;

import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The connection pool the model's query runs on, and the redaction that keeps its password out of messages. */
public final class SourceDatabase {

    private static final Pattern PASSWORD_PARAMETER = Pattern.compile("(?i)\\b(password|pwd)=[^&;\\s]*");
    /** Shorter passwords are not searched for in messages: every "a" or "12" in a message would turn into ***. */
    private static final int MIN_REDACTED_LENGTH = 3;

    private SourceDatabase() {
    }

    /**
     * A pool of at most one connection (runs never overlap), closed a minute after a run: a query on a daily cron
     * should not hold a warehouse connection all day. No connection is made until the first run, so a database
     * that is down at start fails that run, with a report, instead of the start.
     *
     * @throws ConfigException when no JDBC driver on the class path takes the URL
     */
    public static HikariDataSource pool(JdbcSettings jdbc) {
        try {
            DriverManager.getDriver(jdbc.url());
        } catch (SQLException e) {
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
        return new HikariDataSource(config);
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
