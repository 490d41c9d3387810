package io.audiencesync.report;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * What one run did, written to {@code runs/<run-id>.json}. Counts and ids only: no values, no tokens.
 * {@code warnings} are what a person should know even though the run went through (a list adopted with no state);
 * {@code audienceHealth} is what Pinterest made of the list, read after a run that sent something (else the last
 * reading kept, with its age), null when there is none;
 * {@code supersededBy} names the newer snapshot a file was settled for, unread (outcome SUPERSEDED); {@code replica}
 * the replica that ran it ({@code cluster.member}), null without replicas.
 */
public record RunReport(
        String runId,
        String source,
        String syncName,
        Instant startedAt,
        Instant finishedAt,
        long durationMs,
        Outcome outcome,
        String error,
        long rowsRead,
        Map<String, Long> valuesByType,
        long distinctValues,
        long emptyCells,
        long rejected,
        Map<String, Long> rejectedByReason,
        String rejectsFile,
        Counts adds,
        Counts removes,
        long removalsWithheld,
        String removalsWithheldBecause,
        String customerListId,
        String customerListName,
        boolean customerListCreated,
        String audienceId,
        String audienceName,
        boolean audienceCreated,
        long deadLetterBatches,
        String deadLetterFile,
        AudienceHealth audienceHealth,
        List<String> warnings,
        String supersededBy,
        String replica) {

    /** Values planned, acknowledged by Pinterest, and sent to the dead letter. */
    public record Counts(long planned, long sent, long failed) {
    }
}
