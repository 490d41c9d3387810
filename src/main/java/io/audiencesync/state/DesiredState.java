package io.audiencesync.state;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.audiencesync.records.RecordFile;
import io.audiencesync.records.SortedRecords;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The desired membership of one customer list: the last snapshot that was read completely, as sorted, distinct
 * wire records, and whether the list still owes it anything. Every run reconciles the list toward it, so what an
 * interrupted run, a dead-lettered batch or an unreachable Pinterest left unsent goes out with the next run,
 * without a new file; a newer complete snapshot replaces it.
 *
 * <p>Under {@code state/desired/}: {@code <list>-<generation>.bin} holds the records and {@code <list>.json} the
 * {@link Status}, which names the records file. A new snapshot is written and forced under a new generation before
 * the status is renamed onto the old one, so a crash at any point leaves one whole desired state. Written only
 * while the run holds the list's write lock. Both files are sealed ({@link SealedJson}, {@link RecordFile}) and
 * checked when read, the records also against the count the status records: a damaged desired state is refused,
 * never acted on.
 */
public final class DesiredState {

    /**
     * What the list owes its desired membership.
     *
     * @param records          the records file's name, beside the status
     * @param snapshot         the snapshot it was read from (a file name, a query)
     * @param keptAt           when it was read
     * @param values           distinct wire values in it
     * @param previousValues   values in the desired state it replaced (-1: none), for the shrink guard
     * @param owed             whether some adds or removals are still to be sent (a run was interrupted, batches
     *                         went to the dead letter, Pinterest could not be reached)
     * @param owedValues       how many values are owed (0 when nothing is)
     * @param removalsWithheld removals a guard holds back until a person confirms them
     * @param reason           why something is owed or withheld, for logs and {@code status}; null when converged
     * @param attempts         runs in a row that ended with something owed (the daemon backs off on it)
     * @param settledAt        when a run last ended on it
     */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Status(String records, String snapshot, Instant keptAt, long values, long previousValues,
                         boolean owed, long owedValues, long removalsWithheld, String reason, int attempts,
                         Instant settledAt) {

        /** The generation of the records file: 1 for the first snapshot kept, one more for each after it. */
        public long generation() {
            return DesiredState.generation(records);
        }

        /** Whether the list equals its desired membership. */
        public boolean converged() {
            return !owed && removalsWithheld == 0;
        }

        /** {@code converged}, {@code behind} (values owed or withheld) or {@code failing} (runs in a row ended owed). */
        public String convergence() {
            return converged() ? "converged" : owed && attempts >= 2 ? "failing" : "behind";
        }

        Status settled(boolean owed, long owedValues, long removalsWithheld, String reason, Instant at) {
            return new Status(records, snapshot, keptAt, values, previousValues, owed, owed ? owedValues : 0,
                    removalsWithheld, reason, owed ? attempts + 1 : 0, at);
        }
    }

    private final StateFiles files;
    private final Path dir;
    private final String prefix;
    private final Path statusFile;
    /** A state directory of an earlier release, not sealed yet (read by a command before a sync sealed it). */
    private final boolean unsealed;
    private final String advice;

    private DesiredState(StateFiles files, Path dir, String prefix, boolean unsealed, String listKey) {
        this.files = files;
        this.dir = dir;
        this.prefix = prefix;
        this.statusFile = dir.resolve(prefix + ".json");
        this.unsealed = unsealed;
        this.advice = StateCorruptedException.resetAdvice("the desired state of '" + listKey + "'");
    }

    /** The desired state of the list with this lock key (ad account and list name), under {@code stateDir}. */
    public static DesiredState of(Path stateDir, String listKey) {
        return of(LocalStateFiles.INSTANCE, stateDir, listKey);
    }

    /** The same, kept where {@code files} keeps the state's files (on the disk, or in PostgreSQL). */
    public static DesiredState of(StateFiles files, Path stateDir, String listKey) {
        return new DesiredState(files, stateDir.resolve("desired"), FileStateStore.fileStem(listKey),
                !StateFormat.sealed(stateDir), listKey);
    }

    /**
     * The current status; empty before the first complete snapshot.
     *
     * @throws StateCorruptedException when the file is damaged
     */
    public Optional<Status> status() {
        return SealedJson.read(files, statusFile, Status.class, unsealed, advice);
    }

    /** The desired membership, in wire-record order, checked as it is read; the caller closes it. */
    public SortedRecords read() {
        Status status = status().orElseThrow(() -> new IllegalStateException("no desired state in " + dir));
        Path records = recordsFile(status);
        return unsealed ? RecordFile.readUnsealed(records, advice)
                : RecordFile.read(records, RecordFile.Order.ASCENDING, status.values(), advice);
    }

