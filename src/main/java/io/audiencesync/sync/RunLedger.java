package io.audiencesync.sync;

import io.audiencesync.report.Outcome;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The outcomes of the runs of this process, for the exit code of {@code run --once}, and the hook that ends
 * a run-once process when the inbox is drained or a run stopped on a configuration/authorization error.
 */
public final class RunLedger {

    private final AtomicReference<Outcome> worst = new AtomicReference<>();
    private final List<String> runIds = new CopyOnWriteArrayList<>();
    private volatile Path dataDir;
    private volatile Runnable completion = () -> { };
    private final AtomicInteger runs = new AtomicInteger();

    public void record(Outcome outcome) {
        record(null, outcome);
    }

    public void record(String runId, Outcome outcome) {
        if (runId != null) {
            runIds.add(runId);
        }
        runs.incrementAndGet();
        escalate(outcome);
    }

    /** Makes the exit code at least {@code outcome}'s, without counting a run (a run whose report could not be written). */
    public void escalate(Outcome outcome) {
        worst.accumulateAndGet(outcome, (a, b) -> a == null || b.exitCode() > a.exitCode() ? b : a);
    }

    /** 0 when every run succeeded (or there was none), 1 when some batch or snapshot failed, 2 when stopped. */
    public int exitCode() {
        Outcome outcome = worst.get();
        return outcome == null ? 0 : outcome.exitCode();
    }

    public int runs() {
        return runs.get();
    }

    /** The runs recorded, in order (runs that failed before they had an id are not listed). */
    public List<String> runIds() {
        return List.copyOf(runIds);
    }

    /** Where the runs of this process write their reports and plans. */
    public Path dataDir() {
        return dataDir;
    }

    void dataDir(Path dataDir) {
        this.dataDir = dataDir;
    }

    public void onCompletion(Runnable completion) {
        this.completion = completion;
    }

    /** Ends a run-once process; the route calls it when the inbox has nothing more. */
    public void complete() {
        completion.run();
    }
}
