package io.audiencesync.config;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A set of syncs that share the Pinterest app and token, the ad account (unless a sync sets its own), the state
 * store, the management server and logging. Without {@code sync.definitions-dir} the settings are one sync, as they
 * always were; with it, every {@code <id>.properties} file there is a sync whose id is the file's name, holding the
 * {@code sync.*} and {@code source.*} keys (and {@code pinterest.ad-account-id}) it changes, the shared settings
 * giving the rest.
 */
public record Workspace(Path definitionsDir, List<SyncSettings> syncs, int maxConcurrentRuns, ClusterSettings cluster) {

    public static final String DEFINITIONS_DIR = "sync.definitions-dir";
    public static final String MAX_CONCURRENT_RUNS = "sync.max-concurrent-runs";
    /** A sync's id: it names its routes, its meters, its directory and, on Kubernetes, its lease. */
    private static final Pattern ID = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
    /** Keys of the workspace a sync file may not change, and why each belongs to the shared settings. */
    private static final Map<String, String> SHARED_ONLY = new LinkedHashMap<>();

    static {
        SHARED_ONLY.put("sync.data-dir", "the workspace's data directory (each sync's files go under syncs/<id> in it)");
        SHARED_ONLY.put(DEFINITIONS_DIR, "where the sync files are");
        SHARED_ONLY.put(MAX_CONCURRENT_RUNS, "the bound on runs of all syncs at once");
        SHARED_ONLY.put("sync.once", "set by run --once for every sync");
        SHARED_ONLY.put("sync.dry-run", "set by plan for every sync");
        SHARED_ONLY.put("sync.selected", "set by --sync");
        SHARED_ONLY.put("sync.reset-state", "set by run --once --reset-state, for the syncs --sync names");
        SHARED_ONLY.put("sync.empty-list", "set by run --once --empty-list, for the syncs --sync names");
        SHARED_ONLY.put("sync.pushgateway-url", "where run --once pushes every sync's metrics");
        SHARED_ONLY.put("sync.pushgateway-job", "the job every sync's metrics are pushed under");
        SHARED_ONLY.put("sync.progress-interval-seconds", "the progress lines of every run");
    }

    /** The sync with this id. */
    public Optional<SyncSettings> sync(String id) {
        return syncs.stream().filter(s -> s.id().equals(id)).findFirst();
    }

    /** Whether the settings are one sync without a definitions directory (today's single-sync configuration). */
    public boolean single() {
        return definitionsDir == null;
    }

