package io.audiencesync.sync;

import io.audiencesync.config.ConfigException;
import io.audiencesync.config.SyncSettings;
import io.audiencesync.identity.Normalizer;
import io.audiencesync.observe.Secrets;
import io.audiencesync.observe.SyncMetrics;
import io.audiencesync.pinterest.PinterestAccessException;
import io.audiencesync.pinterest.PinterestApiException;
import io.audiencesync.pinterest.TokenProvider;
import io.audiencesync.pinterest.TokenStoreException;
import io.audiencesync.plan.Operation;
import io.audiencesync.plan.Plan;
import io.audiencesync.records.RecordFile;
import io.audiencesync.records.SnapshotCollector;
import io.audiencesync.records.SortedRecords;
import io.audiencesync.records.WireRecords;
import io.audiencesync.report.Json;
import io.audiencesync.report.Outcome;
import io.audiencesync.report.PlanReport;
import io.audiencesync.report.RejectsWriter;
import io.audiencesync.report.RunReport;
import io.audiencesync.source.Snapshot;
import io.audiencesync.source.SnapshotReadException;
import io.audiencesync.state.DesiredState;
import io.audiencesync.state.StateCorruptedException;
import io.audiencesync.state.StateFiles;
import io.audiencesync.state.StateLockedException;
import io.audiencesync.state.StateStoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;

/**
 * Starts and ends runs: the run id, the report, the one-paragraph summary and the exit code ledger. Runs of a
 * sync never overlap, whatever their source: file runs and query runs read and write the same state.
 */
public final class RunLifecycle {

    private static final Logger LOG = LoggerFactory.getLogger(RunLifecycle.class);
    private static final DateTimeFormatter RUN_ID = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmssSSS'Z'").withZone(ZoneOffset.UTC);

    /** The sources a run-once process waits for before it ends. */
    private enum Source { FILE, QUERY }

    private final SyncSettings settings;
    private final RunLedger ledger;
    private final SyncMetrics metrics;
    private final Progress progress;
    private final TokenProvider tokens;
    private final StateFiles files;
    /** The sync's run reports, where the workspace's files are kept. */
    private final RunHistory history;
    private final DesiredState desired;
    private final BindingFile binding;
    private final RunSlots slots;
    private final String replica;
    /**
     * Held from {@link #begin} to the end of the run, on the thread the run's route runs on. Reentrant, so that a
     * scheduled query can {@link #claim()} it before its run begins and keep it until {@link #release()}.
     */
    private final ReentrantLock running = new ReentrantLock();
    private volatile SyncRun current;
    /** Stops the progress line of the current run. */
    private AutoCloseable tracking = () -> { };
    private final Set<Source> done = EnumSet.noneOf(Source.class);
    /** Runs of this sync in this process (the ledger counts every sync's): run --once resumes only before the first. */
    private final java.util.concurrent.atomic.AtomicInteger runs = new java.util.concurrent.atomic.AtomicInteger();
    /** When the daemon last ran to report a damaged desired state. */
    private Instant damageReported;

    /**
     * @param ledger the outcomes of every sync's runs (shared by the workspace)
     * @param slots  how many runs of the workspace go on at once
     * @param replica this replica's name in the reports, or null without replicas
     */
    public RunLifecycle(SyncSettings settings, RunLedger ledger, RunSlots slots, TokenProvider tokens, StateFiles files,
                        DesiredState desired, BindingFile binding, SyncMetrics metrics, Progress progress, String replica) {
        this.files = files;
        this.history = new RunHistory(files, settings.dataDir());
        this.settings = settings;
        this.replica = replica;
        this.ledger = ledger;
        this.slots = slots;
        this.tokens = tokens;
        this.desired = desired;
        this.binding = binding;
        this.metrics = metrics;
        this.progress = progress;
    }

