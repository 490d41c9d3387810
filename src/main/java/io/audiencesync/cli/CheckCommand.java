package io.audiencesync.cli;

import io.audiencesync.SyncApp;
import io.audiencesync.config.RetrySettings;
import io.audiencesync.config.SettingsSources;
import io.audiencesync.config.SyncSettings;
import io.audiencesync.config.Workspace;
import io.audiencesync.source.JdbcSource;
import io.audiencesync.source.SourceDatabase;
import io.audiencesync.observe.Secrets;
import io.audiencesync.pinterest.AdAccount;
import io.audiencesync.pinterest.PinterestClient;
import io.audiencesync.routes.PinterestRoute;
import io.audiencesync.identity.Identifier;
import io.audiencesync.identity.IdentifierMapping;
import io.audiencesync.identity.IdentifierType;
import io.audiencesync.identity.Normalizer;
import io.audiencesync.identity.RejectReason;
import io.audiencesync.source.CsvFormat;
import io.audiencesync.source.CsvSource;
import io.audiencesync.source.Row;
import io.audiencesync.source.SnapshotHeaderException;
import io.audiencesync.source.SnapshotReadException;
import io.audiencesync.sync.Provisioner;
import io.audiencesync.sync.RunLifecycle;
import io.audiencesync.sync.Target;
import io.audiencesync.PinterestConnection;
import io.audiencesync.pinterest.TokenProvider;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.Locale;
import java.util.stream.Collectors;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.HashMap;
import java.util.TreeMap;

@Command(name = "check",
        mixinStandardHelpOptions = true,
        description = "Checks the configuration and reports every problem at once: keys that are no setting (with the "
                + "nearest one), invalid values, a --config file that is not there. Prints each setting's value and "
                + "where it came from (file, environment, -D, command line, default), secrets hidden. Then, unless "
                + "--offline: whether Pinterest answers at pinterest.api-url, whether the token can read the ad "
                + "account, and which customer list and audience a run would use or create. Last, the inbox, and "
                + "the newest file's header, and runs the query to see its columns (no row read). With "
                + "sync.definitions-dir: every sync file, and the conflicts between syncs. With FILE, that file read as "
                + "a run reads it (header, mapping, the first rows' values and rejects by reason). Sends and changes nothing.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:everything checked is right", "2:something is wrong (each problem is listed)"})
final class CheckCommand implements Callable<Integer> {

    /** Values never printed: keys that hold a secret. */
    private static final Pattern SECRET = Pattern.compile(".*(secret|password|access-token|refresh-token)$");

    @Option(names = "--offline", description = "Check only the configuration and the inboxes; call neither Pinterest nor"
            + " the source databases.")
    boolean offline;

    /** The rows of a given file that check reads at most: enough to see a mapping's rejects, bounded for any file. */
    static final int FILE_ROWS = 1000;

    @Parameters(arity = "0..1", paramLabel = "FILE", description = "A CSV file (.csv or .csv.gz) to read as a run would: its"
            + " header, the mapping and the rejects of its first " + FILE_ROWS + " rows by reason; nothing is sent and the"
            + " file stays where it is. In a workspace of several syncs, name the sync that reads it with --sync ID.")
    Path file;

    @Mixin
    VerboseOption verbose;

    @Mixin
    ConfigOption config;

