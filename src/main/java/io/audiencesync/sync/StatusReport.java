package io.audiencesync.sync;

import io.audiencesync.config.JdbcSettings;
import io.audiencesync.config.StateSettings;
import io.audiencesync.config.SyncSettings;
import io.audiencesync.pinterest.Audience;
import io.audiencesync.pinterest.CustomerList;
import io.audiencesync.pinterest.CustomerListStatus;
import io.audiencesync.pinterest.PinterestClient;
import io.audiencesync.pinterest.TokenProvider;
import io.audiencesync.report.AudienceHealth;
import io.audiencesync.report.RunReport;
import io.audiencesync.state.DesiredState;
import io.audiencesync.state.ListState;
import io.audiencesync.state.StateFiles;

import java.io.PrintWriter;
import java.time.Instant;
import java.util.List;

/**
 * What {@code status} shows for the configured sync: its customer list and audience as Pinterest reports them, this
 * tool's state, the last run's summary and the tokens' expiry. Reads only: nothing is created or recorded.
 */
public final class StatusReport {

    static final String SIZE_NOTE = "Pinterest takes 24-48 hours to update sizes and counts only values that match a Pinterest"
            + " account, so the size can be lower than the values synced.";

    private final SyncSettings settings;
    private final StateFiles files;
    private final Provisioner provisioner;
    private final PinterestClient pinterest;
    private final TokenProvider tokens;

    public StatusReport(SyncSettings settings, StateFiles files, Provisioner provisioner, PinterestClient pinterest,
                        TokenProvider tokens) {
        this.settings = settings;
        this.files = files;
        this.provisioner = provisioner;
        this.pinterest = pinterest;
        this.tokens = tokens;
    }

    public void write(PrintWriter out, Instant now) {
        out.println("Sync '" + settings.name() + "' into ad account " + settings.adAccountId() + " (mode " + settings.mode().key() + ")");
        Target target = provisioner.locate();
        if (target.customerListId() == null) {
            out.println("Customer list '" + target.customerListName() + "' does not exist yet: the first run with values creates it,"
                    + " and the audience '" + target.audienceName() + "' with it.");
        } else {
            CustomerList list = pinterest.getCustomerList(target.customerListId());
            out.println("Customer list " + list.id() + " '" + list.name() + "'");
            out.println("  status " + list.status() + ": " + CustomerListStatus.meaningOf(list.status()));
            out.println("  Pinterest's counters: " + count(list.numUploadedUserRecords()) + " values uploaded, "
                    + count(list.numRemovedUserRecords()) + " removed (every value sent counts, matched or not)");
            AudienceHealthFile kept = new AudienceHealthFile(files, settings.stateDir(), settings.name());
            long listValues;
            if (settings.state().store() == StateSettings.Store.FILE) {
                listValues = ListState.open(settings.stateDir(), list.id()).memberCount();
                out.println("  this tool's state: " + listValues + " values it added and has not removed");
            } else {
                // Counted by the last run's reading; the database is not asked from here.
                listValues = kept.load(list.id()).map(AudienceHealth::listValues).orElse(0L);
                out.println("  this tool's state: in PostgreSQL (" + JdbcSettings.withoutCredentials(settings.state().jdbcUrl()) + ")"
                        + (listValues > 0 ? ", " + listValues + " values at the last run's reading" : ""));
            }
            Audience audience = null;
            if (target.audienceId() == null) {
                out.println("Audience: none recorded yet; the next run adopts the audience wrapping the list, or creates '"
                        + target.audienceName() + "'");
            } else {
                audience = pinterest.getAudience(target.audienceId());
                out.println("Audience " + audience.id() + " '" + audience.name() + "'");
                out.println("  status " + audience.status() + ", size "
                        + (audience.size() == null ? "not reported yet" : audience.size().toString()));
            }
            // Read now, and not kept: status changes nothing (a run may hold the sync's state meanwhile).
            AudienceHealth health = AudienceHealth.read(now, list.id(), list.status(), list.numUploadedUserRecords(),
                    list.numRemovedUserRecords(), target.audienceId(), audience == null ? null : audience.status(),
                    audience == null ? null : audience.size(), listValues);
            out.println("Health: " + health.describe());
            if (health.warning() != null) {
                out.println("WARNING: " + health.warning());
            }
            out.println("  " + SIZE_NOTE);
        }
        out.println(desiredState());
        SyncBinding binding = new BindingFile(files, settings.stateDir(), settings.name()).load();
        if (binding != null && binding.adoptedWithoutState() != null) {
            out.println("WARNING: since " + binding.adoptedWithoutState() + ", "
                    + Provisioner.adoptedWithoutStateWarning(binding.customerListName()));
        }
        out.println(lastRun());
        tokens.expiry().lines(now).forEach(out::println);
        out.flush();
    }

    /** Whether the list equals the last complete snapshot, and what it still owes. */
    private String desiredState() {
        return DesiredState.of(files, settings.stateDir(), settings.listKey()).status()
                .map(s -> "Desired state: " + s.snapshot() + " (" + s.values() + " values, read " + s.keptAt() + "): "
                        + s.convergence() + (s.converged() ? "" : (s.owed() ? ", " + s.owedValues() + " values owed" : "")
                        + (s.removalsWithheld() > 0 ? ", " + s.removalsWithheld() + " removals withheld" : "")
                        + "; " + s.reason()))
                .orElse("Desired state: none yet (no snapshot has been read completely)");
    }

    private String lastRun() {
        RunHistory history = new RunHistory(files, settings.dataDir());
        List<RunReport> reports = history.reports();
        if (reports.isEmpty()) {
            return "Last run: none yet (reports go to " + history.where() + ")";
        }
        RunReport report = reports.get(reports.size() - 1);
        return "Last run, finished " + report.finishedAt() + ": " + RunLifecycle.summary(report);
    }

    private static String count(Long n) {
        return n == null ? "?" : n.toString();
    }
}
