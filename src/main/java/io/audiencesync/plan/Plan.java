package io.audiencesync.plan;

import io.audiencesync.identity.IdentifierType;

import java.nio.file.Path;
import java.util.Map;

/**
 * What one run will send: adds = snapshot − state, removes = state − snapshot, each a sorted file of wire
 * lines. When removals are withheld (add-only mode, a failed or empty snapshot) {@code removeCount} is 0,
 * {@code removalsWithheld} counts what segment mode would have removed and {@code withheldBecause} says why.
 */
public record Plan(
        Path adds,
        long addCount,
        Path removes,
        long removeCount,
        Map<IdentifierType, Long> addsByType,
        Map<IdentifierType, Long> removesByType,
        long snapshotCount,
        long stateCount,
        long removalsWithheld,
        String withheldBecause) {
}
