package io.audiencesync.cli;

import io.audiencesync.SyncApp;
import io.audiencesync.config.SyncSettings;
import io.audiencesync.report.Json;
import io.audiencesync.report.RunReport;
import io.audiencesync.sync.RunLedger;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "run",
        mixinStandardHelpOptions = true,
        description = "Syncs the CSV snapshots dropped in the inbox (source.file.dir) to the Pinterest customer list "
                + "audience, and, when source.jdbc.url is set, the result of source.jdbc.query on its schedule "
                + "(source.jdbc.cron). Without --once it keeps watching the inbox and running the schedule until "
                + "stopped. With a FILE (and --once) it syncs that one file and leaves it where it is. With "
                + "sync.definitions-dir it runs every sync of the workspace (or those named with --sync), and --once "
                + "prints a summary of each and a total line, and exits with the worst outcome.",
        exitCodeListHeading = "%nExit codes (--once):%n",
        exitCodeList = {
            "0:every batch was acknowledged (rejected input values do not fail a run)",
            "1:a batch went to the dead letter, a snapshot could not be read to the end, removals are withheld, or"
                    + " Pinterest could not be reached",
            "2:a configuration or authorization error (explained on stderr)"})
final class RunCommand implements Callable<Integer> {

    @Option(names = "--once", description = "Sync what is in the inbox now (file-name order) and run the query once"
            + " (when source.jdbc.url is set), print a summary of each run, then exit.")
    boolean once;

    @Option(names = "--allow-mass-removal",
            description = "Confirm removals above sync.max-removal-fraction or sync.max-shrink-fraction for this run.")
    boolean allowMassRemoval;

    @Option(names = "--reset-state", description = "With --once: set the sync's state aside (kept under"
            + " sync.data-dir/state/set-aside) and start it again from the model, when damaged state stops every run;"
            + " values that left the model before cannot be removed then.")
    boolean resetState;

    @Option(names = "--empty-list", description = "With --once: an empty snapshot (a header and no rows, or a query"
            + " that returns none) empties the list, once confirmed with --allow-mass-removal; without it an empty"
            + " model never empties the list.")
    boolean emptyList;

    @Option(names = "--json", description = "With --once: print each run's report instead of the summary, as one JSON"
            + " object a line.")
    boolean json;

    @Parameters(arity = "0..1", paramLabel = "FILE",
            description = "With --once: sync this CSV (or .csv.gz) file instead of the inbox; it is not moved.")
    Path file;

    @Mixin
    ConfigOption config;

    @Mixin
    SyncOption syncs;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    private final PrintStream out = System.out;

    @Override
    public Integer call() throws IOException {
        PrintWriter err = spec.commandLine().getErr();
        if (file != null && !once) {
            err.println("pinterest-audience-sync: a FILE is synced once: add --once (run --once " + file + ")");
            err.flush();
            return SyncApp.CONFIG_ERROR;
        }
        if (resetState && !once) {
            err.println("pinterest-audience-sync: --reset-state is for one run: add --once (run --once --reset-state)");
            err.flush();
            return SyncApp.CONFIG_ERROR;
        }
        if (emptyList && !once) {
            err.println("pinterest-audience-sync: --empty-list is for one run: add --once (run --once --empty-list"
                    + " --allow-mass-removal)");
            err.flush();
            return SyncApp.CONFIG_ERROR;
        }
        Map<String, String> overrides = new HashMap<>();
        if (once) {
            overrides.put("sync.once", "true");
        }
        if (allowMassRemoval) {
            overrides.put("sync.allow-mass-removal", "true");
        }
        if (resetState) {
            overrides.put("sync.reset-state", "true");
        }
        if (emptyList) {
            overrides.put("sync.empty-list", "true");
        }
        syncs.into(overrides);
        return Preflight.thenRun(config, overrides, file, err, preflight -> {
            SyncApp.Result result = SyncApp.runWithSettings(config.file(), overrides);
            // With JSON logs (a log collector reads both streams) the run-ended log line is the summary.
            boolean summary = once && !"json".equals(System.getProperty("logging.format"));
            if (summary || json) {
                List<RunReport> reports = new ArrayList<>();
                for (RunLedger.Reported reported : result.reports()) {
                    if (!(reported.report() instanceof RunReport report)) {
                        continue;
                    }
                    if (json) {
                        // One run a line (JSON Lines), whatever the report file's layout.
                        out.println(Json.MAPPER.valueToTree(report).toString());
                    } else {
                        reports.add(report);
                        RunSummary.print(out, report, preflight.workspace().single() ? null : RunSummary.syncOf(reported.file()));
                    }
                }
                if (!json) {
                    RunSummary.withoutRun(preflight.workspace(), result).forEach(out::println);
                }
                if (!json && !preflight.workspace().single() && result.dataDir() != null) {
                    out.println(RunSummary.total(reports, preflight.workspace().syncs().size(), result.exitCode()));
                }
            }
            return result.exitCode();
        });
    }
}