    @Mixin
    SyncOption syncs;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Map<String, String> overrides = new HashMap<>();
        syncs.into(overrides);
        Preflight.Result preflight = Preflight.offline(config, overrides, false);
        SettingsSources sources = preflight.sources();
        out.println("Configuration: " + (sources.fileRead() ? sources.file().toAbsolutePath() + " over the embedded defaults"
                : "the embedded defaults only (" + sources.file().toAbsolutePath() + " does not exist)")
                + "; environment variables and -D override both");
        printSettings(out, sources);
        int problems = preflight.problems().size();
        out.println();
        if (problems == 0 && preflight.warnings().isEmpty()) {
            out.println("Settings: OK");
        }
        preflight.warnings().forEach(w -> out.println("Warning: " + w));
        preflight.problems().forEach(p -> out.println("PROBLEM: " + p.getMessage()));
        Workspace workspace = preflight.workspace();
        if (workspace != null) {
            if (!workspace.single()) {
                out.println();
                out.println("Workspace " + workspace.definitionsDir().toAbsolutePath().normalize() + ": "
                        + workspace.syncs().size() + " syncs " + workspace.syncs().stream().map(SyncSettings::id).toList()
                        + ", no two writing one list or reading one inbox");
            }
            if (offline) {
                // No call, but the token file says when the tokens expire.
                out.println();
                out.println("Tokens:");
                try {
                    PinterestConnection.expiry(workspace.syncs().get(0).pinterest()).lines(java.time.Instant.now())
                            .forEach(line -> out.println("  " + line));
                } catch (io.audiencesync.config.ConfigException e) {
                    out.println("  " + e.getMessage());
                }
            }
            if (file != null && workspace.syncs().size() != 1) {
                out.println();
                out.println("PROBLEM: check " + file + ": the workspace has the syncs " + workspace.syncs().stream()
                        .map(SyncSettings::id).toList() + ": name the one whose mapping reads this file with --sync ID");
                problems++;
            } else if (file != null) {
                problems += checkFile(out, workspace.syncs().get(0), workspace.single());
            }
            for (SyncSettings settings : workspace.syncs()) {
                if (!workspace.single()) {
                    out.println();
                    out.println("== Sync '" + settings.id() + "' (" + settings.customerListName() + ")");
                }
                if (!offline) {
                    problems += checkPinterest(out, settings);
                }
                problems += checkInbox(out, settings);
                if (settings.jdbcEnabled() && !offline) {
                    problems += checkQuery(out, settings);
                }
            }
        } else {
            out.println("Pinterest, the inboxes and the queries are not checked until the settings are right.");
        }
        out.println();
        out.println(problems == 0 ? "check: OK" : "check: " + problems + (problems == 1 ? " problem" : " problems")
                + " (exit code 2)");
        out.flush();
        err.flush();
        return problems == 0 ? 0 : SyncApp.CONFIG_ERROR;
    }

    /** Every setting, its value (secrets hidden) and where the value came from. */
    private void printSettings(PrintWriter out, SettingsSources sources) {
        Map<String, Optional<String>> values = SyncApp.readSettings(config.file(), Map.of(), lookup -> {
            Map<String, Optional<String>> all = new TreeMap<>();
            sources.knownKeys().forEach(key -> all.put(key, lookup.apply(key)));
            return all;
        });
        int width = values.keySet().stream().mapToInt(String::length).max().orElse(20);
        values.forEach((key, value) -> out.printf("  %-" + width + "s = %s  (%s)%n", key, shown(key, value.orElse("")),
                sources.origin(key).label()));
    }

    private static String shown(String key, String value) {
        if (value.isBlank()) {
            return "";
        }
        if (SECRET.matcher(key).matches()) {
            return "(set, not shown)";
        }
        // A URL's user info and a JDBC URL's password parameter are credentials too.
        return Secrets.mask(Secrets.withoutUserInfo(value).replaceAll("(?i)(password=)[^&;]*", "$1***"));
    }

    /** Pinterest answers, the token reads the ad account, and the list and audience a run would use. */
    private int checkPinterest(PrintWriter out, SyncSettings settings) {
        out.println();
        out.println("Pinterest at " + settings.pinterest().apiUrl() + ":");
        try (Quiet quiet = verbose.quiet()) {
            TokenProvider tokens = PinterestConnection.tokens(settings.pinterest());
            tokens.expiry().lines(java.time.Instant.now()).forEach(line -> out.println("  " + line));
            // One try each: check says at once what is wrong, where a run would wait out its retries.
            try (PinterestRoute.Standalone pinterest = PinterestRoute.standalone(settings.pinterest().apiUrl(),
                    settings.pinterest().requireAdAccountId(), tokens, new PinterestClient.Options(
                            settings.pinterest().connectTimeout(), settings.pinterest().requestTimeout(), RetrySettings.ONCE,
                            status -> { }, () -> false))) {
                AdAccount account = pinterest.client().getAdAccount();
                out.println("  answers, and the token reads ad account " + account.id() + " '" + account.name() + "'");
                Target target = new Provisioner(settings, pinterest.client(), null).locate();
                out.println("  customer list: '" + target.customerListName() + "' " + (target.customerListId() == null
                        ? "does not exist yet: the first run creates it with its first ADD batch"
                        : target.customerListId() + ": runs sync into it"));
                out.println("  audience: '" + target.audienceName() + "' " + (target.audienceId() == null
                        ? "does not exist yet: the first run creates it (or adopts one that wraps the list)"
                        : target.audienceId()));
            } finally {
                tokens.close();
            }
            return 0;
        } catch (RuntimeException e) {
            if (!Failures.explained(e)) {
                throw e;
            }
            out.println("PROBLEM: " + RunLifecycle.explain(e));
            return 1;
        }
    }

    /**
     * The query runs and returns the mapped columns: the database describes the statement, no row is read, so a
     * missing table or a misnamed column is found here rather than by the first run.
     */
    private static int checkQuery(PrintWriter out, SyncSettings settings) {
        out.println();
        out.println("Query on " + settings.jdbc().safeUrl() + ":");
        try (SourceDatabase database = SourceDatabase.open(settings.jdbc())) {
            List<String> columns = database.columns(settings.jdbc().query());
            JdbcSource source = new JdbcSource(settings.identifiers(), 1, settings.jdbc().query(), "query", s -> s, () -> { });
            String problem = source.columnProblem(columns);
            if (problem != null) {
                out.println("PROBLEM: " + problem);
                return 1;
            }
            out.println("  runs, and returns the mapped columns " + settings.identifiers().columns().stream()
                    .map(c -> c.name()).toList() + " (no row was read)");
            return 0;
        } catch (java.sql.SQLException e) {
            out.println("PROBLEM: source.jdbc.query cannot run: " + SourceDatabase.redactor(settings.jdbc())
                    .apply(String.valueOf(e.getMessage()).replaceAll("\\s+", " ").strip())
                    + (e.getSQLState() == null ? "" : " (SQLState " + e.getSQLState() + ")") + "; fix the query or the database");
            return 1;
        } catch (RuntimeException e) {
            out.println("PROBLEM: " + Secrets.mask(String.valueOf(e.getMessage())));
            return 1;
        }
    }

    /**
     * A file given on the command line, read as a run of {@code settings} reads it: the header and the mapping, then
     * at most {@link #FILE_ROWS} rows normalized as a run does, with the values by type and the rejects by reason.
     */
    private int checkFile(PrintWriter out, SyncSettings settings, boolean single) {
        Path path = file.toAbsolutePath().normalize();
        CsvFormat format = settings.fileSource().format();
        out.println();
        out.println("File " + path + (single ? "" : " as sync '" + settings.id() + "' reads it") + " (delimiter '"
                + CsvFormat.name(format.delimiter()) + "', " + format.encoding().name() + "):");
        if (!Files.isRegularFile(path)) {
            out.println("PROBLEM: " + path + ": no such file; give the path of a CSV file");
            return 1;
        }
        if (!CsvFormat.isSnapshotName(path.getFileName().toString())) {
            out.println("PROBLEM: " + path.getFileName() + " is not read: only *.csv and *.csv.gz files are snapshots");
            return 1;
        }
        CsvSource.FirstRows first;
        try {
            first = new CsvSource(settings.identifiers(), settings.chunkSize(), settings.fileSource().requireLineEnd(), format)
                    .firstRows(path, FILE_ROWS);
        } catch (RuntimeException e) {
            if (!(e instanceof SnapshotHeaderException || e instanceof SnapshotReadException)) {
                throw e;
            }
            out.println("PROBLEM: " + Secrets.mask(e.getMessage()));
            return 1;
        }
        out.println("  header: names the mapped columns " + settings.identifiers().columns().stream().map(c -> c.name()).toList());
        Normalizer normalizer = new Normalizer(settings.piiHashing(), settings.hashEmails(), settings.deviceIdDigits());
        List<IdentifierMapping.Column> columns = settings.identifiers().columns();
        Map<IdentifierType, Long> values = new EnumMap<>(IdentifierType.class);
        Map<RejectReason, Long> rejected = new EnumMap<>(RejectReason.class);
        Map<RejectReason, List<String>> where = new EnumMap<>(RejectReason.class);
        for (Row row : first.rows()) {
            for (int i = 0; i < columns.size(); i++) {
                Identifier identifier = normalizer.normalize(columns.get(i).type(), row.cells()[i]);
                if (identifier instanceof Identifier.Wire wire) {
                    values.merge(wire.type(), 1L, Long::sum);
                } else if (identifier instanceof Identifier.Rejected reject) {
                    rejected.merge(reject.reason(), 1L, Long::sum);
                    List<String> lines = where.computeIfAbsent(reject.reason(), r -> new ArrayList<>());
                    if (lines.size() < 3) {
                        lines.add("line " + row.line() + " " + columns.get(i).name() + " " + reject.redactedSample());
                    }
                }
            }
        }
        int rows = first.rows().size();
        out.println("  rows: " + (first.more() ? String.format(Locale.ROOT, "the first %,d read (check reads at most %,d;"
                + " a run reads every row, then checks the last line end)", rows, FILE_ROWS)
                : String.format(Locale.ROOT, "%,d, the whole file%s", rows, first.failure() == null ? "" : " up to the fault below")));
        out.println("  values: " + (values.isEmpty() ? "none" : counts(values)));
        long rejects = rejected.values().stream().mapToLong(Long::longValue).sum();
        out.println("  rejected: " + rejects + (rejects == 0 ? "" : " (" + counts(rejected) + "); a run sends the other"
                + " values and lists these in its rejects file"));
        where.forEach((reason, lines) -> out.println("    " + reason + ": " + String.join(", ", lines)
                + (rejected.get(reason) > lines.size() ? ", ..." : "")));
        int problems = 0;
        if (first.failure() != null) {
            out.println("PROBLEM: " + Secrets.mask(first.failure()));
            problems++;
        }
        if (rows > 0 && values.isEmpty()) {
            out.println("PROBLEM: " + path.getFileName() + ": none of its first " + rows + " rows gives a value to send ("
                    + (rejects == 0 ? "the mapped columns are empty" : "every one is rejected") + "): check that sync.identifiers"
                    + " maps the columns that hold the identifiers, with their types (" + settings.identifiers() + ")");
            problems++;
        }
        return problems;
    }

    private static String counts(Map<? extends Enum<?>, Long> counts) {
        return counts.entrySet().stream().map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", "));
    }

    /** The inbox exists, and its newest snapshot's header holds every mapped column. */
    private static int checkInbox(PrintWriter out, SyncSettings settings) throws IOException {
        Path inbox = settings.inboxDir().toAbsolutePath().normalize();
        out.println();
        out.println("Inbox " + inbox + ":");
        if (!Files.isDirectory(inbox)) {
            if (settings.fileSource().createInbox()) {
                out.println("  does not exist yet; a run creates it (drop CSV files there)");
                return 0;
            }
            out.println("PROBLEM: source.file.dir: " + inbox + " does not exist; create it, or set source.file.dir");
            return 1;
        }
        Optional<Path> newest;
        try (Stream<Path> files = Files.list(inbox)) {
            newest = files.filter(Files::isRegularFile)
                    .filter(p -> io.audiencesync.source.CsvFormat.isSnapshotName(p.getFileName().toString()))
                    .max(Comparator.comparing(p -> p.toFile().lastModified()));
        }
        if (newest.isEmpty()) {
            out.println("  no snapshot waits there (*.csv or *.csv.gz)");
            return 0;
        }
        String problem = new CsvSource(settings.identifiers(), 1, false, settings.fileSource().format())
                .headerProblem(newest.get());
        if (problem != null) {
            out.println("PROBLEM: " + problem);
            return 1;
        }
        out.println("  newest file " + newest.get().getFileName() + ": its header has the mapped columns "
                + List.copyOf(settings.identifiers().columns().stream().map(c -> c.name()).toList()));
        return 0;
    }
}
