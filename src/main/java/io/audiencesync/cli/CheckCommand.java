package io.audiencesync.cli;

import io.audiencesync.SyncApp;
import io.audiencesync.config.RetrySettings;
import io.audiencesync.config.SettingsSources;
import io.audiencesync.config.SyncSettings;
import io.audiencesync.observe.Secrets;
import io.audiencesync.pinterest.AdAccount;
import io.audiencesync.pinterest.PinterestClient;
import io.audiencesync.routes.PinterestRoute;
import io.audiencesync.source.CsvSource;
import io.audiencesync.sync.Provisioner;
import io.audiencesync.sync.RunLifecycle;
import io.audiencesync.sync.Target;
import io.audiencesync.PinterestConnection;
import io.audiencesync.pinterest.TokenProvider;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import java.util.stream.Stream;

@Command(name = "check",
        mixinStandardHelpOptions = true,
        description = "Checks the configuration and reports every problem at once: keys that are no setting (with the "
                + "nearest one), invalid values, a --config file that is not there. Prints each setting's value and "
                + "where it came from (file, environment, -D, command line, default), secrets hidden. Then, unless "
                + "--offline: whether Pinterest answers at pinterest.api-url, whether the token can read the ad "
                + "account, and which customer list and audience a run would use or create. Last, the inbox, and "
                + "the newest file's header. Sends and changes nothing.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:everything checked is right", "2:something is wrong (each problem is listed)"})
final class CheckCommand implements Callable<Integer> {

    /** Values never printed: keys that hold a secret. */
    private static final Pattern SECRET = Pattern.compile(".*(secret|password|access-token|refresh-token)$");

    @Option(names = "--offline", description = "Check only the configuration and the inbox; do not call Pinterest.")
    boolean offline;

    @Mixin
    VerboseOption verbose;

    @Mixin
    ConfigOption config;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Preflight.Result preflight = Preflight.offline(config, Map.of(), false);
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
        SyncSettings settings = preflight.settings();
        if (settings != null) {
            if (!offline) {
                problems += checkPinterest(out, settings);
            }
            problems += checkInbox(out, settings);
        } else {
            out.println("Pinterest and the inbox are not checked until the settings are right.");
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
            Map<String, Optional<String>> all = new java.util.TreeMap<>();
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
