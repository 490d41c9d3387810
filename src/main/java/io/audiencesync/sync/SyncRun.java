package io.audiencesync.sync;

import io.audiencesync.identity.IdentifierType;
import io.audiencesync.identity.RejectReason;
import io.audiencesync.plan.Operation;
import io.audiencesync.plan.Plan;
import io.audiencesync.records.SnapshotCollector;
import io.audiencesync.report.RejectsWriter;
import io.audiencesync.state.DesiredState;
import io.audiencesync.state.StateStore;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * One run of a sync: one snapshot of the model, read, planned and sent. Carried through the routes as the
 * exchange property {@code run}; every stage runs on the route's thread, one after the other. What other threads
 * do for a stage (normalizing chunks, reading the next batch) reaches the run only through that thread.
 */
public final class SyncRun {

    final String id;
    final String source;
    final Instant startedAt = Instant.now();
    final Path workDir;
    final SnapshotCollector snapshot;
    final RejectsWriter rejects;

    volatile long rowsRead;
    /** Values acknowledged so far this run (ADD and REMOVE), for progress lines read from another thread. */
    volatile long valuesSent;
    volatile long valuesFailed;
    volatile boolean interrupted;
    long emptyCells;
    final Map<IdentifierType, Long> valuesByType = new EnumMap<>(IdentifierType.class);
    final Map<RejectReason, Long> rejectedByReason = new EnumMap<>(RejectReason.class);
    final Map<Operation, Long> sent = new EnumMap<>(Operation.class);
    final Map<Operation, Long> failed = new EnumMap<>(Operation.class);
    long deadLetterBatches;
    Path deadLetterFile;
    long distinctValues;

    String snapshotFailure;
    /** Whether this run sends the desired state again rather than reading a new snapshot. */
    final boolean resumed;
    /** Whether the snapshot was read to the end (a resume's always was). */
    boolean snapshotComplete;
    /** The desired state this run works toward: the snapshot it kept, or the one it resumes; null for a failed snapshot. */
    DesiredState.Status desired;
    /** Whether removals are held back by a guard that a person can confirm (not add-only mode). */
    boolean removalsAwaitConfirmation;
    Target target;
    StateStore.Session session;
    StateStore.StoredList state;
    volatile Plan plan;
    /** Parts of chunks being normalized on other threads, in row order (see {@link IdentifierStage}). */
    final Deque<CompletableFuture<IdentifierStage.Part>> normalizing = new ArrayDeque<>();
    boolean finished;
    AutoCloseable progress = () -> { };
    /** Whether this run still holds the lock that keeps the runs of a sync from overlapping. */
    boolean holdsLock;

    SyncRun(String id, String source, boolean resumed, Path workDir, SnapshotCollector snapshot, RejectsWriter rejects) {
        this.id = id;
        this.source = source;
        this.resumed = resumed;
        this.snapshotComplete = resumed;
        this.workDir = workDir;
        this.snapshot = snapshot;
        this.rejects = rejects;
    }

    public String id() {
        return id;
    }

    public Target target() {
        return target;
    }

    public Plan plan() {
        return plan;
    }

    /** The reason the snapshot is incomplete, or null when it was read to the end. */
    public String snapshotFailure() {
        return snapshotFailure;
    }

    /** Whether the snapshot was read completely: its file has done its job, whatever the run sent. */
    public boolean snapshotComplete() {
        return snapshotComplete;
    }

    /** Values Pinterest acknowledged. */
    synchronized void acknowledged(Operation op, long n) {
        sent.merge(op, n, Long::sum);
        valuesSent += n;
    }

    /** Values in batches that went to the dead letter. */
    synchronized void deadLettered(Operation op, long n) {
        failed.merge(op, n, Long::sum);
        valuesFailed += n;
    }

    @Override
    public String toString() {
        return "run " + id + " (" + source + ")";
    }
}
