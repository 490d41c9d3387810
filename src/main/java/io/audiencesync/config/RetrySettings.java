package io.audiencesync.config;

import java.time.Duration;

/**
 * How calls to Pinterest are retried and paced: at most {@code maxAttempts} tries within {@code budget},
 * exponential backoff with full jitter from {@code baseDelay} up to {@code maxDelay}, and at most
 * {@code writesPerMinute} write calls a minute.
 */
public record RetrySettings(int maxAttempts, Duration budget, Duration baseDelay, Duration maxDelay, int writesPerMinute) {
}
