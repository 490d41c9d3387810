package io.audiencesync.cli;

import io.audiencesync.report.AudienceHealth;
import io.audiencesync.report.Outcome;
import io.audiencesync.report.RunReport;
import io.audiencesync.source.JdbcSource;

import io.audiencesync.SyncApp;
import io.audiencesync.config.SyncSettings;
import io.audiencesync.config.Workspace;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Set;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.EnumMap;

/**
 * A run report as a person reads it after {@code run --once}: a few lines of at most 80 columns, what was read,
 * rejected, sent or withheld and why, the list and audience, what Pinterest made of them, the outcome, and the next step when something is owed.
 */
final class RunSummary {

    static final int WIDTH = 80;
    private static final String INDENT = "           ";

    private RunSummary() {
    }

    static void print(PrintStream out, RunReport r) {
        print(out, r, null);
    }

    /** @param sync the sync the run was of, named first in a workspace of several; null for one */
    static void print(PrintStream out, RunReport r, String sync) {
        lines(r, sync).forEach(out::println);
        out.flush();
    }

    /** The one line after every sync's summary in a workspace: runs by outcome, and the exit code it makes. */
    static String total(List<RunReport> reports, int syncs, int exitCode) {
        Map<Outcome, Long> byOutcome = new EnumMap<>(Outcome.class);
        reports.forEach(r -> byOutcome.merge(r.outcome(), 1L, Long::sum));
        return String.format(Locale.ROOT, "total: %d syncs, %d runs%s; exit code %d", syncs, reports.size(),
                byOutcome.isEmpty() ? "" : " (" + byOutcome.entrySet().stream()
                        .map(e -> e.getValue() + " " + e.getKey()).collect(Collectors.joining(", ")) + ")", exitCode);
    }

    /**
     * A line for each sync that made no run: it had nothing to sync, or the process ended before it (a token
     * refused). A run that did nothing says so.
     */
    static List<String> withoutRun(Workspace workspace, SyncApp.Result result) {
        Set<String> reported = result.reports().stream().map(r -> syncOf(r.file())).collect(Collectors.toSet());
        List<String> lines = new ArrayList<>();
        if (result.reports().isEmpty() && result.exitCode() != 0 && result.unfinished().isEmpty()) {
            return lines; // the process failed as it started, and said why
        }
        for (SyncSettings sync : workspace.syncs()) {
            String who = workspace.single() ? "" : sync.id() + ": ";
            if (workspace.single() ? !result.reports().isEmpty() : reported.contains(sync.id())) {
                continue;
            }
            if (result.unfinished().contains(sync.id())) {
                lines.add(who + "No run: the process stopped before this sync's turn (see above).");
            } else {
                lines.add(who + "Nothing to sync: no file in the inbox " + sync.inboxDir().toAbsolutePath()
                        + (sync.jdbcEnabled() ? "" : " and no query (source.jdbc.url) set")
                        + ", and nothing owed from the last snapshot.");
            }
        }
        return lines;
    }

    /** The sync a report (or plan) belongs to: they are written under syncs/<id>/runs (or plans) in a workspace. */
    static String syncOf(Path report) {
        return report.getParent().getParent().getFileName().toString();
    }

    static List<String> lines(RunReport r) {
        return lines(r, null);
    }