    /**
     * Reads the workspace: the shared settings through {@code shared} (Camel's resolution: environment, -D, the
     * command line, the files, the defaults), each sync file over them. Every problem of every sync, and every
     * conflict between syncs, is reported at once ({@link ConfigProblems}).
     */
    public static Workspace load(Function<String, Optional<String>> shared) {
        SettingsReader r = new SettingsReader(shared);
        String dir = r.optional(DEFINITIONS_DIR);
        int maxConcurrent = r.integer(MAX_CONCURRENT_RUNS, 1, 64);
        Set<String> selected = selected(r.optional("sync.selected"));
        ClusterSettings cluster = ClusterSettings.load(shared, Path.of(Optional.ofNullable(r.optional("sync.data-dir")).orElse("data")));
        if (dir == null) {
            SyncSettings single = SyncSettings.load(shared);
            checkSelected(selected, Set.of(single.id()), null);
            return new Workspace(null, List.of(single), maxConcurrent, cluster);
        }
        Path definitions = Path.of(dir);
        List<Path> files = syncFiles(definitions);
        List<ConfigException> problems = new ArrayList<>();
        List<SyncSettings> syncs = new ArrayList<>();
        Map<String, Path> fileOf = new HashMap<>();
        for (Path file : files) {
            String id = file.getFileName().toString().replaceFirst("\\.properties$", "");
            if (!ID.matcher(id).matches()) {
                problems.add(new ConfigException(DEFINITIONS_DIR, file + ": the file's name is the sync's id, made of"
                        + " lowercase letters, digits and dashes (at most 63, starting and ending with a letter or digit),"
                        + " e.g. users-1.properties; rename it"));
                continue;
            }
            Properties own = read(file);
            List<ConfigException> keys = refusedKeys(file, own);
            if (!keys.isEmpty()) {
                problems.addAll(keys);
                continue;
            }
            try {
                syncs.add(SyncSettings.load(syncLookup(id, own, definitions, shared), new SyncSettings.Layout(id)));
                fileOf.put(id, file);
            } catch (ConfigProblems e) {
                e.problems().forEach(p -> add(problems, own.containsKey(p.key()) ? inFile(file, p) : p));
            } catch (ConfigException e) {
                add(problems, own.containsKey(e.key()) ? inFile(file, e) : e);
            }
        }
        if (files.isEmpty()) {
            problems.add(new ConfigException(DEFINITIONS_DIR, "holds no sync file: " + definitions.toAbsolutePath()
                    + " has no *.properties file; add one per sync (the file's name is the sync's id), or leave "
                    + DEFINITIONS_DIR + " empty for the one sync of application.properties"));
        }
        problems.addAll(conflicts(syncs, fileOf));
        ConfigProblems.throwIfAny(problems);
        checkSelected(selected, fileOf.keySet(), definitions);
        List<SyncSettings> chosen = selected.isEmpty() ? syncs
                : syncs.stream().filter(s -> selected.contains(s.id())).toList();
        return new Workspace(definitions, chosen, maxConcurrent, cluster);
    }

    private static Set<String> selected(String value) {
        Set<String> ids = new TreeSet<>();
        if (value != null) {
            for (String id : value.split(",")) {
                if (!id.isBlank()) {
                    ids.add(id.strip());
                }
            }
        }
        return ids;
    }

    private static void checkSelected(Set<String> selected, Set<String> ids, Path definitions) {
        for (String id : selected) {
            if (!ids.contains(id)) {
                throw new ConfigException("--sync", "there is no sync '" + id + "'; the syncs are " + new TreeSet<>(ids)
                        + (definitions == null ? " (one, without sync.definitions-dir)" : " (the files in " + definitions + ")"));
            }
        }
    }

