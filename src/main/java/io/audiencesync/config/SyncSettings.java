package io.audiencesync.config;

import io.audiencesync.identity.IdentifierMapping;

import java.net.URI;
import org.quartz.CronExpression;

import java.nio.file.Path;
import java.text.ParseException;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;

/**
 * Every setting of a sync, read once and validated at start. The defaults live in application.properties
 * (embedded in the jar); here a setting that is missing or invalid stops the tool with its key named.
 */
public record SyncSettings(
        URI apiUrl,
        String adAccountId,
        String accessToken,
        Duration connectTimeout,
        Duration requestTimeout,
        String name,
        String audienceName,
        IdentifierMapping identifiers,
        SyncMode mode,
        boolean piiHashing,
        boolean hashEmails,
        int batchSize,
        int chunkSize,
        int sortBufferValues,
        Path dataDir,
        Path inboxDir,
        boolean once,
        JdbcSettings jdbc) {

    public static final int MAX_BATCH_SIZE = 100_000;

    /** Reads and validates every setting through {@code lookup} (Camel's property resolution in the app). */
    public static SyncSettings load(Function<String, Optional<String>> lookup) {
        Reader r = new Reader(lookup);
        String audienceName = r.optional("sync.audience-name");
        return new SyncSettings(
                r.url("pinterest.api-url"),
                r.id("pinterest.ad-account-id"),
                r.secret("pinterest.access-token"),
                Duration.ofSeconds(r.integer("pinterest.connect-timeout-seconds", 1, 600)),
                Duration.ofSeconds(r.integer("pinterest.request-timeout-seconds", 1, 3600)),
                r.name("sync.name"),
                audienceName,
                r.mapping("sync.identifiers"),
                r.mode("sync.mode"),
                r.bool("sync.pii-hashing"),
                r.bool("sync.hash-emails"),
                r.integer("sync.batch-size", 1, MAX_BATCH_SIZE),
                r.integer("source.chunk-size", 1, 1_000_000),
                r.integer("sync.sort-buffer-values", 1_000, 50_000_000),
                Path.of(r.required("sync.data-dir")),
                Path.of(r.required("source.file.dir")),
                r.bool("sync.once"),
                r.jdbc());
    }

    /** The SQL source runs when {@code source.jdbc.url} is set (the routes' precondition asks this). */
    public boolean jdbcEnabled() {
        return jdbc != null;
    }

    /** The name Pinterest users see: {@code sync.audience-name}, else {@code sync.name}. */
    public String displayName() {
        return audienceName != null ? audienceName : name;
    }

    public String customerListName() {
        return "Customer List-" + displayName();
    }

    public String audienceDisplayName() {
        return "Audience-" + displayName();
    }

    public Path stateDir() {
        return dataDir.resolve("state");
    }

    @Override
    public String toString() {
        // Never print the token.
        return "SyncSettings[apiUrl=" + apiUrl + ", adAccountId=" + adAccountId + ", name=" + name
                + ", identifiers=" + identifiers + ", mode=" + mode.key() + ", piiHashing=" + piiHashing
                + ", hashEmails=" + hashEmails + ", batchSize=" + batchSize + ", dataDir=" + dataDir
                + ", jdbc=" + jdbc + "]";
    }

    private record Reader(Function<String, Optional<String>> lookup) {

        String optional(String key) {
            return lookup.apply(key).map(String::strip).filter(v -> !v.isEmpty()).orElse(null);
        }

        String required(String key) {
            String value = optional(key);
            if (value == null) {
                throw new ConfigException(key, "is not set (application.properties, -D" + key + "=... or environment variable "
                        + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_') + ")");
            }
            return value;
        }

        String secret(String key) {
            return required(key);
        }

        URI url(String key) {
            String value = required(key);
            try {
                URI uri = URI.create(value);
                if (!"https".equals(uri.getScheme()) && !"http".equals(uri.getScheme()) || uri.getHost() == null) {
                    throw new IllegalArgumentException();
                }
                return uri;
            } catch (IllegalArgumentException e) {
                throw new ConfigException(key, "must be an http(s) URL such as https://api.pinterest.com/v5, got '" + value + "'");
            }
        }

        String id(String key) {
            String value = required(key);
            if (!value.matches("\\d{1,18}")) {
                throw new ConfigException(key, "must be the numeric ad account id (up to 18 digits; Business Access > Ad Accounts), got '"
                        + value + "'");
            }
            return value;
        }

        String name(String key) {
            String value = required(key);
            if (value.length() > 200 || value.chars().anyMatch(Character::isISOControl)) {
                throw new ConfigException(key, "must be a plain name of at most 200 characters");
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

        boolean bool(String key) {
            String value = required(key);
            if (value.equalsIgnoreCase("true") || value.equalsIgnoreCase("false")) {
                return Boolean.parseBoolean(value);
            }
            throw new ConfigException(key, "must be true or false, got '" + value + "'");
        }

        IdentifierMapping mapping(String key) {
            try {
                return IdentifierMapping.parse(required(key));
            } catch (IllegalArgumentException e) {
                throw new ConfigException(key, e.getMessage());
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
                    required("source.jdbc.query"), cron("source.jdbc.cron"),
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

        SyncMode mode(String key) {
            try {
                return SyncMode.parse(required(key));
            } catch (IllegalArgumentException e) {
                throw new ConfigException(key, e.getMessage());
            }
        }
    }
}
