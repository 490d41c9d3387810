package io.audiencesync.sync;

import io.audiencesync.config.SyncSettings;
import io.audiencesync.report.AudienceHealth;
import io.audiencesync.report.RunReport;
import io.audiencesync.state.DesiredState;
import io.audiencesync.state.StateFiles;
import org.quartz.CronExpression;

import java.io.PrintWriter;
import java.text.ParseException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import java.util.Optional;

/**
 * {@code status} of a workspace of several syncs: one table, a sync a line: its source, its list, its last run and
 * outcome, the values of its desired state, what is owed, and when it runs next; below it, each sync's last audience
 * health reading. Read from this tool's own records only: no call to Pinterest ({@code status --sync ID} shows one
 * sync with Pinterest's view of its list).
 */
public final class WorkspaceStatus {

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm").withZone(ZoneOffset.UTC);

    /** One sync's line. */
    record Line(String sync, String source, String list, String lastRun, String outcome, String values, String owed,
                String next, String leader) {
    }

    private WorkspaceStatus() {
    }

    public static void write(PrintWriter out, List<SyncSettings> syncs, Instant now) {
        List<Line> lines = new ArrayList<>();
        List<String> health = new ArrayList<>();
        // The syncs of a workspace share its state settings: one place for all their records.
        StateFiles files = StateStores.files(syncs.get(0));
        for (SyncSettings sync : syncs) {
            Bound bound = Bound.of(files, sync);
            lines.add(line(files, sync, bound, now));
            health.addAll(health(files, sync, bound, now));
        }
        // Columns as wide as their widest cell: paths and list names are shown whole. The leader column only where
        // replicas ran the syncs (cluster.service).
        int columns = lines.stream().anyMatch(l -> l.leader() != null) ? 9 : 8;
        List<String[]> rows = new ArrayList<>();
        rows.add(Arrays.copyOf(new String[]{"sync", "source", "list", "last run (UTC)", "outcome", "values", "owed",
                "next run", "leader (since, UTC)"}, columns));
        for (Line l : lines) {
            rows.add(Arrays.copyOf(new String[]{l.sync(), l.source(), l.list(), l.lastRun(), l.outcome(), l.values(),
                    l.owed(), l.next(), l.leader() == null ? "-" : l.leader()}, columns));
        }
        int[] widths = new int[rows.get(0).length];
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        for (String[] row : rows) {
            StringBuilder text = new StringBuilder();
            for (int i = 0; i < row.length; i++) {
                boolean number = i == 5 || i == 6;
                String cell = number ? " ".repeat(widths[i] - row[i].length()) + row[i] : row[i];
                text.append(i == row.length - 1 ? cell : cell + " ".repeat(widths[i] - cell.length() + 2));
            }
            out.println(text.toString().stripTrailing());
        }
        if (!health.isEmpty()) {
            out.println();
            out.println("Audience health, as read after each sync's last run that sent something (" + AudienceHealth.NOTE
                    + "; status --sync ID reads it now):");
            health.forEach(out::println);
        }
        out.flush();
    }

    /** A sync's binding as status reads it, once: the list it is bound to (null: none yet), or damaged. */
    private record Bound(SyncBinding binding, boolean damaged) {
        static Bound of(StateFiles files, SyncSettings sync) {
            try {
                return new Bound(new BindingFile(files, sync.stateDir(), sync.name()).load(), false);
            } catch (RuntimeException e) {
                return new Bound(null, true);
            }
        }

        String listId() {
            return binding == null ? null : binding.customerListId();
        }
    }

    /**
     * The lines below the table for a sync with a reading of what Pinterest made of its list (kept by its last run
     * that sent something, shown with its age), and what to do when its audience is too small.
     */
    private static List<String> health(StateFiles files, SyncSettings sync, Bound bound, Instant now) {
        List<String> lines = new ArrayList<>();
        if (bound.listId() != null) { // a damaged binding: the table says so
            new AudienceHealthFile(files, sync.stateDir(), sync.name()).load(bound.listId()).map(h -> h.at(now)).ifPresent(h -> {
                lines.add("  " + sync.id() + ": " + h.describe());
                if (h.warning() != null) {
                    lines.add("  " + sync.id() + ": WARNING " + h.warning());
                }
            });
        }
        return lines;
    }

    private static Line line(StateFiles files, SyncSettings sync, Bound bound, Instant now) {
        String leader = LeaderRecord.read(files, sync.stateDir(), sync.id())
                .map(r -> r.replica() + " (" + TIME.format(r.since()) + ")").orElse(null);
        String source = sync.jdbcEnabled() ? "query " + sync.jdbc().safeUrl() : "inbox " + sync.inboxDir();
        String list = bound.damaged() ? "DAMAGED binding" : bound.listId() != null
                ? bound.listId() + " '" + bound.binding().customerListName() + "'"
                : "'" + sync.customerListName() + "' (none yet)";
        List<RunReport> reports = new RunHistory(files, sync.dataDir()).reports();
        RunReport last = reports.isEmpty() ? null : reports.get(reports.size() - 1);
        Optional<DesiredState.Status> desired;
        try {
            desired = DesiredState.of(files, sync.stateDir(), sync.listKey()).status();
        } catch (RuntimeException e) {
            return new Line(sync.id(), source, list, last == null ? "-" : TIME.format(last.finishedAt()),
                    last == null ? "-" : last.outcome().name(), "DAMAGED", "?", "a person must act (run --once --reset-state)", leader);
        }
        String values = desired.map(s -> Long.toString(s.values())).orElse("-");
        String owed = desired.map(s -> Long.toString(s.owedValues() + s.removalsWithheld())).orElse("-");
        return new Line(sync.id(), source, list, last == null ? "-" : TIME.format(last.finishedAt()),
                last == null ? "-" : last.outcome().name(), values, owed, next(sync, desired, now), leader);
    }

    /** When the sync runs next: its query's next fire, its resume when something is owed, else the next file. */
    private static String next(SyncSettings sync, Optional<DesiredState.Status> desired, Instant now) {
        if (desired.isPresent() && desired.get().owed()) {
            DesiredState.Status s = desired.get();
            Instant since = s.settledAt() != null ? s.settledAt() : s.keptAt();
            Instant due = since.plus(sync.resume().after(s.attempts()));
            return "resume " + (due.isAfter(now) ? TIME.format(due) : "now");
        }
        if (sync.jdbcEnabled()) {
            try {
                Date next = new CronExpression(sync.jdbc().cron()).getNextValidTimeAfter(Date.from(now));
                return next == null ? "never (source.jdbc.cron)" : "query " + TIME.format(next.toInstant());
            } catch (ParseException e) {
                return "?";
            }
        }
        return "on the next file";
    }
}