    private static List<Path> syncFiles(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new ConfigException(DEFINITIONS_DIR, "the directory " + dir.toAbsolutePath() + " does not exist; create"
                    + " it with one <id>.properties file per sync, or fix the path");
        }
        try (Stream<Path> list = Files.list(dir)) {
            return list.filter(p -> p.getFileName().toString().endsWith(".properties") && Files.isRegularFile(p)
                    && !p.getFileName().toString().startsWith(".")).sorted().toList();
        } catch (IOException e) {
            throw new ConfigException(DEFINITIONS_DIR, "cannot list " + dir.toAbsolutePath() + " (" + e.getMessage() + ")");
        }
    }

    private static Properties read(Path file) {
        Properties p = new Properties();
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the sync file " + file, e);
        }
        return p;
    }

    /** Keys a sync file may not hold: the workspace's own, and keys that are no setting at all. */
    private static List<ConfigException> refusedKeys(Path file, Properties own) {
        Set<String> known = SettingsSources.embeddedDefaults().stringPropertyNames();
        List<ConfigException> problems = new ArrayList<>();
        for (String key : new TreeSet<>(own.stringPropertyNames())) {
            boolean syncKey = key.startsWith("sync.") || key.startsWith("source.") || key.equals(PinterestSettings.AD_ACCOUNT_ID);
            if (SHARED_ONLY.containsKey(key)) {
                problems.add(new ConfigException(key, "cannot differ per sync (in " + file + "): it is " + SHARED_ONLY.get(key)
                        + "; set it in the shared settings (application.properties)"));
            } else if (!syncKey && known.contains(key)) {
                problems.add(new ConfigException(key, "cannot differ per sync (in " + file + "): "
                        + (key.startsWith("pinterest.") ? "the Pinterest app, token and API are the workspace's"
                        : key.startsWith("state.") ? "the state store is the workspace's"
                        : "it is a setting of the whole process") + "; set it in the shared settings (application.properties)."
                        + " A sync file holds sync.*, source.* and pinterest.ad-account-id"));
            } else if (!known.contains(key)) {
                String nearest = SettingsSources.nearest(key, known);
                problems.add(new ConfigException(key, "is not a setting (in " + file + ")"
                        + (nearest == null ? "" : "; did you mean " + nearest + "?")));
            }
        }
        return problems;
    }

    /**
     * A sync's settings: its file's, then the shared ones. A relative path in the file is taken from the file's
     * directory; without a name of its own the sync is named by its id.
     */
    private static Function<String, Optional<String>> syncLookup(String id, Properties own, Path dir,
                                                                 Function<String, Optional<String>> shared) {
        return key -> {
            String value = own.getProperty(key);
            if (value != null) {
                value = value.strip();
                if (SettingsFiles.PATHS.contains(key) && !value.isEmpty() && !Path.of(value).isAbsolute()) {
                    value = dir.toAbsolutePath().resolve(value).normalize().toString();
                }
                return Optional.of(value);
            }
            if (key.equals("sync.name")) {
                return Optional.of(shared.apply(key).map(String::strip).filter(v -> !v.isEmpty()).orElse(id));
            }
            return shared.apply(key);
        };
    }

    /** A problem of a sync file's own key names the file; one of the shared settings is said once, for every sync. */
    private static ConfigException inFile(Path file, ConfigException problem) {
        String message = problem.getMessage();
        String what = message.startsWith(problem.key() + ": ") ? message.substring(problem.key().length() + 2) : message;
        return new ConfigException(problem.key(), what + " (sync file " + file.getFileName() + ")");
    }

    private static void add(List<ConfigException> problems, ConfigException problem) {
        if (problems.stream().noneMatch(p -> p.getMessage().equals(problem.getMessage()))) {
            problems.add(problem);
        }
    }

    /** Two syncs writing one customer list, or reading one inbox, would undo each other's work. */
    private static List<ConfigException> conflicts(List<SyncSettings> syncs, Map<String, Path> fileOf) {
        List<ConfigException> problems = new ArrayList<>();
        for (int i = 0; i < syncs.size(); i++) {
            for (int j = i + 1; j < syncs.size(); j++) {
                SyncSettings a = syncs.get(i);
                SyncSettings b = syncs.get(j);
                String both = "syncs '" + a.id() + "' (" + fileOf.get(a.id()).getFileName() + ") and '" + b.id() + "' ("
                        + fileOf.get(b.id()).getFileName() + ")";
                if (a.listKey().equals(b.listKey())) {
                    problems.add(new ConfigException("sync.name", both + " would both write the customer list '"
                            + a.customerListName() + "' of ad account " + a.adAccountId() + "; give each its own sync.name"
                            + " (or sync.audience-name)"));
                } else if (a.name().equals(b.name())) {
                    problems.add(new ConfigException("sync.name", both + " are both named '" + a.name()
                            + "'; give each its own sync.name"));
                }
                if (sameList(a.selection(), b.selection()) && a.adAccountId().equals(b.adAccountId())) {
                    problems.add(new ConfigException("sync.audience", both + " both sync into the existing " + a.selection()
                            + "; one list, one sync"));
                }
                if (a.inboxDir().toAbsolutePath().normalize().equals(b.inboxDir().toAbsolutePath().normalize())) {
                    problems.add(new ConfigException("source.file.dir", both + " would both read the inbox "
                            + a.inboxDir().toAbsolutePath().normalize() + "; give each its own source.file.dir (or leave it"
                            + " empty: each sync then has its own under sync.data-dir)"));
                }
            }
        }
        return problems;
    }

    private static boolean sameList(AudienceSelection a, AudienceSelection b) {
        return !(a instanceof AudienceSelection.Own) && Objects.equals(a, b);
    }
}
