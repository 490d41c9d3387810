package io.audiencesync.sync;

import io.audiencesync.plan.Plan;
import io.audiencesync.records.SnapshotCollector;
import io.audiencesync.report.AudienceHealth;
import io.audiencesync.report.RejectsWriter;
import io.audiencesync.state.DesiredState;
import io.audiencesync.state.StateStore;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * One run of a sync: one snapshot of the model, read, planned and sent. Carried through the routes as the
 * exchange property {@code run}, while each stage's output is the exchange body: the snapshot, its chunks, the
 * {@link Target}, the {@link Plan}, its batches, the report. The run keeps what later stages and the report need:
 * what was read ({@link SnapshotRead}), what was sent ({@link Sends}) and the stages' outputs, each set once by the
 * stage that makes it. Every stage runs on the route's thread, one after the other.
 */
public final class SyncRun {

    private final String id;
    private final String source;
    private final Instant startedAt = Instant.now();
    private final Path workDir;
    /** Whether this run sends the desired state again rather than reading a new snapshot. */
    private final boolean resumed;
    private final SnapshotRead read;
    private final Sends sends = new Sends();

    /** The list's write lock (and, for PostgreSQL, the connection), from the start of the run to its end. */
    private StateStore.Session session;
    private StateStore.StoredList state;
    /** Whether the snapshot was read to the end (a resume's always was). */
    private boolean snapshotComplete;
    /** The desired state this run works toward: the snapshot it kept, or the one it resumes; null for a failed snapshot. */
    private DesiredState.Status desired;
    private Target target;
    private volatile Plan plan;
    /** When the plan was made ({@link System#nanoTime()}): sending starts then. */
    private volatile long plannedAt;
    /** Whether removals are held back by a guard that a person can confirm (not add-only mode). */
    private boolean removalsAwaitConfirmation;
    private volatile String interrupted;
    private boolean ended;
    /** The list was adopted by name with no state of this tool: what left the model before cannot be removed. */
    private boolean adoptedWithoutState;
    /** What Pinterest made of the list, read after the sends (or the last reading kept); null when there is none. */
    private AudienceHealth health;
    /** What a person should know about this run besides its outcome (the report's and summary's warnings). */
    private final List<String> warnings = new java.util.concurrent.CopyOnWriteArrayList<>();

    SyncRun(String id, String source, boolean resumed, Path workDir, SnapshotCollector values, RejectsWriter rejects) {
        this.id = id;
        this.source = source;
        this.resumed = resumed;
        this.snapshotComplete = resumed;
        this.workDir = workDir;
        this.read = new SnapshotRead(values, rejects);
    }

    public String id() {
        return id;
    }

    /** The snapshot's name: its file, the query, or the desired state a resume sends. */
    String source() {
        return source;
    }

    Instant startedAt() {
        return startedAt;
    }

    Path workDir() {
        return workDir;
    }

    boolean resumed() {
        return resumed;
    }

    public SnapshotRead read() {
        return read;
    }

    Sends sends() {
        return sends;
    }

    StateStore.Session session() {
        return session;
    }

    void session(StateStore.Session session) {
        this.session = session;
    }

    /** The list's state, open once the list exists; null before. */
    StateStore.StoredList state() {
        return state;
    }

    void state(StateStore.StoredList state) {
        this.state = state;
    }

    /** Whether the snapshot was read completely: its file has done its job, whatever the run sent. */
    public boolean snapshotComplete() {
        return snapshotComplete;
    }

    /** The reason the snapshot is incomplete, or null when it was read to the end. */
    public String snapshotFailure() {
        return read.failure();
    }

    DesiredState.Status desired() {
        return desired;
    }

    /** The planning stage's verdict on the snapshot read: complete or not, and the desired state it leaves. */
    void kept(boolean complete, DesiredState.Status desired) {
        this.snapshotComplete = complete;
        this.desired = desired;
    }

    public Target target() {
        return target;
    }

    void target(Target target) {
        this.target = target;
    }

    public Plan plan() {
        return plan;
    }

    long plannedAt() {
        return plannedAt;
    }

    boolean removalsAwaitConfirmation() {
        return removalsAwaitConfirmation;
    }

    void planned(Plan plan, boolean removalsAwaitConfirmation) {
        this.plannedAt = System.nanoTime();
        this.plan = plan;
        this.removalsAwaitConfirmation = removalsAwaitConfirmation;
    }

    AudienceHealth health() {
        return health;
    }

    void health(AudienceHealth health) {
        this.health = health;
    }

    /** Adds a warning to the run's report and summary. */
    void warn(String warning) {
        warnings.add(warning);
    }

    List<String> warnings() {
        return List.copyOf(warnings);
    }

    boolean isAdoptedWithoutState() {
        return adoptedWithoutState;
    }

    void adoptedWithoutState() {
        adoptedWithoutState = true;
    }

    /** Why a run is interrupted: the process was asked to stop. */
    static final String SHUTDOWN = "stopped by a shutdown request";
    /** Why a run is interrupted: another replica leads the sync now. */
    static final String LEADERSHIP_LOST = "stopped because this replica no longer leads the sync (the one that does"
            + " sends the rest)";

    /** Whether a shutdown request or a lost leadership stopped the run before every batch was sent. */
    boolean interrupted() {
        return interrupted != null;
    }

    /** Why the run was interrupted, or null. */
    String interruptedBecause() {
        return interrupted;
    }

    void interrupt(String why) {
        interrupted = why;
    }

    /** Whether the run has ended (its report is written): a late failure does not end it twice. */
    boolean ended() {
        return ended;
    }

    void end() {
        ended = true;
    }

    @Override
    public String toString() {
        return "run " + id + " (" + source + ")";
    }
}
