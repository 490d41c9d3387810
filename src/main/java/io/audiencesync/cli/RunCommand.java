package io.audiencesync.cli;

import io.audiencesync.SyncApp;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "run",
        mixinStandardHelpOptions = true,
        description = {
            "Syncs every CSV snapshot dropped in the inbox (source.file.dir) to the Pinterest customer list audience,",
            "and, when source.jdbc.url is set, the result of source.jdbc.query on the source.jdbc.cron schedule.",
            "Without --once it keeps polling the inbox and running the schedule until stopped."},
        exitCodeListHeading = "%nExit codes (--once):%n",
        exitCodeList = {
            "0:every batch was acknowledged (rejected input values do not fail a run)",
            "1:some batches ended in the dead letter, a snapshot (file or query) could not be read to the end, or Pinterest could not be reached",
            "2:a configuration or authorization error (explained on stderr)"})
final class RunCommand implements Callable<Integer> {

    @Option(names = "--once", description = "Sync the files now in the inbox (in file-name order) and run the query once"
            + " (when source.jdbc.url is set), then exit.")
    boolean once;

    @Option(names = "--allow-mass-removal",
            description = "Confirm removals above sync.max-removal-fraction of the list for this run.")
    boolean allowMassRemoval;

    @Mixin
    ConfigOption config;

    @Override
    public Integer call() {
        Map<String, String> overrides = new HashMap<>();
        if (once) {
            overrides.put("sync.once", "true");
        }
        if (allowMassRemoval) {
            overrides.put("sync.allow-mass-removal", "true");
        }
        return SyncApp.run(config.file, overrides);
    }
}
