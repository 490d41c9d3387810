package io.audiencesync.sync;

import io.audiencesync.report.Outcome;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The outcomes of the runs of this process, of every sync, for the exit code of {@code run --once} (the worst), the
 * reports it prints, and the hook that ends a run-once process once every sync is done (its inbox drained, its query
 * run), or at once when the token was refused, which stops every sync.
 */
public final class RunLedger {

    private final AtomicReference<Outcome> worst = new AtomicReference<>();
    private final List<String> runIds = new CopyOnWriteArrayList<>();
    private final List<Reported> reports = new CopyOnWriteArrayList<>();
    private final Set<String> pending = ConcurrentHashMap.newKeySet();
    private volatile Path dataDir;
    private volatile Runnable completion = () -> { };
    private final AtomicReference<String> tokenRefusedBy = new AtomicReference<>();

    /**
     * A report a run wrote: its path (the PostgreSQL store names it by that path too), where it is for a person (the
     * path, or its row in PostgreSQL) and what ({@link io.audiencesync.report.RunReport} or
     * {@link io.audiencesync.report.PlanReport}).
     */
    public record Reported(Path file, String where, Object report) {
    }

    public void record(Outcome outcome) {
        record(null, outcome);
    }

    public void record(String runId, Outcome outcome) {
        if (runId != null) {
            runIds.add(runId);
        }
        escalate(outcome);
    }

    /** A run's report was written here, for the summary of {@code run --once}. */
    void reported(Path file, String where, Object report) {
        reports.add(new Reported(file, where, report));
    }

    /** Makes the exit code at least {@code outcome}'s, without recording a run (a run whose report could not be written). */
    public void escalate(Outcome outcome) {
        worst.accumulateAndGet(outcome, (a, b) -> a == null || b.exitCode() > a.exitCode() ? b : a);
    }

    /** 0 when every run succeeded (or there was none), 1 when some batch or snapshot failed, 2 when stopped. */
    public int exitCode() {
        Outcome outcome = worst.get();
        return outcome == null ? 0 : outcome.exitCode();
    }

    /** The runs recorded, in order (runs that failed before they had an id are not listed). */
    public List<String> runIds() {
        return List.copyOf(runIds);
    }

    /** The run reports written, in the order the runs ended. */
    public List<Reported> reports() {
        return List.copyOf(reports);
    }

    /** Where the runs of this process write their reports and plans (the workspace's data directory). */
    public Path dataDir() {
        return dataDir;
    }

    public void dataDir(Path dataDir) {
        this.dataDir = dataDir;
    }

    public void onCompletion(Runnable completion) {
        this.completion = completion;
    }

    /** The syncs a run-once process waits for before it ends. */
    public void expect(Set<String> syncs) {
        pending.addAll(syncs);
    }

    /** The syncs expected that did not say they were done: the process ended before them. */
    public Set<String> unfinished() {
        return Set.copyOf(pending);
    }

    /** Sync {@code id} has nothing more to do: a run-once process ends once every sync said so. */
    void done(String id) {
        if (pending.remove(id) && pending.isEmpty()) {
            complete();
        }
    }

    /**
     * Run {@code runId} was stopped by a token Pinterest refused: null when it is the first since the token last
     * worked (it says so in full), else the id of the run that did.
     */
    String tokenRefused(String runId) {
        return tokenRefusedBy.compareAndExchange(null, runId);
    }

    /** A run got through Pinterest: a later refusal is news again. */
    void tokenWorks() {
        tokenRefusedBy.set(null);
    }

    /** Ends a run-once process now (the token was refused: no sync can work). */
    public void complete() {
        completion.run();
    }
}