    /** Starts a run; while another run of this sync is going (a file and a query at once), waits for it to end. */
    public SyncRun begin(Snapshot snapshot) {
        String source = snapshot.name();
        boolean resumed = snapshot instanceof DesiredSnapshot;
        if (!running.tryLock()) {
            LOG.info("The run for {} waits: {} is still going (runs of one sync never overlap)", source, current);
            running.lock();
        }
        boolean slotTaken = false;
        try {
            runs.incrementAndGet();
            String id = newRunId();
            Path workDir = settings.dataDir().resolve("work").resolve(id);
            SyncRun run = new SyncRun(id, source, resumed, workDir, new SnapshotCollector(workDir, settings.sortBufferValues()),
                    new RejectsWriter(settings.dataDir().resolve("rejects").resolve(id + ".csv"), settings.identifiers().keyColumn()));
            slots.take(run);
            slotTaken = true;
            current = run;
            if (resumed) {
                LOG.info("Run {} started: resumes the desired state of '{}'", id, settings.customerListName());
            } else {
                LOG.info("Run {} started for {} (sync '{}', mode {})", id, source, settings.name(), settings.mode().key());
            }
            TokenProvider.Expiry expiry = tokens.expiry();
            expiry.refreshTokenWarning(Instant.now()).ifPresent(warning -> {
                LOG.warn("Run {}: {}", id, warning);
                run.warn(warning);
            });
            tracking = progress.track(run);
            return run;
        } catch (RuntimeException e) {
            if (slotTaken) {
                slots.give();
            }
            current = null;
            running.unlock();
            throw e;
        }
    }

    private static String newRunId() {
        return RUN_ID.format(Instant.now()) + "-" + String.format("%04x", ThreadLocalRandom.current().nextInt(0x10000));
    }

    /**
     * A waiting file older than a snapshot this poll of the inbox synced completely: each file is a full snapshot, so
     * it is settled unread, with a report that says which snapshot superseded it. The plan command only says so.
     */
    public void superseded(String fileName, String newer) {
        LOG.info("{} is superseded by {}, a newer complete snapshot synced from the inbox{}", fileName, newer,
                settings.dryRun() ? "; a run would not read it" : ": it moves to .done unread");
        if (settings.dryRun()) {
            return;
        }
        String id = newRunId();
        Instant now = Instant.now();
        SyncBinding bound = bound();
        RunReport report = new RunReport(id, fileName, settings.name(), now, now, 0, Outcome.SUPERSEDED, null, 0,
                Map.of(), 0, 0, 0, Map.of(), null, new RunReport.Counts(0, 0, 0), new RunReport.Counts(0, 0, 0), 0, null,
                bound == null ? null : bound.customerListId(), settings.customerListName(), false,
                bound == null ? null : bound.audienceId(), settings.audienceDisplayName(), false, 0, null,
                null, List.of(), newer, replica);
        ledger.record(id, Outcome.SUPERSEDED);
        try {
            keep(history.report(id), report);
        } catch (RuntimeException e) {
            LOG.error("Cannot write the report of {} under {}: {}", fileName, settings.dataDir(), e.getMessage());
        }
        metrics.runEnded(Outcome.SUPERSEDED.name(), false, now);
    }

    /** The list and audience the sync's binding records, for a report of a run that did not look them up; null if none. */
    private SyncBinding bound() {
        try {
            SyncBinding recorded = binding.load();
            return recorded != null && settings.listKey().equals(recorded.listKey()) ? recorded : null;
        } catch (RuntimeException e) {
            return null;
        }
    }

    /**
     * A scheduled fire of the query: it goes ahead only when no run is going, and then holds the runs' lock until
     * {@link #release()}. A fire while a run is going is skipped, not delayed: a delayed fire would queue up behind
     * a long run and then sync right after it, while the next fire reads the model afresh anyway.
     */
    public boolean claim() {
        if (running.tryLock()) {
            return true;
        }
        LOG.warn("Scheduled query run skipped: {} is still going (runs of one sync never overlap); the next fire of"
                + " source.jdbc.cron '{}' syncs the model", current, settings.jdbc().cron());
        return false;
    }

    /** Ends what {@link #claim()} began; the run itself released its own hold when it ended. */
    public void release() {
        if (running.isHeldByCurrentThread()) {
            running.unlock();
        }
    }

