package io.audiencesync.plan;

import io.audiencesync.identity.IdentifierType;
import io.audiencesync.records.WireRecords;

import java.nio.file.Path;
import java.util.Map;

/**
 * What one run will send: adds = snapshot − state, removes = state − snapshot, each a file of wire records
 * ({@link WireRecords}; sorted when the file store planned it). {@code withheldBecause} is null when the removals go out; otherwise none do this run (add-only mode,
 * an incomplete or empty snapshot, a mass removal not confirmed) and it says why.
 */
public record Plan(
        Path adds,
        long addCount,
        Path removes,
        long removeCandidates,
        Map<IdentifierType, Long> addsByType,
        Map<IdentifierType, Long> removesByType,
        long snapshotCount,
        long stateCount,
        String withheldBecause) {

    /** Removals that go out this run. */
    public long removeCount() {
        return withheldBecause == null ? removeCandidates : 0;
    }

    /** Removals segment mode would make but this run does not. */
    public long removalsWithheld() {
        return withheldBecause == null ? 0 : removeCandidates;
    }

    public Plan withholdRemovals(String because) {
        return new Plan(adds, addCount, removes, removeCandidates, addsByType, removesByType, snapshotCount, stateCount,
                because);
    }
}
