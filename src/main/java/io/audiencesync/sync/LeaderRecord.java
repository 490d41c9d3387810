package io.audiencesync.sync;

import io.audiencesync.report.Json;

import io.audiencesync.state.StateFiles;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;

/**
 * Which replica took the lead of a sync last, and when: written by the replica as it takes the lead, read by
 * {@code status} (the cluster service itself is only asked by its members). Under {@code state/leaders/<id>.json}.
 */
public record LeaderRecord(String sync, String replica, Instant since) {

    static Path file(Path stateDir, String sync) {
        return stateDir.resolve("leaders").resolve(sync + ".json");
    }

    /** Records that {@code replica} leads {@code sync} from now on. */
    public static void write(StateFiles files, Path stateDir, String sync, String replica) {
        files.write(file(stateDir, sync), Json.bytes(new LeaderRecord(sync, replica, Instant.now())));
    }

    /** The last record of the sync's leader; empty when replicas never ran it (or the record cannot be read). */
    public static Optional<LeaderRecord> read(StateFiles files, Path stateDir, String sync) {
        try {
            Path file = file(stateDir, sync);
            return files.read(file).map(content -> Json.parse(content, LeaderRecord.class, files.describe(file)));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }
}
