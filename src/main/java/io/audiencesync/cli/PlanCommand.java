package io.audiencesync.cli;

import io.audiencesync.SyncApp;
import io.audiencesync.report.PlanReport;
import io.audiencesync.sync.RunLedger;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import java.util.HashMap;

@Command(name = "plan",
        mixinStandardHelpOptions = true,
        description = "Dry run: reads each snapshot in the inbox and shows what a run would send now — adds and removes "
                + "per type, rejects by reason, the guards' verdicts, a few hashed sample values — and writes it to "
                + "plans/<run-id>.json under sync.data-dir. Sends nothing to Pinterest and leaves the inbox as it "
                + "is. With a FILE it plans that one CSV (or .csv.gz) file instead of the inbox.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:planned", "1:a snapshot could not be read to the end", "2:a configuration or authorization error"})
final class PlanCommand implements Callable<Integer> {

    @Option(names = "--allow-mass-removal", description = "Plan as if a mass removal were confirmed.")
    boolean allowMassRemoval;

    @Option(names = "--empty-list", description = "Plan as run --once --empty-list would: an empty snapshot empties the list.")
    boolean emptyList;

    @Parameters(arity = "0..1", paramLabel = "FILE", description = "Plan this CSV (or .csv.gz) file instead of the inbox.")
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
        Map<String, String> overrides = new HashMap<>(Map.of("sync.once", "true", "sync.dry-run", "true"));
        if (allowMassRemoval) {
            overrides.put("sync.allow-mass-removal", "true");
        }
        if (emptyList) {
            overrides.put("sync.empty-list", "true");
        }
        syncs.into(overrides);
        return Preflight.thenRun(config, overrides, file, spec.commandLine().getErr(), preflight -> plan(preflight, overrides));
    }

    private int plan(Preflight.Result preflight, Map<String, String> overrides) {
        SyncApp.Result result = SyncApp.runWithSettings(config.file(), overrides);
        for (RunLedger.Reported reported : result.reports()) {
            if (reported.report() instanceof PlanReport plan) {
                print(plan, reported.where());
            }
        }
        RunSummary.withoutRun(preflight.workspace(), result).forEach(out::println);
        return result.exitCode();
    }

    private void print(PlanReport p, String file) {
        out.printf("Plan for %s (sync '%s')%n", p.source(), p.syncName());
        if (p.snapshotError() != null) {
            out.println("  snapshot incomplete: " + p.snapshotError());
        }
        out.printf("  rows read %d, values %s, %d distinct, rejected %s%n", p.rowsRead(), p.valuesByType(),
                p.distinctValues(), p.rejectedByReason().isEmpty() ? "none" : p.rejectedByReason());
        out.printf("  customer list %s, audience %s%n", p.customerListId() == null
                ? "'" + p.customerListName() + "' (to be created)" : p.customerListId() + " '" + p.customerListName() + "'",
                p.audienceId() == null ? "(to be created or adopted)" : p.audienceId());
        out.printf("  ADD    %d %s%s%n", p.adds().count(), p.adds().byType(), samples(p.adds().hashedSamples()));
        out.printf("  REMOVE %d %s%s%s%n", p.removes().count(), p.removes().byType(), samples(p.removes().hashedSamples()),
                p.removes().sent() || p.removes().count() == 0 ? "" : " — WITHHELD: " + p.removalsWithheldBecause());
        out.println("  written to " + file);
    }

    private static String samples(List<String> samples) {
        return samples.isEmpty() ? "" : " e.g. " + samples.stream().map(s -> s.substring(0, 12) + "…").collect(Collectors.joining(", "));
    }
}
