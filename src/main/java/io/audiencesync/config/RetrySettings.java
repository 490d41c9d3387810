package io.audiencesync.config;

import java.time.Duration;

/**
 * How calls to Pinterest are retried and paced (by the {@code pinterest} route): at most {@code maxAttempts} tries
 * within {@code budget}, Camel's exponential backoff from {@code baseDelay} up to {@code maxDelay}, and at most
 * {@code writesPerMinute} write calls a minute.
 */
public record RetrySettings(int maxAttempts, Duration budget, Duration baseDelay, Duration maxDelay, int writesPerMinute) {

    /** One try, no wait: for calls that must say at once what is wrong (check, the token endpoint). */
    public static final RetrySettings ONCE = new RetrySettings(1, Duration.ZERO, Duration.ofMillis(1), Duration.ofMillis(1), 60);
}
