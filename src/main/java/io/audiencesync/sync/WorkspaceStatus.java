package io.audiencesync.sync;

import io.audiencesync.config.SyncSettings;
import io.audiencesync.report.AudienceHealth;
import io.audiencesync.report.RunHistory;
import io.audiencesync.report.RunReport;
import io.audiencesync.state.DesiredState;
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
        for (SyncSettings sync : syncs) {
            lines.add(line(sync, now));
        }
        // Columns as wide as their widest cell: paths and list names are shown whole.
        List<String[]> rows = new ArrayList<>();
        // The leader column only where replicas ran the syncs (cluster.service).
        boolean replicas = lines.stream().anyMatch(l -> l.leader() != null);
        rows.add(replicas ? new String[]{"sync", "source", "list", "last run (UTC)", "outcome", "values", "owed", "next run",
                "leader (since, UTC)"}
                : new String[]{"sync", "source", "list", "last run (UTC)", "outcome", "values", "owed", "next run"});
        for (Line l : lines) {
            String[] row = {l.sync(), l.source(), l.list(), l.lastRun(), l.outcome(), l.values(), l.owed(), l.next()};
            if (replicas) {
                row = Arrays.copyOf(row, 9);
                row[8] = l.leader() == null ? "-" : l.leader();
            }
            rows.add(row);
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
        health(out, syncs, now);
        out.flush();
    }

    /**
     * Below the table, a line for each sync with a reading of what Pinterest made of its list (kept by its last run
     * that sent something, shown with its age), and what to do when its audience is too small.
     */
    private static void health(PrintWriter out, List<SyncSettings> syncs, Instant now) {
        List<String> lines = new ArrayList<>();
        for (SyncSettings sync : syncs) {
            String listId;
            try {
                SyncBinding bound = new BindingFile(sync.stateDir(), sync.name()).load();
                listId = bound == null ? null : bound.customerListId();
            } catch (RuntimeException e) {
                continue; // the table says DAMAGED binding
            }
            if (listId == null) {
                continue;
            }
            new AudienceHealthFile(sync.stateDir(), sync.name()).load(listId).map(h -> h.at(now)).ifPresent(h -> {
                lines.add("  " + sync.id() + ": " + h.describe());
                if (h.warning() != null) {
                    lines.add("  " + sync.id() + ": WARNING " + h.warning());
                }
            });
        }
        if (!lines.isEmpty()) {
            out.println();
            out.println("Audience health, as read after each sync's last run that sent something (" + AudienceHealth.NOTE
                    + "; status --sync ID reads it now):");
            lines.forEach(out::println);
        }
    }

    static Line line(SyncSettings sync, Instant now) {
        String leader = LeaderRecord.read(sync.stateDir(), sync.id())
                .map(r -> r.replica() + " (" + TIME.format(r.since()) + ")").orElse(null);
        String source = sync.jdbcEnabled() ? "query " + sync.jdbc().safeUrl() : "inbox " + sync.inboxDir();
        String list;
        try {
            SyncBinding bound = new BindingFile(sync.stateDir(), sync.name()).load();
            list = bound != null && bound.customerListId() != null ? bound.customerListId() + " '" + bound.customerListName() + "'"
                    : "'" + sync.customerListName() + "' (none yet)";
        } catch (RuntimeException e) {
            list = "DAMAGED binding";
        }
        List<RunReport> reports = new RunHistory(sync.dataDir()).reports();
        RunReport last = reports.isEmpty() ? null : reports.get(reports.size() - 1);
        Optional<DesiredState.Status> desired;
        try {
            desired = DesiredState.of(sync.stateDir(), sync.listKey()).status();
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
