package io.audiencesync.cli;

import io.audiencesync.SyncApp;
import io.audiencesync.config.Workspace;
import io.audiencesync.report.RunReport;
import io.audiencesync.state.StateFiles;
import io.audiencesync.sync.RunHistory;
import io.audiencesync.sync.StateStores;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.io.PrintWriter;
import java.util.Comparator;

@Command(name = "runs",
        mixinStandardHelpOptions = true,
        description = "Shows the history of runs from the run reports under sync.data-dir/runs (for a workspace, of every"
                + " sync, or those named with --sync, with a column for the sync), newest last.")
final class RunsCommand implements Callable<Integer> {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);

    @Option(names = "--data-dir", paramLabel = "DIR",
            description = "The sync's data directory (default: sync.data-dir from --config, else ./data).")
    Path dataDir;

    @Mixin
    ConfigOption config;

    @Mixin
    SyncOption syncs;

    @Option(names = "--last", paramLabel = "N", defaultValue = "20", description = "How many runs to show (default ${DEFAULT-VALUE}).")
    int last;

    private final PrintStream out = System.out;

    @Override
    public Integer call() {
        Map<String, RunHistory> dirs;
        try {
            dirs = dataDir != null ? Map.of("", new RunHistory(dataDir)) : configuredHistories();
        } catch (io.audiencesync.config.ConfigException e) {
            return Failures.report(new PrintWriter(System.err, true), e);
        }
        boolean several = dirs.size() > 1;
        List<String[]> rows = new ArrayList<>();
        dirs.forEach((sync, history) -> history.reports().forEach(r -> rows.add(new String[] {
                r.startedAt().toString(), sync, TIME.format(r.startedAt()), abbreviate(r.source(), 24),
                Long.toString(r.rowsRead()), Long.toString(r.adds().sent()), Long.toString(r.removes().sent()),
                Long.toString(r.rejected()), Long.toString(r.deadLetterBatches()),
                String.format("%.1f s", r.durationMs() / 1000.0), r.outcome().name()})));
        if (rows.isEmpty()) {
            dirs.values().forEach(history -> out.println("No runs yet in " + history.where()));
            return 0;
        }
        rows.sort(Comparator.comparing((String[] row) -> row[0]));
        String format = (several ? "%-16s  " : "%s") + "%-19s  %-24s  %10s  %9s  %9s  %8s  %6s  %9s  %s%n";
        out.printf(format, several ? "sync" : "", "time (UTC)", "source", "rows", "adds", "removes", "rejects", "dead",
                "duration", "outcome");
        for (String[] row : rows.subList(Math.max(0, rows.size() - last), rows.size())) {
            out.printf(format, several ? abbreviate(row[1], 16) : "", row[2], row[3], row[4], row[5], row[6], row[7], row[8],
                    row[9], row[10]);
        }
        return 0;
    }

    /** Each sync's data directory as a run resolves it (environment, system property, --config, embedded defaults). */
    /** Each sync's run history, where its workspace keeps its files (on the disk, or in PostgreSQL). */
    private Map<String, RunHistory> configuredHistories() {
        Map<String, String> overrides = new HashMap<>();
        syncs.into(overrides);
        Workspace workspace = SyncApp.readSettings(config.existing(), overrides, Workspace::load);
        StateFiles files = StateStores.files(workspace.syncs().get(0));
        Map<String, RunHistory> histories = new LinkedHashMap<>();
        workspace.syncs().forEach(sync -> histories.put(sync.id(), new RunHistory(files, sync.dataDir())));
        return histories;
    }

    private static String abbreviate(String s, int max) {
        return s == null ? "" : s.length() <= max ? s : s.substring(0, max - 1) + "…";
    }
}
