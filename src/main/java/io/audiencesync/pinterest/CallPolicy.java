package io.audiencesync.pinterest;

import io.audiencesync.config.RetrySettings;
import io.github.resilience4j.core.functions.Either;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Paces and retries calls to Pinterest (resilience4j): write calls go through a rate limiter spaced evenly
 * over the minute; 429, 5xx and calls that got no answer are tried again with exponential backoff and full
 * jitter, waiting at least what Pinterest asked for, within {@code max-attempts} and a total time budget.
 * Access errors (401/403/404) and other 4xx answers are never retried here.
 */
final class CallPolicy {

    private static final Logger LOG = LoggerFactory.getLogger(CallPolicy.class);

    private final RetrySettings settings;
    private final RateLimiter writes;
    private final Clock clock;
    private final BooleanSupplier stopping;
    /**
     * Until when Pinterest asked this ad account's writes to wait (Retry-After, rate-limit reset): every write waits,
     * not only the call that was told, since the quota is the account's.
     */
    private final AtomicReference<Instant> writesPausedUntil = new AtomicReference<>(Instant.MIN);

    CallPolicy(RetrySettings settings, Clock clock, BooleanSupplier stopping) {
        this.settings = settings;
        this.clock = clock;
        this.stopping = stopping;
        this.writes = RateLimiter.of("pinterest-writes", RateLimiterConfig.custom()
                .limitForPeriod(1)
                .limitRefreshPeriod(Duration.ofNanos(60_000_000_000L / settings.writesPerMinute()))
                .timeoutDuration(Duration.ofDays(1))
                .build());
    }

    <T> T call(String call, boolean write, Supplier<T> attempt) {
        Instant deadline = clock.instant().plus(settings.budget());
        AtomicInteger attempts = new AtomicInteger();
        Retry retry = Retry.of(call, RetryConfig.custom()
                .maxAttempts(settings.maxAttempts())
                .retryOnException(failure -> worthRetrying(failure, deadline))
                .intervalBiFunction((Integer n, Either<Throwable, Object> outcome) -> delayMillis(n, outcome, deadline))
                .build());
        retry.getEventPublisher().onRetry(event -> LOG.warn("{}; try {} of {} in {} ms",
                event.getLastThrowable() == null ? call + " failed" : event.getLastThrowable().getMessage(),
                event.getNumberOfRetryAttempts() + 1, settings.maxAttempts(), event.getWaitInterval().toMillis()));
        Supplier<T> paced = () -> {
            attempts.incrementAndGet();
            if (write) {
                awaitPause(call, deadline);
                RateLimiter.waitForPermission(writes);
            }
            try {
                return attempt.get();
            } catch (PinterestApiException e) {
                if (write && e.retryAfter() != null) {
                    Instant until = clock.instant().plus(e.retryAfter());
                    writesPausedUntil.accumulateAndGet(until, (a, b) -> a.isAfter(b) ? a : b);
                }
                throw e;
            }
        };
        try {
            return Retry.decorateSupplier(retry, paced).get();
        } catch (PinterestApiException e) {
            e.attempts(attempts.get());
            throw e;
        }
    }

    /**
     * Waits out a pause Pinterest asked for on an earlier write; one that outlasts this call's retry budget fails it
     * at once (it goes to the dead letter and a later run sends it), without a call Pinterest would refuse.
     */
    private void awaitPause(String call, Instant deadline) {
        Instant until = writesPausedUntil.get();
        Instant now = clock.instant();
        if (!until.isAfter(now)) {
            return;
        }
        if (until.isAfter(deadline)) {
            throw new PinterestApiException(call, 429, null, "not sent: Pinterest asked this ad account's writes to wait until "
                    + until + " (Retry-After), past pinterest.retry-budget-seconds", null, Duration.between(now, until), null);
        }
        LOG.info("{} waits {} ms: Pinterest asked this ad account's writes to wait (Retry-After)", call,
                Duration.between(now, until).toMillis());
        while (clock.instant().isBefore(until) && !stopping.getAsBoolean()) {
            try {
                Thread.sleep(Math.max(1, Math.min(200, Duration.between(clock.instant(), until).toMillis())));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private boolean worthRetrying(Throwable failure, Instant deadline) {
        if (!(failure instanceof PinterestApiException api) || api instanceof PinterestAccessException || !api.retryable()
                || stopping.getAsBoolean()) {
            return false;
        }
        Instant now = clock.instant();
        Duration asked = api.retryAfter();
        return now.isBefore(deadline) && (asked == null || !now.plus(asked).isAfter(deadline));
    }

    /** Full jitter: a random wait up to base·2^(n−1) (capped), but never less than Pinterest asked for. */
    private long delayMillis(int attempt, Either<Throwable, Object> outcome, Instant deadline) {
        long cap = Math.min(settings.maxDelay().toMillis(),
                settings.baseDelay().toMillis() * (1L << Math.min(attempt - 1, 30)));
        long wait = ThreadLocalRandom.current().nextLong(cap + 1);
        if (outcome.isLeft() && outcome.getLeft() instanceof PinterestApiException api && api.retryAfter() != null) {
            wait = Math.max(wait, api.retryAfter().toMillis());
        }
        long remaining = Duration.between(clock.instant(), deadline).toMillis();
        return Math.max(0, Math.min(wait, remaining));
    }
}