    /**
     * The records file in force, on the disk (fetched from where the store keeps it when this replica has no copy),
     * and where it is kept; empty before the first complete snapshot, and for a desired state of an earlier release.
     */
    Optional<Records> records() {
        return unsealed ? Optional.empty() : status().map(status -> new Records(files, recordsFile(status), status.values()));
    }

    /** A desired state's records: the file on the disk, kept in {@code files}, with {@code values} records. */
    record Records(StateFiles files, Path file, long values) {
    }

    private Path recordsFile(Status status) {
        Path records = dir.resolve(status.records());
        if (!files.fetch(records)) {
            throw new StateCorruptedException(files.describe(records) + " is missing: the desired state "
                    + files.describe(statusFile) + " names it, with " + status.values() + " values. " + advice);
        }
        return records;
    }

    /** Where the status is, for messages: its file, or its row in PostgreSQL. */
    public String statusFile() {
        return files.describe(statusFile);
    }

    /**
     * Makes a snapshot read completely the desired membership: writes its records under a new generation, forces
     * them to the disk, then switches the status to them (owed until a run settles it). Closes {@code snapshot}.
     *
     * @return the new status
     */
    public Status keep(SortedRecords snapshot, String snapshotName, Instant at) {
        Optional<Status> previous = status();
        long generation = previous.map(s -> generation(s.records()) + 1).orElse(1L);
        String name = prefix + "-" + generation + ".bin";
        Path records = dir.resolve(name);
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the desired state to " + dir, e);
        }
        long values;
        // Kept where the store keeps it while it is written (PostgreSQL: uploaded as it goes), not after.
        try (snapshot; StateFiles.Upload upload = files.upload(records); RecordFile.Writer out = new RecordFile.Writer(records, upload)) {
            while (snapshot.next()) {
                out.write(snapshot.buffer(), snapshot.offset());
            }
            values = out.count();
            out.closeAndForce();
            upload.finish();
        }
        // The shrink guard compares with the last snapshot whose removals were not held back: dropping the same
        // cut-off export twice must not make it the baseline.
        long baseline = previous.map(p -> p.removalsWithheld() > 0 && p.previousValues() > 0 ? p.previousValues() : p.values())
                .orElse(-1L);
        Status status = new Status(name, snapshotName, at, values, baseline,
                true, values, 0, "the snapshot " + snapshotName + " is not sent yet", 0, null);
        SealedJson.write(files, statusFile, status);
        deleteOtherGenerations(name);
        return status;
    }

    /** Records how the run that worked on the desired state ended. */
    public Status settle(boolean owed, long owedValues, long removalsWithheld, String reason, Instant at) {
        Status status = status().orElseThrow(() -> new IllegalStateException("no desired state in " + dir))
                .settled(owed, owedValues, removalsWithheld, owed || removalsWithheld > 0 ? reason : null, at);
        SealedJson.write(files, statusFile, status);
        return status;
    }

    /**
     * Sets the desired state aside ({@code run --once --reset-state}): its files move to {@code setAsideDir}.
     *
     * @return what moved, for the log
     */
    public String setAside(Path setAsideDir) {
        List<Path> ours = files.list(dir, "").stream().filter(p -> {
            String n = p.getFileName().toString();
            return n.equals(prefix + ".json") || n.startsWith(prefix + "-") && n.endsWith(".bin");
        }).toList();
        Path target = setAsideDir.resolve("desired");
        for (Path file : ours) {
            files.move(file, target.resolve(file.getFileName()));
        }
        return ours.isEmpty() ? "no desired state" : "the desired state (" + ours.size() + " files) moved to "
                + files.describe(target);
    }

    private static long generation(String records) {
        String base = records.substring(0, records.length() - ".bin".length());
        return Long.parseLong(base.substring(base.lastIndexOf('-') + 1));
    }

    /** Deletes the records files of generations before the one in force that are still there (the store kept them). */
    void deleteOldGenerations() {
        status().ifPresent(status -> deleteOtherGenerations(status.records()));
    }

    private void deleteOtherGenerations(String keep) {
        try {
            for (Path old : files.list(dir, ".bin")) {
                String n = old.getFileName().toString();
                if (n.startsWith(prefix + "-") && !n.equals(keep)) {
                    files.delete(old);
                }
            }
        } catch (RuntimeException e) {
            // an old generation left behind takes space only; the status names the one in force
        }
    }

    @Override
    public String toString() {
        return files.describe(statusFile);
    }
}
