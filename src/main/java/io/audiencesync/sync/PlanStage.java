package io.audiencesync.sync;

import io.audiencesync.config.ConfigException;
import io.audiencesync.config.SyncMode;
import io.audiencesync.config.SyncSettings;
import io.audiencesync.plan.Batch;
import io.audiencesync.plan.Batches;
import io.audiencesync.plan.Plan;
import io.audiencesync.plan.Planner;
import io.audiencesync.records.SortedRecords;
import io.audiencesync.state.DesiredState;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.Iterator;
import java.util.Optional;
import java.util.Locale;
import java.util.concurrent.Executor;

/**
 * Keeps a snapshot read completely as the list's desired state, diffs the desired state (or, for a failed snapshot,
 * what was read of it) against the list's state, and decides whether removals may go out.
 */
public final class PlanStage {

    private static final Logger LOG = LoggerFactory.getLogger(PlanStage.class);

    private final SyncSettings settings;
    private final DesiredState desired;
    private final Provisioner provisioner;
    private final StopSignal stop;
    private final SyncLeader leader;
    private final Executor readAhead;

    /**
     * @param desired     the desired state of the sync's customer list
     * @param provisioner records in the sync's binding each desired state kept
     * @param readAhead   the thread that reads the next batch while one is sent (null: none)
     */
    public PlanStage(SyncSettings settings, DesiredState desired, Provisioner provisioner, StopSignal stop, SyncLeader leader,
                     Executor readAhead) {
        this.settings = settings;
        this.desired = desired;
        this.provisioner = provisioner;
        this.stop = stop;
        this.leader = leader;
        this.readAhead = readAhead;
    }

    /**
     * A snapshot read to the end, with values, replaces the desired state (the plan command keeps nothing). A
     * failed snapshot leaves the last complete one in force; an empty one is no model to converge to, unless
     * {@code run --once --empty-list} asks to empty the list: then it is kept, and its removals wait for the same
     * confirmation as a mass removal. A resume works toward the desired state as it is.
     */
    public void keep(SyncRun run, SnapshotRead read) {
        if (run.resumed()) {
            DesiredState.Status resuming = desired.status().orElseThrow(() -> new ConfigException("sync.reset-state",
                    "there is no desired state to resume (it was set aside with the rest of the sync's state); drop the"
                            + " model again, or run --once FILE, to sync it"));
            run.kept(true, resuming);
            LOG.info("Run {}: resumes the desired state from {} ({} values; {})", run.id(), resuming.snapshot(),
                    resuming.values(), resuming.reason());
            return;
        }
        boolean complete = read.failure() == null;
        if (!complete || settings.dryRun()) {
            run.kept(complete, null);
            return;
        }
        if (read.valueCount() == 0 && !settings.emptyList()) {
            // No model to converge to: the run works toward the desired state that is in force, as a resume does,
            // so that what it still owes is sent and recorded (a run said SUCCEEDED while status showed it owed).
            Optional<DesiredState.Status> inForce = desired.status();
            String warning = run.source() + " has no values, and an empty model never empties the list (to empty it"
                    + " on purpose: run --once --empty-list --allow-mass-removal): "
                    + inForce.map(s -> "the run works toward the last complete snapshot, " + s.snapshot() + " (" + s.values()
                            + " values)").orElse("no snapshot was synced before, so nothing is sent");
            LOG.warn("Run {}: {}", run.id(), warning);
            run.warn(warning);
            run.kept(true, inForce.orElse(null));
            return;
        }
        DesiredState.Status kept = desired.keep(read.values(), run.source(), Instant.now());
        provisioner.desiredKept(kept.generation());
        run.kept(true, kept);
    }

    /** The diff of the desired state (or what was read of a failed snapshot) against the state of {@code target}'s list. */
    public Plan plan(SyncRun run, Target target) {
        if (run.state() != null && run.desired() != null) {
            run.state().sending(desired);
        }
        SortedRecords snapshot = run.desired() != null ? desired.read() : run.read().values();
        Plan plan = run.state() == null ? Planner.plan(snapshot, SortedRecords.empty(), run.workDir())
                : run.state().plan(snapshot, run.workDir());
        Withheld withheld = withholdRemovalsBecause(run, plan);
        run.planned(withheld == null ? plan : plan.withholdRemovals(withheld.reason), withheld != null && withheld.confirmable);
        return run.plan();
    }

