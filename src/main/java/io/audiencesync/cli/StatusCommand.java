package io.audiencesync.cli;

import io.audiencesync.PinterestConnection;
import io.audiencesync.SyncApp;
import io.audiencesync.config.SyncSettings;
import io.audiencesync.config.Workspace;
import io.audiencesync.observe.Secrets;
import io.audiencesync.state.StateStore;
import io.audiencesync.sync.Provisioner;
import io.audiencesync.sync.StateStores;
import io.audiencesync.sync.StatusReport;
import io.audiencesync.sync.WorkspaceStatus;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "status",
        mixinStandardHelpOptions = true,
        description = "Shows the configured sync: its customer list (status and what it means, Pinterest's upload and "
                + "removal counters), its audience (status, size), the last run's summary and when the tokens "
                + "expire. Pinterest takes 24-48 hours to update sizes and counts only values that match a "
                + "Pinterest account, so the size can be lower than the values synced. For a workspace of several "
                + "syncs, one table (sync, source, list, last run, outcome, values, owed, next run) from this tool's "
                + "records; with --sync ID that sync as above. Nothing is changed.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:shown", "1:Pinterest could not be reached", "2:a configuration or authorization error (explained on stderr)"})
final class StatusCommand implements Callable<Integer> {

    @Mixin
    VerboseOption verbose;

    @Mixin
    ConfigOption config;

    @Mixin
    SyncOption syncs;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        try (Quiet quiet = verbose.quiet()) {
            Map<String, String> overrides = new HashMap<>();
            syncs.into(overrides);
            Workspace workspace = SyncApp.readSettings(config.existing(), overrides, Workspace::load);
            if (workspace.syncs().size() > 1) {
                StringWriter text = new StringWriter();
                PrintWriter table = new PrintWriter(text);
                WorkspaceStatus.write(table, workspace.syncs(), Instant.now());
                // The workspace's one token: read from the token file, no call to Pinterest.
                table.println();
                try {
                    PinterestConnection.expiry(workspace.syncs().get(0).pinterest()).lines(Instant.now()).forEach(table::println);
                } catch (io.audiencesync.config.ConfigException e) {
                    table.println("Tokens: " + e.getMessage());
                }
                table.flush();
                spec.commandLine().getOut().print(Secrets.mask(text.toString()));
                spec.commandLine().getOut().flush();
                return 0;
            }
            SyncSettings settings = workspace.syncs().get(0);
            try (PinterestConnection pinterest = PinterestConnection.open(settings.pinterest());
                 StateStore store = StateStores.open(settings)) {
                // Written whole, then masked: a last run's error or a list name could carry what looks like a secret.
                StringWriter text = new StringWriter();
                PrintWriter out = new PrintWriter(text);
                new StatusReport(settings, store.files(settings.workspaceDir()), new Provisioner(settings, pinterest.client(), store), pinterest.client(),
                        pinterest.tokens()).write(out, Instant.now());
                out.flush();
                spec.commandLine().getOut().print(Secrets.mask(text.toString()));
                spec.commandLine().getOut().flush();
            }
            return 0;
        } catch (RuntimeException e) {
            if (!Failures.explained(e)) {
                throw e;
            }
            return Failures.report(spec.commandLine().getErr(), e);
        }
    }
}
