package io.audiencesync.report;

import java.time.Instant;
import java.util.List;

/** One batch Pinterest did not acknowledge, as a line of {@code dead-letter/<run-id>.jsonl}. */
public record DeadLetter(
        String runId,
        String operation,
        String customerListId,
        List<String> values,
        int httpStatus,
        Integer pinterestCode,
        String pinterestMessage,
        String requestId,
        int attempts,
        Instant time) {
}
