package io.audiencesync.sync;

import io.audiencesync.report.Outcome;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The outcomes of the runs of this process, for the exit code of {@code run --once}, and the hook that ends
 * a run-once process when the inbox is drained or a run stopped on a configuration/authorization error.
 */
public final class RunLedger {

    private final AtomicReference<Outcome> worst = new AtomicReference<>();
    private volatile Runnable completion = () -> { };
    private final AtomicInteger runs = new AtomicInteger();

    public void record(Outcome outcome) {
        runs.incrementAndGet();
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

    public void onCompletion(Runnable completion) {
        this.completion = completion;
    }

    /** Ends a run-once process; the route calls it when the inbox has nothing more. */
    public void complete() {
        completion.run();
    }
}
