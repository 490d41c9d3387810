package io.audiencesync.config;

import io.audiencesync.identity.IdentifierMapping;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Function;

/**
 * Every setting of a sync, read once and validated at start. The defaults live in application.properties
 * (embedded in the jar); here a setting that is missing or invalid stops the tool with its key named.
 */
public record SyncSettings(
        PinterestSettings pinterest,
        String name,
        String audienceName,
        AudienceSelection selection,
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
        Management management,
        int keepRuns,
        Duration progressInterval,
        JdbcSettings jdbc,
        StateSettings state) {

    /** The management endpoints (health, metrics) of a long-running sync. */
    public record Management(boolean enabled, String host, int port) {
    }

    public static final int MAX_BATCH_SIZE = 100_000;

    /** Reads and validates every setting through {@code lookup} (Camel's property resolution in the app). */
    public static SyncSettings load(Function<String, Optional<String>> lookup) {
        SettingsReader r = new SettingsReader(lookup);
        PinterestSettings pinterest = PinterestSettings.load(lookup);
        pinterest.requireAdAccountId();
        String audienceName = r.optionalName("sync.audience-name", 200);
        return new SyncSettings(
                pinterest,
                r.name("sync.name"),
                audienceName,
                selection(r, audienceName),
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
                new Management(r.bool("management.enabled"), r.required("management.host"),
                        r.integer("management.port", 0, 65535)),
                r.integer("sync.keep-runs", 1, 1_000_000),
                Duration.ofSeconds(r.integer("sync.progress-interval-seconds", 1, 3600)),
                r.jdbc(),
                r.state());
    }

    /** The SQL source runs when {@code source.jdbc.url} is set (the routes' precondition asks this). */
    public boolean jdbcEnabled() {
        return jdbc != null;
    }

    private static AudienceSelection selection(SettingsReader r, String audienceName) {
        // "Customer List-{name}, Audience-{name}" with names of up to 200 characters each
        String named = r.optionalName("sync.audience", 420);
        String listId = r.optionalId("sync.customer-list-id", "a customer list id");
        String audienceId = r.optionalId("sync.audience-id", "an audience id");
        if (named != null && (listId != null || audienceId != null)) {
            throw new ConfigException("sync.audience", "set either sync.audience or sync.customer-list-id/sync.audience-id, not both");
        }
        if ((named != null || listId != null || audienceId != null) && audienceName != null) {
            throw new ConfigException("sync.audience-name", "names a list and audience this tool creates; it cannot be combined with"
                    + " sync.audience, sync.customer-list-id or sync.audience-id, which choose an existing one");
        }
        if (named != null) {
            return new AudienceSelection.Named(named);
        }
        if (listId != null || audienceId != null) {
            return new AudienceSelection.Ids(listId, audienceId);
        }
        return new AudienceSelection.Own();
    }

    public String adAccountId() {
        return pinterest.adAccountId();
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
        // Never print a token or the client secret: PinterestSettings redacts them.
        return "SyncSettings[" + pinterest + ", name=" + name + ", selection=" + selection
                + ", identifiers=" + identifiers + ", mode=" + mode.key() + ", piiHashing=" + piiHashing
                + ", hashEmails=" + hashEmails + ", batchSize=" + batchSize + ", dataDir=" + dataDir
                + ", jdbc=" + jdbc + ", state=" + state + "]";
    }
}