    /**
     * run --once found nothing new in the inbox: whether the desired state still owes the list something this
     * process should send now. Removals that only wait for a person's confirmation are not resent unconfirmed,
     * but they keep the exit code at 1. With the SQL source the query reads the model afresh instead.
     */
    public boolean resumeOnce() {
        if (!settings.once() || settings.dryRun() || settings.jdbcEnabled() || runs.get() > 0) {
            return false;
        }
        Optional<DesiredState.Status> status;
        try {
            status = desired.status();
        } catch (StateCorruptedException e) {
            // A run, so that the damage is reported (exit 2) where a person looks: the run's summary and report.
            return true;
        }
        if (status.isEmpty() || status.get().converged()) {
            LOG.info("Nothing new in the inbox {}: {}", settings.inboxDir().toAbsolutePath(), status
                    .map(s -> "the list equals the last complete snapshot (" + s.snapshot() + ", " + s.values() + " values)")
                    .orElse("no snapshot has been synced yet"));
            return false;
        }
        if (resumable(status.get())) {
            return true;
        }
        LOG.warn("Nothing new in the inbox; {} removals of the desired state ({}) are still withheld: {}",
                status.get().removalsWithheld(), status.get().snapshot(), status.get().reason());
        runs.incrementAndGet();
        ledger.record(Outcome.REMOVALS_WITHHELD);
        return false;
    }

    /**
     * The daemon's check: true when the desired state owes the list something and its backoff has passed, holding
     * the runs' lock until {@link #release()}; a run going on is never waited for.
     */
    public boolean claimResume() {
        Optional<DesiredState.Status> status;
        try {
            status = desired.status();
        } catch (StateCorruptedException e) {
            // Reported by a run (STOPPED, readiness down) now and then, not every second.
            Instant due = damageReported == null ? Instant.MIN : damageReported.plus(settings.resume().maxDelay());
            if (Instant.now().isBefore(due) || !running.tryLock()) {
                return false;
            }
            damageReported = Instant.now();
            return true;
        }
        if (status.isEmpty() || !resumable(status.get())) {
            return false;
        }
        // Never settled: the process that kept it died; count from then.
        Instant last = status.get().settledAt() != null ? status.get().settledAt() : status.get().keptAt();
        Instant due = last.plus(settings.resume().after(status.get().attempts()));
        return !Instant.now().isBefore(due) && running.tryLock();
    }

    private boolean resumable(DesiredState.Status status) {
        return status.owed() || status.removalsWithheld() > 0 && settings.allowMassRemoval();
    }

    /** The body of a resume run. */
    public Snapshot resumeSnapshot() {
        try {
            return new DesiredSnapshot(desired.status().map(DesiredState.Status::snapshot).orElse("(none)"));
        } catch (StateCorruptedException e) {
            return new DesiredSnapshot("a damaged desired state");
        }
    }

