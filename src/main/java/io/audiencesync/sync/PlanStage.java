package io.audiencesync.sync;

import io.audiencesync.config.SyncMode;
import io.audiencesync.config.SyncSettings;
import io.audiencesync.plan.Batches;
import io.audiencesync.plan.Plan;
import io.audiencesync.plan.Planner;
import io.audiencesync.plan.SnapshotCollector;

import java.nio.file.Path;

/** Sorts the snapshot, diffs it against the list's state and decides whether removals may go out. */
public final class PlanStage {

    private final SyncSettings settings;

    public PlanStage(SyncSettings settings) {
        this.settings = settings;
    }

    public Plan plan(SyncRun run) {
        SnapshotCollector.SortedSnapshot snapshot = run.snapshot.finish();
        run.distinctValues = snapshot.count();
        Path state = run.state == null ? run.workDir.resolve("no-state") : run.state.members();
        run.plan = Planner.plan(snapshot.file(), state, run.workDir, withholdRemovalsBecause(run, snapshot.count()));
        return run.plan;
    }

    /** The plan as batches of at most {@code sync.batch-size}, ADD first; read lazily for a streaming split. */
    public Batches batches(SyncRun run) {
        return new Batches(run.plan, settings.batchSize());
    }

    private String withholdRemovalsBecause(SyncRun run, long snapshotCount) {
        if (settings.mode() == SyncMode.ADD_ONLY) {
            return "sync.mode is add-only";
        }
        if (run.snapshotFailure != null) {
            return "the snapshot was not read to the end";
        }
        if (snapshotCount == 0) {
            return "the snapshot has no values (an empty model never empties the list)";
        }
        return null;
    }
}