    static List<String> lines(RunReport r, String sync) {
        List<String> out = new ArrayList<>();
        String who = sync == null ? "" : sync + ": ";
        if (r.outcome() == Outcome.SUPERSEDED) {
            add(out, who + r.source() + ":", "SUPERSEDED by " + r.supersededBy() + ", a newer complete snapshot; moved"
                    + " to .done unread");
            out.set(0, out.get(0).strip());
            return out;
        }
        out.add(String.format(Locale.ROOT, "%s%s: %s in %.1f s (run %s)", who, r.source(), r.outcome(),
                r.durationMs() / 1000.0, r.runId()));
        add(out, "read", String.format(Locale.ROOT, "%,d rows; values %s; %,d distinct", r.rowsRead(),
                counts(r.valuesByType()), r.distinctValues()));
        if (r.rejected() > 0) {
            add(out, "rejected", String.format(Locale.ROOT, "%,d (%s), listed in %s", r.rejected(),
                    counts(r.rejectedByReason()), r.rejectsFile()));
        }
        add(out, "sent", String.format(Locale.ROOT, "%,d of %,d adds, %,d of %,d removes", r.adds().sent(),
                r.adds().planned(), r.removes().sent(), r.removes().planned()));
        if (r.removalsWithheld() > 0) {
            add(out, "withheld", String.format(Locale.ROOT, "%,d removals: %s", r.removalsWithheld(),
                    r.removalsWithheldBecause()));
        }
        if (r.deadLetterBatches() > 0) {
            add(out, "dead", String.format(Locale.ROOT, "%,d values in %,d batches, in %s", r.adds().failed()
                    + r.removes().failed(), r.deadLetterBatches(), r.deadLetterFile()));
        }
        // A run that stopped before it looked the list up cannot tell whether it exists.
        String missing = r.outcome() == Outcome.STOPPED || r.outcome() == Outcome.FAILED ? "(not looked up)"
                : "(not created yet)";
        add(out, "list", "'" + r.customerListName() + "' " + (r.customerListId() == null ? missing
                : r.customerListId() + (r.customerListCreated() ? " (created)" : "")));
        add(out, "audience", "'" + r.audienceName() + "' " + (r.audienceId() == null ? missing
                : r.audienceId() + (r.audienceCreated() ? " (created)" : "")));
        if (r.audienceHealth() != null) {
            add(out, "health", r.audienceHealth().describe() + (r.audienceHealth().hasReading()
                    ? ". " + AudienceHealth.NOTE : ""));
            if (r.audienceHealth().warning() != null) {
                add(out, "WARNING", r.audienceHealth().warning());
            }
        }
        if (r.error() != null && r.outcome() != Outcome.REMOVALS_WITHHELD) {
            add(out, "error", r.error());
        }
        if (r.warnings() != null) {
            r.warnings().forEach(w -> add(out, "WARNING", w));
        }
        String next = next(r);
        if (next != null) {
            add(out, "next", next);
        }
        return out;
    }

    /** What a person does now, when the run left something to do. */
    private static String next(RunReport r) {
        return switch (r.outcome()) {
            case SUCCEEDED, SUPERSEDED -> null;
            case REMOVALS_WITHHELD -> "if the model really shrank, confirm the removals: run --once"
                    + " --allow-mass-removal (no new file needed); else fix the export and drop it again";
            case DEAD_LETTERS -> "the next run sends the dead-lettered values again; the dead-letter file says what"
                    + " Pinterest answered";
            case INTERRUPTED, FAILED -> "run --once again: it sends what is still owed, without a new file";
            case SNAPSHOT_FAILED -> r.source().startsWith(JdbcSource.NAME_PREFIX)
                    ? "fix source.jdbc.query or the database (the error says what); the next run reads the model"
                            + " afresh; nothing was removed"
                    : "fix the file (the error says where) and drop it again; nothing was removed";
            case STOPPED -> "fix what the error names, then run --once again";
        };
    }

    private static String counts(Map<String, Long> counts) {
        return counts.isEmpty() ? "none" : counts.entrySet().stream()
                .map(e -> String.format(Locale.ROOT, "%s %,d", e.getKey(), e.getValue()))
                .collect(Collectors.joining(", "));
    }

    /** A labelled line, wrapped at word boundaries to {@link #WIDTH} columns. */
    private static void add(List<String> out, String label, String text) {
        String prefix = String.format("  %-8s ", label);
        StringBuilder line = new StringBuilder(prefix);
        for (String word : text.split(" ")) {
            if (line.length() + word.length() + 1 > WIDTH && line.length() > prefix.length()) {
                out.add(line.toString().stripTrailing());
                line = new StringBuilder(INDENT);
            }
            line.append(word).append(' ');
        }
        out.add(line.toString().stripTrailing());
    }
}