    /** Why removals are withheld, and whether a person can confirm them (every guard but add-only mode and a damaged snapshot). */
    private record Withheld(String reason, boolean confirmable) {
    }

    /**
     * The plan as batches of at most {@code sync.batch-size}, ADD first; read lazily for a streaming split.
     * When the process is asked to stop, or this replica no longer leads the sync, no further batch is handed out and
     * the run is marked interrupted.
     */
    public Iterator<Batch> batches(SyncRun run, Plan plan) {
        Batches batches = new Batches(plan, settings.batchSize());
        // The next batch is read from the plan, and its records joined for the request, while this one is on its way.
        ReadAhead<Batch> ahead = readAhead == null ? null : new ReadAhead<>(batches, readAhead, Batch::joined);
        Iterator<Batch> source = ahead == null ? batches : ahead;
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                String why = stop.requested() ? SyncRun.SHUTDOWN : leader.leads() ? null : SyncRun.LEADERSHIP_LOST;
                if (why != null) {
                    boolean readButNotSent = ahead != null && ahead.stop();
                    if (readButNotSent || batches.hasNext()) {
                        run.interrupt(why);
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

    /**
     * The guards: removals only from a whole, non-empty snapshot (unless emptying the list on purpose), and never a
     * mass removal, a list taken below {@code sync.min-list-values} or a sudden shrink of the model unconfirmed.
     */
    private Withheld withholdRemovalsBecause(SyncRun run, Plan plan) {
        if (plan.removeCandidates() == 0) {
            return null;
        }
        if (settings.mode() == SyncMode.ADD_ONLY) {
            return new Withheld("sync.mode is add-only", false);
        }
        if (run.snapshotFailure() != null) {
            return new Withheld("the snapshot was not read to the end", false);
        }
        if (plan.snapshotCount() == 0) {
            // An empty desired state was kept only by run --once --empty-list: resuming it is emptying on purpose too.
            boolean onPurpose = settings.emptyList() || run.desired() != null && run.desired().values() == 0;
            if (!onPurpose) {
                return new Withheld("the snapshot has no values (an empty model never empties the list; to empty it on"
                        + " purpose, sync the empty snapshot with run --once --empty-list --allow-mass-removal)", false);
            }
            return settings.allowMassRemoval() ? null : new Withheld(String.format(Locale.ROOT, "emptying the list on"
                    + " purpose (run --once --empty-list) removes all %d values in it; confirm with run --once"
                    + " --allow-mass-removal (no new file needed)", plan.removeCandidates()), true);
        }
        if (settings.allowMassRemoval()) {
            return null;
        }
        String confirm = "; if the model really shrank, confirm with run --once --allow-mass-removal (no new file"
                + " needed) or sync.allow-mass-removal=true";
        double fraction = (double) plan.removeCandidates() / plan.stateCount();
        if (fraction > settings.maxRemovalFraction()) {
            return new Withheld(String.format(Locale.ROOT, "%d removals would take %.0f%% of the %d values in the list,"
                    + " above sync.max-removal-fraction=%s%s", plan.removeCandidates(), fraction * 100, plan.stateCount(),
                    settings.maxRemovalFraction(), confirm), true);
        }
        long before = run.desired() == null ? -1 : run.desired().previousValues();
        if (before > 0) {
            double shrink = 1 - (double) plan.snapshotCount() / before;
            if (shrink > settings.maxShrinkFraction()) {
                return new Withheld(String.format(Locale.ROOT, "the snapshot holds %d values, %.0f%% fewer than the %d"
                        + " of the last confirmed snapshot, above sync.max-shrink-fraction=%s (a cut-off export looks like"
                        + " this)%s", plan.snapshotCount(), shrink * 100, before, settings.maxShrinkFraction(), confirm), true);
            }
        }
        long floor = settings.minListValues();
        if (floor > 0 && plan.stateCount() >= floor && plan.snapshotCount() < floor) {
            // Pinterest needs 100 matched users to target: a list taken below the floor stops working as an audience.
            return new Withheld(String.format(Locale.ROOT, "%d removals would take the list from %d values to %d, below"
                    + " sync.min-list-values=%d (Pinterest targets only an audience of at least 100 matched users)%s;"
                    + " or lower sync.min-list-values (0: no floor)", plan.removeCandidates(), plan.stateCount(),
                    plan.snapshotCount(), floor, confirm), true);
        }
        return null;
    }
}
