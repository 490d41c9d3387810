package io.audiencesync.sync;

import io.audiencesync.config.SyncMode;
import io.audiencesync.config.SyncSettings;
import io.audiencesync.plan.Batch;
import io.audiencesync.plan.Batches;
import io.audiencesync.plan.Plan;
import io.audiencesync.plan.Planner;
import io.audiencesync.plan.SortedRecords;

import java.util.Iterator;
import java.util.Locale;
import java.util.concurrent.Executor;

/** Sorts the snapshot, diffs it against the list's state and decides whether removals may go out. */
public final class PlanStage {

    private final SyncSettings settings;
    private final StopSignal stop;
    private final Executor readAhead;

    public PlanStage(SyncSettings settings, StopSignal stop) {
        this(settings, stop, null);
    }

    /** @param readAhead the thread that reads the next batch while one is sent (null: none) */
    public PlanStage(SyncSettings settings, StopSignal stop, Executor readAhead) {
        this.settings = settings;
        this.stop = stop;
        this.readAhead = readAhead;
    }

    public Plan plan(SyncRun run) {
        SortedRecords snapshot = run.snapshot.finish();
        Plan plan = run.state == null ? Planner.plan(snapshot, SortedRecords.empty(), run.workDir)
                : run.state.plan(snapshot, run.workDir);
        run.distinctValues = plan.snapshotCount();
        String withhold = withholdRemovalsBecause(run, plan);
        run.plan = withhold == null ? plan : plan.withholdRemovals(withhold);
        return run.plan;
    }

    /**
     * The plan as batches of at most {@code sync.batch-size}, ADD first; read lazily for a streaming split.
     * When the process is asked to stop, no further batch is handed out and the run is marked interrupted.
     */
    public Iterator<Batch> batches(SyncRun run) {
        Batches batches = new Batches(run.plan, settings.batchSize());
        // The next batch is read from the plan, and its records joined for the request, while this one is on its way.
        ReadAhead<Batch> ahead = readAhead == null ? null : new ReadAhead<>(batches, readAhead, Batch::joined);
        Iterator<Batch> source = ahead == null ? batches : ahead;
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                if (stop.requested()) {
                    boolean readButNotSent = ahead != null && ahead.stop();
                    if (readButNotSent || batches.hasNext()) {
                        run.interrupted = true;
                        batches.close();
                        return false;
                    }
                }
                return source.hasNext();
            }

            @Override
            public Batch next() {
                return source.next();
            }
        };
    }

    /** The guards of DESIGN.md: removals only from a whole, non-empty snapshot, and never a mass removal unconfirmed. */
    private String withholdRemovalsBecause(SyncRun run, Plan plan) {
        if (plan.removeCandidates() == 0) {
            return null;
        }
        if (settings.mode() == SyncMode.ADD_ONLY) {
            return "sync.mode is add-only";
        }
        if (run.snapshotFailure != null) {
            return "the snapshot was not read to the end";
        }
        if (plan.snapshotCount() == 0) {
            return "the snapshot has no values (an empty model never empties the list)";
        }
        double fraction = (double) plan.removeCandidates() / plan.stateCount();
        if (fraction > settings.maxRemovalFraction() && !settings.allowMassRemoval()) {
            return String.format(Locale.ROOT, "%d removals would take %.0f%% of the %d values in the list, above "
                    + "sync.max-removal-fraction=%s; if the model really shrank, confirm with sync.allow-mass-removal=true "
                    + "or run --once --allow-mass-removal", plan.removeCandidates(), fraction * 100, plan.stateCount(),
                    settings.maxRemovalFraction());
        }
        return null;
    }
}
