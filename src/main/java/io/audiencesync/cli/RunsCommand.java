package io.audiencesync.cli;

import io.audiencesync.report.RunHistory;
import io.audiencesync.report.RunReport;
import io.audiencesync.SyncApp;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "runs",
        mixinStandardHelpOptions = true,
        description = "Shows the history of runs from the run reports under sync.data-dir/runs, newest last.")
final class RunsCommand implements Callable<Integer> {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "The sync's data directory (default: sync.data-dir from --config, else ./data).")
    Path dataDir;

    @Mixin
    ConfigOption config;

    @Option(names = "--last", paramLabel = "N", defaultValue = "20", description = "How many runs to show (default ${DEFAULT-VALUE}).")
    int last;

    private final PrintStream out = System.out;

    @Override
    public Integer call() {
        Path dir;
        try {
            dir = dataDir != null ? dataDir : configuredDataDir();
        } catch (io.audiencesync.config.ConfigException e) {
            return Failures.report(new java.io.PrintWriter(System.err, true), e);
        }
        List<RunReport> reports = new RunHistory(dir).reports();
        if (reports.isEmpty()) {
            out.println("No runs yet under " + dir.resolve("runs"));
            return 0;
        }
        String format = "%-19s  %-24s  %10s  %9s  %9s  %8s  %6s  %9s  %s%n";
        out.printf(format, "time (UTC)", "source", "rows", "adds", "removes", "rejects", "dead", "duration", "outcome");
        for (RunReport r : reports.subList(Math.max(0, reports.size() - last), reports.size())) {
            out.printf(format, TIME.format(r.startedAt()), abbreviate(r.source(), 24), r.rowsRead(), r.adds().sent(),
                    r.removes().sent(), r.rejected(), r.deadLetterBatches(), String.format("%.1f s", r.durationMs() / 1000.0),
                    r.outcome());
        }
        return 0;
    }

    /** sync.data-dir resolved as a run resolves it (environment, system property, --config, embedded default). */
    private Path configuredDataDir() {
        return SyncApp.readSettings(config.existing(), Map.of(), lookup -> Path.of(lookup.apply("sync.data-dir").orElse("./data")));
    }

    private static String abbreviate(String s, int max) {
        return s == null ? "" : s.length() <= max ? s : s.substring(0, max - 1) + "…";
    }
}
