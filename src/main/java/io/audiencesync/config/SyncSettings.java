package io.audiencesync.config;

import io.audiencesync.identity.IdentifierMapping;

import java.net.URI;
import java.nio.file.Path;
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
        RetrySettings retry,
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
        double maxRemovalFraction,
        boolean allowMassRemoval,
        boolean once,
        boolean dryRun,
        StateSettings state) {

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
                new RetrySettings(
                        r.integer("pinterest.max-attempts", 1, 100),
                        Duration.ofSeconds(r.integer("pinterest.retry-budget-seconds", 0, 86_400)),
                        Duration.ofMillis(r.integer("pinterest.retry-base-delay-ms", 1, 600_000)),
                        Duration.ofMillis(r.integer("pinterest.retry-max-delay-ms", 1, 3_600_000)),
                        r.integer("pinterest.write-rate-per-minute", 1, 100_000)),
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
                r.fraction("sync.max-removal-fraction"),
                r.bool("sync.allow-mass-removal"),
                r.bool("sync.once"),
                r.bool("sync.dry-run"),
                r.state());
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
                + ", hashEmails=" + hashEmails + ", batchSize=" + batchSize + ", dataDir=" + dataDir + ", state=" + state + "]";
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
            try {
                return IdentifierMapping.parse(required(key));
            } catch (IllegalArgumentException e) {
                throw new ConfigException(key, e.getMessage());
            }
        }

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

        SyncMode mode(String key) {
            try {
                return SyncMode.parse(required(key));
            } catch (IllegalArgumentException e) {
                throw new ConfigException(key, e.getMessage());
            }
        }
    }
}
