package io.audiencesync.report;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What a run would send, written by the {@code plan} command to {@code plans/<run-id>.json}. Samples are
 * hashed wire values only (hex digests); plain emails and partner ids are never sampled.
 */
public record PlanReport(
        String runId,
        String source,
        String syncName,
        Instant createdAt,
        String snapshotError,
        long rowsRead,
        Map<String, Long> valuesByType,
        long distinctValues,
        Map<String, Long> rejectedByReason,
        String customerListId,
        String customerListName,
        String audienceId,
        Side adds,
        Side removes,
        String removalsWithheldBecause) {

    /** One direction of the plan: how many values, by type, whether they go out, and a few hashed samples. */
    public record Side(long count, Map<String, Long> byType, boolean sent, List<String> hashedSamples) {
    }
}