    /** The source stopped part-way: adds of what was read still go out, removals do not. */
    public void snapshotFailed(SyncRun run, Exception failure) {
        // The source's own message, not the wrapper of Camel's expression that opened the snapshot.
        Throwable reason = failure;
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof SnapshotReadException) {
                reason = t;
                break;
            }
        }
        run.read().failed(Secrets.mask(reason.getMessage()));
        LOG.warn("Run {}: snapshot incomplete, no value will be removed this run: {}", run.id(), run.snapshotFailure());
    }

    /**
     * Ends a run that got through every stage: folds the journal into the state, records what the desired state is
     * still owed, writes the report and logs the summary.
     */
    public RunReport finish(SyncRun run) {
        if (run.state() != null) {
            run.state().finish();
        }
        long owed = owedValues(run);
        long deadLetterBatches = run.sends().deadLetterBatches();
        Outcome outcome = run.snapshotFailure() != null ? Outcome.SNAPSHOT_FAILED
                : run.interrupted() ? Outcome.INTERRUPTED
                : deadLetterBatches > 0 ? Outcome.DEAD_LETTERS
                : owed > 0 ? Outcome.FAILED
                : run.removalsAwaitConfirmation() ? Outcome.REMOVALS_WITHHELD : Outcome.SUCCEEDED;
        String error = run.snapshotFailure() != null ? run.snapshotFailure()
                : run.interrupted() ? run.interruptedBecause() + "; what Pinterest acknowledged is recorded, " + owed
                        + " values are still owed and the next run sends them without a new file"
                : deadLetterBatches > 0 ? owed + " values in dead-lettered batches are still owed; the next run sends"
                        + " them again without a new file"
                : owed > 0 ? owed + " values are still owed; the next run sends them"
                : null;
        // Withheld removals are in the report already, with their reason; the desired state keeps it too.
        settle(run, owed > 0 || run.interrupted() || deadLetterBatches > 0, owed,
                error == null && run.removalsAwaitConfirmation() ? run.plan().withheldBecause() : error);
        return end(run, outcome, error);
    }

    /** Planned values that Pinterest did not acknowledge this run. */
    private static long owedValues(SyncRun run) {
        Plan plan = run.plan();
        if (plan == null) {
            return run.desired() == null ? 0 : run.desired().values();
        }
        return Math.max(0, plan.addCount() + plan.removeCount() - run.sends().acknowledged(Operation.ADD)
                - run.sends().acknowledged(Operation.REMOVE));
    }

    /** Records in the desired state what the run left owed; a run that cannot record it leaves it owed. */
    private void settle(SyncRun run, boolean owed, long owedValues, String reason) {
        if (run.desired() == null || settings.dryRun()) {
            return;
        }
        long withheld = run.removalsAwaitConfirmation() && run.plan() != null ? run.plan().removalsWithheld() : 0;
        try {
            DesiredState.Status status = desired.settle(owed, owedValues, withheld, reason, Instant.now());
            metrics.desiredState(status);
            if (owed && !settings.once()) {
                LOG.info("Run {}: the desired state is still owed; it is sent again in {} s (sync.resume-delay-seconds)",
                        run.id(), settings.resume().after(status.attempts()).toSeconds());
            }
        } catch (RuntimeException e) {
            LOG.error("Run {}: cannot record the desired state's progress in {} ({}); it stays owed and the next run"
                    + " sends it again", run.id(), desired, e.getMessage());
        }
    }

    /**
     * Ends a dry run: writes the plan ({@code plans/<run-id>.json}) and sends nothing. The plan is what a run
     * would do now, guards included.
     */
    public PlanReport planned(SyncRun run) {
        run.end();
        stopProgress();
        SnapshotRead read = run.read();
        read.closeRejects();
        Plan plan = run.plan();
        Target target = run.target();
        PlanReport report = new PlanReport(run.id(), run.source(), settings.name(), Instant.now(), read.failure(),
                read.rows(), names(read.valuesByType()), plan.snapshotCount(), names(read.rejectedByReason()),
                target.customerListId(), target.customerListName(), target.audienceId(),
                new PlanReport.Side(plan.addCount(), names(plan.addsByType()), true, hashedSamples(plan.adds())),
                new PlanReport.Side(plan.removeCandidates(), names(plan.removesByType()), plan.removeCount() > 0,
                        hashedSamples(plan.removes())),
                plan.withheldBecause());
        keep(settings.dataDir().resolve("plans").resolve(run.id() + ".json"), report);
        deleteWorkDir(run.workDir());
        closeSession(run);
        ledger.record(run.id(), read.failure() == null ? Outcome.SUCCEEDED : Outcome.SNAPSHOT_FAILED);
        LOG.info("Run {} planned {} adds and {} removes{} for {}; nothing was sent", run.id(), plan.addCount(),
                plan.removeCount(), plan.withheldBecause() == null ? "" : " (" + plan.removalsWithheld()
                        + " removals withheld: " + plan.withheldBecause() + ")", run.source());
        return report;
    }

    private static List<String> hashedSamples(Path records) {
        List<String> samples = new ArrayList<>();
        try (SortedRecords values = RecordFile.readAnyOrder(records)) {
            while (samples.size() < 3 && values.next()) {
                String value = WireRecords.value(values.buffer(), values.offset());
                if (Normalizer.isHexDigest(value)) {
                    samples.add(value);
                }
            }
        }
        return samples;
    }

    /** Lets another process sync this list (and, for PostgreSQL, gives the connection back). */
    private static void closeSession(SyncRun run) {
        if (run.session() != null) {
            run.session().close();
            run.session(null);
        }
    }

    /**
     * Ends a run that an error stopped, and throws the error on, for the source route to settle its file (it goes to
     * {@code .failed} unless its snapshot was read completely).
     */
    public void abort(SyncRun run, Exception failure) throws Exception {
        Outcome outcome = stopsEveryRun(failure) ? Outcome.STOPPED : Outcome.FAILED;
        if (!expected(failure)) {
            LOG.error("Run {} stopped by an unexpected error", run == null ? "(not started)" : run.id(), failure);
        }
        String error = explainOnce(run, failure);
        if (run == null) {
            runs.incrementAndGet();
            ledger.record(outcome);
            LOG.error("Run failed before it started: {}", error);
        } else if (!run.ended()) {
            try {
                if (run.state() != null) {
                    run.state().finish();
                }
            } catch (RuntimeException e) {
                LOG.error("Run {}: cannot fold the state's journal ({}); the next run recovers it", run.id(), e.getMessage());
            } finally {
                settle(run, true, owedValues(run), error);
                end(run, outcome, error);
            }
        }
        if (outcome == Outcome.STOPPED && settings.once()) {
            if (tokenRefused(failure)) {
                // No sync can work with a token Pinterest refused: the whole process ends, with this one message.
                ledger.complete();
            } else {
                // Only this sync stops; the others of the workspace go on.
                ledger.done(settings.id());
            }
        }
        throw failure;
    }

    /**
     * The explanation of {@code failure}; a token refusal is explained in full by the first run it stops, and the
     * runs of the other syncs that it stops too refer to that one, so a workspace says it once.
     */
    private String explainOnce(SyncRun run, Exception failure) {
        if (!tokenRefused(failure)) {
            return explain(failure);
        }
        String first = ledger.tokenRefused(run == null ? "(not started)" : run.id());
        return first == null ? explain(failure) : "Pinterest refused the workspace's token (HTTP 401), as run " + first
                + " said with the fix; no sync can write until it is fixed";
    }

    /** A failure of the workspace's token, not of this sync: every sync shares it. */
    static boolean tokenRefused(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof TokenStoreException || t instanceof PinterestAccessException access && access.status() == 401) {
                return true;
            }
        }
        return false;
    }

    /** The inbox has nothing more: a run-once process ends here, or once the query ran too. */
    public void idle() {
        sourceDone(Source.FILE);
    }

    /** The query ran (whatever the outcome): a run-once process ends here, or once the inbox is drained too. */
    public void queryDone() {
        sourceDone(Source.QUERY);
    }

    private void sourceDone(Source source) {
        if (!settings.once()) {
            return;
        }
        boolean all;
        synchronized (done) {
            all = done.add(source) && done.size() == (settings.jdbcEnabled() ? 2 : 1);
        }
        if (all) {
            ledger.done(settings.id());
        }
    }

    /** Errors no retry or later file can fix: a person has to change a setting or a grant. */
    public static boolean stopsEveryRun(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof PinterestAccessException || t instanceof ConfigException || t instanceof StateCorruptedException
                    || t instanceof TokenStoreException) {
                return true;
            }
        }
        return false;
    }

    /** Failures this tool explains in one line; anything else is a bug or an environment problem worth a stack trace. */
    private static boolean expected(Throwable failure) {
        if (Resources.explain(failure).isPresent()) {
            return true;
        }
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof PinterestApiException || t instanceof ConfigException || t instanceof StateCorruptedException
                    || t instanceof SnapshotReadException || t instanceof TokenStoreException || t instanceof StateLockedException
                    || t instanceof StateStoreException) {
                return true;
            }
        }
        return false;
    }

    /**
     * A one-line explanation for logs, stderr and reports: the message, and what to do for access errors; passwords
     * and tokens masked, whichever library wrote the message (a JDBC driver echoes a URL's user-info).
     */
    public static String explain(Throwable failure) {
        return Secrets.mask(explainUnmasked(failure));
    }

    private static String explainUnmasked(Throwable failure) {
        Optional<String> resource = Resources.explain(failure);
        if (resource.isPresent()) {
            return resource.get();
        }
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof PinterestAccessException access) {
                return access.getMessage() + " — " + access.advice();
            }
            if (t instanceof ConfigException || t instanceof StateCorruptedException || t instanceof SnapshotReadException
                    || t instanceof TokenStoreException || t instanceof StateLockedException || t instanceof StateStoreException) {
                return t.getMessage();
            }
        }
        return String.valueOf(failure.getMessage());
    }

    private RunReport end(SyncRun run, Outcome outcome, String error) {
        if (outcome != Outcome.STOPPED) {
            ledger.tokenWorks();
        }
        try {
            return report(run, outcome, error);
        } finally {
            // The run holds the runs' lock and a run slot from begin to here, once.
            if (current == run) {
                current = null;
                slots.give();
                running.unlock();
            }
        }
    }

    private RunReport report(SyncRun run, Outcome outcome, String error) {
        run.end();
        stopProgress();
        closeSession(run);
        SnapshotRead read = run.read();
        Sends sends = run.sends();
        read.closeRejects();
        Instant finishedAt = Instant.now();
        Plan plan = run.plan();
        Target target = run.target();
        // A run that stopped before it looked the list up still names the list its binding records.
        SyncBinding bound = target == null ? bound() : null;
        RunReport report = new RunReport(
                run.id(), run.source(), settings.name(), run.startedAt(), finishedAt,
                Duration.between(run.startedAt(), finishedAt).toMillis(), outcome, error,
                read.rows(), names(read.valuesByType()), plan == null ? 0 : plan.snapshotCount(), read.emptyCells(),
                read.rejectedCount(), names(read.rejectedByReason()),
                pathOrNull(read.rejectsFile()),
                new RunReport.Counts(plan == null ? 0 : plan.addCount(), sends.acknowledged(Operation.ADD),
                        sends.deadLettered(Operation.ADD)),
                new RunReport.Counts(plan == null ? 0 : plan.removeCount(), sends.acknowledged(Operation.REMOVE),
                        sends.deadLettered(Operation.REMOVE)),
                plan == null ? 0 : plan.removalsWithheld(), plan == null ? null : plan.withheldBecause(),
                target != null ? target.customerListId() : bound != null ? bound.customerListId() : null,
                target != null ? target.customerListName() : bound != null && bound.customerListName() != null
                        ? bound.customerListName() : settings.customerListName(),
                target != null && target.customerListCreated(),
                target != null ? target.audienceId() : bound != null ? bound.audienceId() : null,
                target != null ? target.audienceName() : bound != null && bound.audienceName() != null
                        ? bound.audienceName() : settings.audienceDisplayName(),
                target != null && target.audienceCreated(),
                sends.deadLetterBatches(), sends.deadLetterFile(),
                run.health() == null ? null : run.health().at(finishedAt),
                warnings(run, target), null, replica);
        // The outcome counts for the exit code first: a full disk must not turn a failed run into exit 0.
        ledger.record(run.id(), outcome);
        try {
            // The plan command changes nothing, its run history included.
            if (!settings.dryRun()) {
                keep(history.report(run.id()), report);
                history.prune(settings.keepRuns());
            }
            deleteWorkDir(run.workDir());
        } catch (RuntimeException e) {
            ledger.escalate(Outcome.FAILED);
            LOG.error("Run {}: cannot write its report under {}: {}", run.id(), settings.dataDir(), e.getMessage());
        }
        record(report, run.isAdoptedWithoutState() && target != null);
        String summary = summary(report);
        if (outcome == Outcome.SUCCEEDED) {
            LOG.info(summary);
        } else {
            LOG.warn(summary);
        }
        return report;
    }

    private void stopProgress() {
        try {
            tracking.close();
        } catch (Exception e) {
            LOG.debug("progress reporting did not stop cleanly", e);
        }
    }

    private static List<String> warnings(SyncRun run, Target target) {
        List<String> warnings = new ArrayList<>();
        if (run.isAdoptedWithoutState() && target != null) {
            warnings.add(Provisioner.adoptedWithoutStateWarning(target.customerListName()));
        }
        warnings.addAll(run.warnings());
        return warnings;
    }

    private void record(RunReport r, boolean adoptedWithoutState) {
        metrics.rowsRead(r.rowsRead());
        metrics.valuesSent("ADD", r.adds().sent());
        metrics.valuesSent("REMOVE", r.removes().sent());
        r.rejectedByReason().forEach(metrics::valuesRejected);
        metrics.valuesDeadLettered("ADD", r.adds().failed());
        metrics.valuesDeadLettered("REMOVE", r.removes().failed());
        metrics.runEnded(r.outcome().name(), r.outcome() == Outcome.SUCCEEDED, r.finishedAt());
        if (adoptedWithoutState) {
            metrics.adoptedWithoutState(true);
        }
    }

    /** The one-paragraph summary the log carries for a run (and {@code status} shows for the last one). */
    public static String summary(RunReport r) {
        StringBuilder out = new StringBuilder();
        out.append("Run ").append(r.runId()).append(" (").append(r.source()).append(") ").append(r.outcome())
                .append(" in ").append(String.format("%.1f s", r.durationMs() / 1000.0)).append(": ")
                .append(r.rowsRead()).append(" rows read; values ").append(counts(r.valuesByType()))
                .append(", ").append(r.distinctValues()).append(" distinct; ")
                .append(r.rejected()).append(" rejected").append(r.rejected() == 0 ? ""
                        : " (" + counts(r.rejectedByReason()) + ", in " + r.rejectsFile() + ")")
                .append("; adds planned ").append(r.adds().planned()).append(", sent ").append(r.adds().sent())
                .append(", failed ").append(r.adds().failed())
                .append("; removes planned ").append(r.removes().planned()).append(", sent ").append(r.removes().sent())
                .append(", failed ").append(r.removes().failed());
        if (r.removalsWithheld() > 0) {
            out.append(" (").append(r.removalsWithheld()).append(" removals withheld: ").append(r.removalsWithheldBecause()).append(')');
        }
        out.append("; customer list ").append(r.customerListId() == null ? "(none yet)" : r.customerListId())
                .append(" '").append(r.customerListName()).append('\'').append(r.customerListCreated() ? " created" : "")
                .append(", audience ").append(r.audienceId() == null ? "(none yet)" : r.audienceId())
                .append(" '").append(r.audienceName()).append('\'').append(r.audienceCreated() ? " created" : "");
        if (r.deadLetterBatches() > 0) {
            out.append("; ").append(r.deadLetterBatches()).append(" batches in the dead letter ").append(r.deadLetterFile());
        }
        if (r.audienceHealth() != null) {
            out.append("; health: ").append(r.audienceHealth().describe());
            if (r.audienceHealth().warning() != null) {
                out.append("; WARNING: ").append(r.audienceHealth().warning());
            }
        }
        if (r.error() != null) {
            out.append("; error: ").append(r.error());
        }
        if (r.warnings() != null) {
            r.warnings().forEach(w -> out.append("; WARNING: ").append(w));
        }
        return out.append('.').toString();
    }

    /** {@code EMAIL 940, MAID 400}: counts as a person reads them. */
    private static String counts(Map<String, Long> counts) {
        return counts.isEmpty() ? "none" : counts.entrySet().stream().map(e -> e.getKey() + " " + e.getValue())
                .collect(java.util.stream.Collectors.joining(", "));
    }

    private static <E extends Enum<E>> Map<String, Long> names(Map<E, Long> counts) {
        Map<String, Long> out = new LinkedHashMap<>();
        counts.forEach((k, v) -> out.put(k.name(), v));
        return out;
    }

    /** Writes a run's report (or plan) where the workspace's files are kept, for the summary of this process too. */
    private void keep(Path file, Object report) {
        files.write(file, Json.bytes(report));
        ledger.reported(file, files.describe(file), report);
    }

    private static String pathOrNull(Path path) {
        return path == null ? null : path.toString();
    }

    private static void deleteWorkDir(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot clean up " + dir, e);
        }
    }
}
