package io.audiencesync.config;

import io.audiencesync.identity.IdentifierMapping;
import io.audiencesync.observe.Secrets;
import io.audiencesync.source.CsvFormat;
import org.quartz.CronExpression;

import java.net.URI;
import java.nio.charset.Charset;
import java.text.ParseException;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;

/** Reads one setting at a time and turns a missing or invalid value into a {@link ConfigException} naming its key. */
record SettingsReader(Function<String, Optional<String>> lookup) {

    private static final String DIGITS = "\\d{1,18}";

    String optional(String key) {
        return lookup.apply(key).map(String::strip).filter(v -> !v.isEmpty()).orElse(null);
    }

    String required(String key) {
        String value = optional(key);
        if (value == null) {
            throw new ConfigException(key, "is not set (application.properties, -D" + key + "=... or environment variable "
                    + environmentName(key) + ")");
        }
        return value;
    }

    static String environmentName(String key) {
        return key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    /** A token or secret: optional, and never repeated in a message. */
    String secret(String key) {
        String value = optional(key);
        if (value != null && value.chars().anyMatch(c -> Character.isWhitespace(c) || Character.isISOControl(c))) {
            throw new ConfigException(key, "must not contain whitespace or control characters (the value is not shown)");
        }
        return value;
    }

    URI url(String key) {
        return url(key, required(key));
    }

    URI optionalUrl(String key) {
        String value = optional(key);
        return value == null ? null : url(key, value);
    }

    private static URI url(String key, String value) {
        // Never echo credentials a URL may carry (https://user:secret@host/...).
        String shown = Secrets.withoutUserInfo(value);
        URI uri;
        try {
            uri = URI.create(value);
        } catch (IllegalArgumentException e) {
            uri = null;
        }
        if (uri == null || !"https".equals(uri.getScheme()) && !"http".equals(uri.getScheme()) || uri.getHost() == null) {
            throw new ConfigException(key, "must be an http(s) URL such as https://api.pinterest.com/v5, got '" + shown + "'");
        }
        if (uri.getPort() > 65535 || uri.getPort() == 0) {
            throw new ConfigException(key, "has port " + uri.getPort() + ", which no server can listen on (1 to 65535), in '"
                    + shown + "'");
        }
        return uri;
    }

    String id(String key) {
        String value = required(key);
        return checkedId(key, value);
    }

    /** A numeric Pinterest id, or null when the key is not set. */
    String optionalId(String key, String what) {
        String value = optional(key);
        if (value != null && !value.matches(DIGITS)) {
            throw new ConfigException(key, "must be " + what + " (up to 18 digits), got '" + value + "'");
        }
        return value;
    }

    static String checkedId(String key, String value) {
        if (!value.matches(DIGITS)) {
            throw new ConfigException(key, "must be the numeric ad account id (up to 18 digits; Business Access > Ad Accounts), got '"
                    + value + "'");
        }
        return value;
    }

    String name(String key) {
        return checkedName(key, required(key), 200);
    }

    /** A name, or null when the key is not set. */
    String optionalName(String key, int maxLength) {
        String value = optional(key);
        return value == null ? null : checkedName(key, value, maxLength);
    }

    /** A name of at most {@code maxLength} characters (counted as a person counts them, not in bytes), no control character. */
    private static String checkedName(String key, String value, int maxLength) {
        int length = value.codePointCount(0, value.length());
        if (length > maxLength) {
            throw new ConfigException(key, "is " + length + " characters long; it must be a name of at most " + maxLength
                    + " characters (Pinterest's limit for list and audience names); shorten it");
        }
        for (int i = 0, n = 1; i < value.length(); i += Character.charCount(value.codePointAt(i)), n++) {
            if (Character.isISOControl(value.codePointAt(i))) {
                throw new ConfigException(key, "holds a control character (U+" + String.format("%04X", value.codePointAt(i))
                        + ") at character " + n + "; a name is plain text on one line");
            }
        }
        return value;
    }

    int integer(String key, int min, int max) {
        String value = required(key);
        try {
            int n = Integer.parseInt(value);
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException ignored) {
            // reported below with the accepted range
        }
        throw new ConfigException(key, "must be a whole number from " + min + " to " + max + ", got '" + value + "'");
    }

    double fraction(String key) {
        String value = required(key);
        try {
            double d = Double.parseDouble(value);
            if (d >= 0 && d <= 1) {
                return d;
            }
        } catch (NumberFormatException ignored) {
            // reported below with the accepted range
        }
        throw new ConfigException(key, "must be a fraction from 0 to 1 such as 0.5, got '" + value + "'");
    }

    boolean bool(String key) {
        String value = required(key);
        if (value.equalsIgnoreCase("true") || value.equalsIgnoreCase("false")) {
            return Boolean.parseBoolean(value);
        }
        throw new ConfigException(key, "must be true or false, got '" + value + "'");
    }

    IdentifierMapping mapping(String key) {
        IdentifierMapping mapping;
        try {
            mapping = IdentifierMapping.parse(required(key));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(key, e.getMessage());
        }
        try {
            return mapping.withKeyColumn(optional("sync.rejects-key-column"));
        } catch (IllegalArgumentException e) {
            throw new ConfigException("sync.rejects-key-column", e.getMessage());
        }
    }

    SyncMode mode(String key) {
        try {
            return SyncMode.parse(required(key));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(key, e.getMessage());
        }
    }

    /** {@code source.file.delimiter}, {@code quote} and {@code encoding}: how the CSV files are written. */
    CsvFormat csvFormat() {
        char delimiter;
        try {
            delimiter = CsvFormat.delimiter(required("source.file.delimiter"));
        } catch (IllegalArgumentException e) {
            throw new ConfigException("source.file.delimiter", e.getMessage());
        }
        String quote = required("source.file.quote");
        if (quote.length() != 1 || quote.charAt(0) == delimiter) {
            throw new ConfigException("source.file.quote", "must be one character other than the delimiter, such as \" or ',"
                    + " got '" + quote + "'");
        }
        String encoding = required("source.file.encoding");
        try {
            return new CsvFormat(delimiter, quote.charAt(0), Charset.forName(encoding));
        } catch (IllegalArgumentException e) {
            throw new ConfigException("source.file.encoding", "must be an encoding this Java knows, such as UTF-8,"
                    + " windows-1252 or ISO-8859-1, got '" + encoding + "'");
        }
    }

    /** {@code source.jdbc.*}, or null when {@code source.jdbc.url} is empty: the file-only setup needs no database. */
    JdbcSettings jdbc() {
        String url = optional("source.jdbc.url");
        if (url == null) {
            return null;
        }
        if (!url.startsWith("jdbc:")) {
            throw new ConfigException("source.jdbc.url", "must be a JDBC URL such as jdbc:postgresql://db.example.com:5432/crm, got '"
                    + JdbcSettings.withoutCredentials(url) + "'");
        }
        return new JdbcSettings(url, optional("source.jdbc.user"), optional("source.jdbc.password"),
                required("source.jdbc.query"), optional("source.jdbc.count-query"), cron("source.jdbc.cron"),
                integer("source.jdbc.fetch-size", 1, 1_000_000),
                Duration.ofSeconds(integer("source.jdbc.connect-timeout-seconds", 1, 600)));
    }

    String cron(String key) {
        String value = required(key);
        try {
            CronExpression.validateExpression(value);
            return value;
        } catch (ParseException e) {
            throw new ConfigException(key, "must be a Quartz cron expression (seconds minutes hours day-of-month month"
                    + " day-of-week, e.g. '0 0 3 * * ?' for 03:00 every day), got '" + value + "': " + e.getMessage());
        }
    }

    /** {@code state.*}: the embedded file store, or PostgreSQL with its connection and schema. */
    StateSettings state() {
        StateSettings.Store store;
        try {
            store = StateSettings.Store.parse(required("state.store"));
        } catch (IllegalArgumentException e) {
            throw new ConfigException("state.store", e.getMessage());
        }
        if (store == StateSettings.Store.FILE) {
            return new StateSettings(store, null, null, null, null);
        }
        String url = required("state.jdbc-url");
        if (!url.startsWith("jdbc:postgresql:")) {
            throw new ConfigException("state.jdbc-url", "must be a PostgreSQL JDBC URL such as"
                    + " jdbc:postgresql://127.0.0.1:5432/audiences, got '" + StateSettings.redact(url) + "'");
        }
        String schema = required("state.jdbc-schema");
        if (!schema.matches("[a-z_][a-z0-9_]{0,62}")) {
            throw new ConfigException("state.jdbc-schema", "must be a lowercase SQL name such as pinterest_audience_sync,"
                    + " got '" + schema + "'");
        }
        return new StateSettings(store, url, optional("state.jdbc-user"), optional("state.jdbc-password"), schema);
    }
}
