package io.audiencesync.config;

import io.audiencesync.identity.DeviceIdDigits;
import io.audiencesync.identity.IdentifierMapping;
import io.audiencesync.source.CsvFormat;
import io.audiencesync.source.Marker;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.function.Function;

/**
 * Every setting of a sync, read once and validated at start. The defaults live in application.properties
 * (embedded in the jar); here a setting that is missing or invalid stops the tool with its key named.
 */
public record SyncSettings(
        String id,
        PinterestSettings pinterest,
        String name,
        String audienceName,
        AudienceSelection selection,
        IdentifierMapping identifiers,
        SyncMode mode,
        boolean piiHashing,
        boolean hashEmails,
        DeviceIdDigits deviceIdDigits,
        int batchSize,
        int chunkSize,
        int sortBufferValues,
        Path dataDir,
        Path stateDir,
        Path inboxDir,
        FileSource fileSource,
        double maxRemovalFraction,
        double maxShrinkFraction,
        long minListValues,
        Resume resume,
        boolean allowMassRemoval,
        boolean resetState,
        boolean emptyList,
        boolean once,
        boolean dryRun,
        int keepRuns,
        Duration progressInterval,
        JdbcSettings jdbc,
        StateSettings state,
        Pushgateway pushgateway) {

    /** Where {@code run --once} pushes its metrics when it ends ({@code sync.pushgateway-*}); null: it does not. */
    public record Pushgateway(java.net.URI url, String job) {
    }

    /**
     * How the inbox decides a file is whole.
     *
     * @param createInbox    whether the inbox is the default one under {@code sync.data-dir} (created when missing);
     *                       a configured one must exist, so a typo does not look like an empty inbox
     * @param stable         how long a file must stay unchanged before it is read
     * @param requireLineEnd whether a last line without a line end fails the snapshot
     * @param marker         the marker file a file waits for ({name}, {base}), or null for none
     * @param followSymlinks whether a symbolic link in the inbox is read
     * @param everyFile      whether every waiting file is synced in turn, rather than only the newest
     * @param pollDelay      how often the inbox is polled
     * @param stableCheck    how often a file is checked for changes while it must stay unchanged
     */
    public record FileSource(boolean createInbox, Duration stable, boolean requireLineEnd, Marker marker,
                             boolean followSymlinks, CsvFormat format, boolean everyFile, Duration pollDelay,
                             Duration stableCheck) {
    }

    /** When what the desired state still owes is sent again without a new snapshot: backing off from delay to maxDelay. */
    public record Resume(Duration delay, Duration maxDelay) {

        /** The wait before the next attempt after {@code attempts} runs in a row ended with something owed. */
        public Duration after(int attempts) {
            Duration wait = delay;
            for (int i = 1; i < attempts && wait.compareTo(maxDelay) < 0; i++) {
                wait = wait.multipliedBy(2);
            }
            return wait.compareTo(maxDelay) > 0 ? maxDelay : wait;
        }
    }


    public static final int MAX_BATCH_SIZE = 100_000;

    /**
     * Where a sync's own files go (run reports, rejects, dead letters, its default inbox): the single sync of a
     * configuration without {@code sync.definitions-dir} in {@code sync.data-dir} itself, as ever; a sync of a
     * workspace in {@code syncs/<id>} under it. The state ({@code state/}) and the token file are the workspace's.
     *
     * @param id the sync's id (its file's name), or null for the single sync, whose id comes from its name
     */
    public record Layout(String id) {

        /** The configuration without sync.definitions-dir: one sync, its files where they always were. */
        public static final Layout SINGLE = new Layout(null);

        Path ownDir(Path dataDir) {
            return id == null ? dataDir : dataDir.resolve("syncs").resolve(id);
        }
    }

    /** The id of a sync named {@code name} in a configuration of one: its name in lower case, words joined by dashes. */
    public static String idOf(String name) {
        String slug = name.toLowerCase(java.util.Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-+|-+$", "");
        slug = slug.length() > 63 ? slug.substring(0, 63).replaceAll("-+$", "") : slug;
        return slug.isEmpty() ? "sync" : slug;
    }

    /**
     * Reads and validates every setting through {@code lookup} (Camel's property resolution in the app), and reports
     * every invalid one at once ({@link ConfigProblems}). The settings are checked by the code that reads them: a
     * setting found wrong is set aside (read as its default, or a stand-in when it has none) and the settings are
     * read again, until no new problem turns up.
     */
    public static SyncSettings load(Function<String, Optional<String>> lookup) {
        return load(lookup, Layout.SINGLE);
    }

    /** {@link #load(Function)} for a sync laid out as {@code layout} says. */
    public static SyncSettings load(Function<String, Optional<String>> lookup, Layout layout) {
        Properties defaults = SettingsSources.embeddedDefaults();
        Map<String, String> setAside = new HashMap<>();
        List<ConfigException> problems = new ArrayList<>();
        while (true) {
            try {
                SyncSettings settings = loadStrictly(key -> setAside.containsKey(key) ? Optional.of(setAside.get(key))
                        : lookup.apply(key), layout);
                ConfigProblems.throwIfAny(problems);
                return settings;
            } catch (ConfigProblems e) {
                throw e;
            } catch (ConfigException e) {
                boolean again = setAside.containsKey(e.key()) || !defaults.containsKey(e.key());
                // A stand-in that fails too (a name with no default set aside as empty) says nothing of the user's value.
                if (!setAside.containsKey(e.key()) && problems.stream().noneMatch(p -> p.getMessage().equals(e.getMessage()))) {
                    problems.add(e);
                }
                if (again) {
                    // A problem its stand-in does not clear (or of no single key): the others behind it stay unknown.
                    ConfigProblems.throwIfAny(problems);
                }
                String fallback = defaults.getProperty(e.key(), "").strip();
                setAside.put(e.key(), !fallback.isEmpty() ? fallback : e.getMessage().contains("is not set") ? "1" : "");
            }
        }
    }

    private static SyncSettings loadStrictly(Function<String, Optional<String>> lookup, Layout layout) {
        SettingsReader r = new SettingsReader(lookup);
        PinterestSettings pinterest = PinterestSettings.load(lookup);
        pinterest.requireAdAccountId();
        String audienceName = r.optionalName("sync.audience-name", 200);
        Path workspaceDir = Path.of(r.required("sync.data-dir"));
        Path dataDir = layout.ownDir(workspaceDir);
        String configuredInbox = r.optional("source.file.dir");
        Path inbox = configuredInbox == null ? dataDir.resolve("inbox") : Path.of(configuredInbox);
        String name = r.name("sync.name");
        return new SyncSettings(
                layout.id() == null ? idOf(name) : layout.id(),
                pinterest,
                name,
                audienceName,
                selection(r, audienceName),
                r.mapping("sync.identifiers"),
                r.mode("sync.mode"),
                r.bool("sync.pii-hashing"),
                r.bool("sync.hash-emails"),
                deviceIdDigits(r),
                r.integer("sync.batch-size", 1, MAX_BATCH_SIZE),
                r.integer("source.chunk-size", 1, 1_000_000),
                r.integer("sync.sort-buffer-values", 1_000, 50_000_000),
                dataDir,
                workspaceDir.resolve("state"),
                inbox,
                new FileSource(inbox.toAbsolutePath().normalize().equals(dataDir.resolve("inbox").toAbsolutePath().normalize()),
                        Duration.ofSeconds(r.integer("source.file.stable-seconds", 0, 86_400)),
                        r.bool("source.file.require-line-end"), marker(r), r.bool("source.file.follow-symlinks"),
                        r.csvFormat(), r.bool("source.file.sync-every-file"),
                        Duration.ofMillis(r.integer("source.file.poll-delay-ms", 10, 86_400_000)),
                        Duration.ofMillis(r.integer("source.file.read-lock-check-interval-ms", 10, 600_000))),
                r.fraction("sync.max-removal-fraction"),
                r.fraction("sync.max-shrink-fraction"),
                r.integer("sync.min-list-values", 0, 1_000_000_000),
                resume(r),
                r.bool("sync.allow-mass-removal"),
                r.bool("sync.reset-state"),
                emptyList(r),
                r.bool("sync.once"),
                r.bool("sync.dry-run"),
                r.integer("sync.keep-runs", 1, 1_000_000),
                Duration.ofSeconds(r.integer("sync.progress-interval-seconds", 1, 3600)),
                r.jdbc(),
                r.state(),
                pushgateway(r));
    }

    private static Pushgateway pushgateway(SettingsReader r) {
        java.net.URI url = r.optionalUrl("sync.pushgateway-url");
        return url == null ? null : new Pushgateway(url, r.name("sync.pushgateway-job"));
    }

    private static DeviceIdDigits deviceIdDigits(SettingsReader r) {
        try {
            return DeviceIdDigits.parse(r.required("sync.device-id-32-hex"));
        } catch (IllegalArgumentException e) {
            throw new ConfigException("sync.device-id-32-hex", e.getMessage() + ": refuse (a MAID or IDFA of 32 hex digits"
                    + " is rejected as ambiguous), md5 (it is an MD5 digest) or raw (it is a device id without dashes)");
        }
    }

    private static Marker marker(SettingsReader r) {
        String marker = r.optional("source.file.marker");
        if (marker == null) {
            return null;
        }
        try {
            return Marker.of(marker);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("source.file.marker", e.getMessage());
        }
    }

    /** Emptying a list is one confirmed run's decision, never a standing setting of the daemon. */
    private static boolean emptyList(SettingsReader r) {
        boolean empty = r.bool("sync.empty-list");
        if (empty && !r.bool("sync.once") && !r.bool("sync.dry-run")) {
            throw new ConfigException("sync.empty-list", "empties the list for one run only: use run --once --empty-list"
                    + " --allow-mass-removal with an empty snapshot, and remove sync.empty-list from the settings");
        }
        return empty;
    }

    private static Resume resume(SettingsReader r) {
        Duration delay = Duration.ofSeconds(r.integer("sync.resume-delay-seconds", 1, 86_400));
        Duration max = Duration.ofSeconds(r.integer("sync.resume-max-delay-seconds", 1, 7 * 86_400));
        if (max.compareTo(delay) < 0) {
            throw new ConfigException("sync.resume-max-delay-seconds", "must be at least sync.resume-delay-seconds ("
                    + delay.toSeconds() + "), got " + max.toSeconds());
        }
        return new Resume(delay, max);
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

    /** {@code sync.data-dir}: the workspace's directory, which holds {@code state/} and each sync's own directory. */
    public Path workspaceDir() {
        return stateDir.getParent();
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

    /** The key that names the sync's customer list across processes: its write lock and its desired state. */
    public String listKey() {
        return adAccountId() + "/" + customerListName();
    }

    public String audienceDisplayName() {
        return "Audience-" + displayName();
    }

    @Override
    public String toString() {
        // Never print a token or the client secret: PinterestSettings redacts them.
        return "SyncSettings[id=" + id + ", " + pinterest + ", name=" + name + ", selection=" + selection
                + ", identifiers=" + identifiers + ", mode=" + mode.key() + ", piiHashing=" + piiHashing
                + ", hashEmails=" + hashEmails + ", batchSize=" + batchSize + ", dataDir=" + dataDir
                + ", jdbc=" + jdbc + ", state=" + state + "]";
    }
}
