package io.audiencesync.routes;

import io.audiencesync.config.RetrySettings;
import io.audiencesync.observe.Secrets;
import io.audiencesync.pinterest.Call;
import io.audiencesync.pinterest.ErrorBody;
import io.audiencesync.pinterest.InvalidGrantException;
import io.audiencesync.pinterest.PinterestAccessException;
import io.audiencesync.pinterest.PinterestApiException;
import io.audiencesync.pinterest.RetryAfter;
import io.audiencesync.pinterest.TokenProvider;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.jackson.JacksonConstants;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.function.IntConsumer;

/**
 * The steps of the {@code pinterest} and {@code pinterest-http} routes that need code: the request's headers
 * (a fresh token on every try), reading Pinterest's answer into the answer or a {@link PinterestApiException},
 * the ad account's pause after a Retry-After, and the decision to try a failed call again.
 */
public final class PinterestCalls {

    /** The exchange property that holds the {@link Call}. */
    public static final String CALL = "pinterestCall";
    /** Pinterest's id of the last answer ({@code x-pinterest-rid}), for a failure found after its headers are gone. */
    static final String REQUEST_ID = "pinterestRequestId";
    private static final String ATTEMPTS = "pinterestAttempts";
    private static final String DEADLINE = "pinterestDeadline";
    private static final String TOKEN = "pinterestToken";
    private static final String REFRESH = "pinterestRefresh";
    private static final String REFRESH_USED = "pinterestRefreshUsed";
    private static final Logger LOG = LoggerFactory.getLogger(PinterestCalls.class);

    private final TokenProvider tokens;
    private final RetrySettings settings;
    private final IntConsumer onStatus;
    private final BooleanSupplier stopping;
    private final Clock clock;
    /**
     * Until when Pinterest asked this ad account's writes to wait (Retry-After, rate-limit reset): every write waits,
     * not only the call that was told, since the quota is the account's.
     */
    private final AtomicReference<Instant> writesPausedUntil = new AtomicReference<>(Instant.MIN);

    public PinterestCalls(TokenProvider tokens, RetrySettings settings, IntConsumer onStatus, BooleanSupplier stopping,
                          Clock clock) {
        this.tokens = tokens;
        this.settings = settings;
        this.onStatus = onStatus;
        this.stopping = stopping;
        this.clock = clock;
    }

    /** The spacing of writes for {@code pinterest.write-rate-per-minute} (the route's throttle period). */
    public static long writeIntervalMillis(RetrySettings settings) {
        return Math.max(1, 60_000L / settings.writesPerMinute());
    }

    /** A new call: its request object as the body, and no try of it yet (one exchange may make several calls). */
    public void begin(Exchange exchange) {
        for (String property : new String[] {ATTEMPTS, DEADLINE, TOKEN, REFRESH, REFRESH_USED}) {
            exchange.removeProperty(property);
        }
        exchange.getMessage().setBody(call(exchange).body());
    }

    public boolean isWrite(Exchange exchange) {
        return call(exchange).write();
    }

    /** A request object to write as JSON (a token endpoint form is sent as it is). */
    public boolean hasJsonBody(Exchange exchange) {
        Call call = call(exchange);
        return call.body() != null && !call.tokenEndpoint();
    }

    /**
     * Waits out a pause Pinterest asked for on an earlier write; one that outlasts this call's retry budget fails it
     * at once (it goes to the dead letter and a later run sends it), without a call Pinterest would refuse.
     */
    public void awaitPause(Exchange exchange) {
        Call call = call(exchange);
        Instant until = writesPausedUntil.get();
        Instant now = clock.instant();
        if (!until.isAfter(now)) {
            return;
        }
        if (until.isAfter(deadline(exchange))) {
            countAttempt(exchange);
            throw new PinterestApiException(call.name(), 429, null, "not sent: Pinterest asked this ad account's writes to"
                    + " wait until " + until + " (Retry-After), past pinterest.retry-budget-seconds", null,
                    Duration.between(now, until), null);
        }
        LOG.info("{} waits {} ms: Pinterest asked this ad account's writes to wait (Retry-After)", call.name(),
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

    /** The request of one try: method, path, query, and only the headers Pinterest needs. */
    public void request(Exchange exchange) {
        Call call = call(exchange);
        countAttempt(exchange);
        Message in = exchange.getMessage();
        in.setHeader("Accept", "application/json");
        in.setHeader("User-Agent", PinterestRoute.USER_AGENT);
        in.setHeader(Exchange.HTTP_METHOD, call.method());
        if (call.tokenEndpoint()) {
            in.setHeader("Authorization", call.credentials());
            in.setHeader(Exchange.CONTENT_TYPE, "application/x-www-form-urlencoded");
            in.setHeader(Exchange.HTTP_URI, call.url().toString());
            return;
        }
        String token = tokens.accessToken();
        exchange.setProperty(TOKEN, token);
        in.setHeader("Authorization", "Bearer " + token);
        if (call.body() != null) {
            in.setHeader(Exchange.CONTENT_TYPE, "application/json");
        }
        in.setHeader(Exchange.HTTP_PATH, call.path());
        if (call.query() != null) {
            in.setHeader(Exchange.HTTP_QUERY, call.query());
        }
    }

    /** The call got no answer (refused or dropped connection, timeout). */
    public void noAnswer(Exchange exchange) {
        Exception failure = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        onStatus.accept(0);
        Call call = call(exchange);
        String url = call.tokenEndpoint() ? call.url().toString() : exchange.getContext().getPropertiesComponent()
                .resolveProperty("pinterest.api-url").orElse("pinterest.api-url") + "/" + call.path();
        String what = "no answer from " + Secrets.withoutUserInfo(url) + " (" + (failure == null ? "none"
                : failure.getClass().getSimpleName() + (failure.getMessage() == null ? "" : ": " + failure.getMessage()))
                + "); check " + (call.tokenEndpoint() ? "pinterest.token-url" : "pinterest.api-url")
                + " and that this host can reach it (DNS, proxy, firewall)";
        throw new PinterestApiException(call.name(), 0, null, what, null, failure);
    }

    /**
     * A 2xx answer becomes the body for the route to read as the call's answer type; any other answer becomes a
     * {@link PinterestApiException} (a {@link PinterestAccessException} for 401/403/404). A 401 refreshes the token,
     * once, for {@link #retry} to try again with it.
     */
    public void answer(Exchange exchange) {
        Call call = call(exchange);
        Message in = exchange.getMessage();
        int status = in.getHeader(Exchange.HTTP_RESPONSE_CODE, 0, Integer.class);
        onStatus.accept(status);
        String requestId = in.getHeader("x-pinterest-rid", String.class);
        exchange.setProperty(REQUEST_ID, requestId);
        if (status / 100 == 2) {
            // camel-http hands a stream: read it once, for the unmarshal step or a caller that reads bytes.
            byte[] answer = in.getBody(byte[].class);
            in.removeHeaders("*");
            in.setHeader(Exchange.HTTP_RESPONSE_CODE, status);
            in.setBody(answer);
            if (call.answerType() != null) {
                in.setHeader(JacksonConstants.UNMARSHAL_TYPE, call.answerType().getName());
            }
            return;
        }
        ErrorBody error = ErrorBody.parse(in.getBody(byte[].class));
        if (call.tokenEndpoint()) {
            if (status == 400 || status == 401 || error.code() != null && error.code() == 283) {
                throw new InvalidGrantException(call.name(), status, error.code(), error.message(), requestId);
            }
            throw new PinterestApiException(call.name(), status, error.code(), error.message(), requestId, null);
        }
        if (status == 401 && !exchange.getProperty(REFRESH, false, Boolean.class)) {
            Optional<String> refreshed = tokens.refreshAfterUnauthorized(exchange.getProperty(TOKEN, String.class));
            if (refreshed.isPresent()) {
                exchange.setProperty(REFRESH, true);
                throw new PinterestAccessException(call, status, error.code(), error.message(), requestId, null);
            }
            throw new PinterestAccessException(call, status, error.code(), error.message(), requestId,
                    tokens.expiry().source());
        }
        if (status == 401 || status == 403 || status == 404) {
            throw new PinterestAccessException(call, status, error.code(), error.message(), requestId, null);
        }
        Instant now = clock.instant();
        Duration retryAfter = RetryAfter.from(name -> in.getHeader(name, String.class), now);
        if (call.write() && retryAfter != null) {
            Instant until = now.plus(retryAfter);
            writesPausedUntil.accumulateAndGet(until, (a, b) -> a.isAfter(b) ? a : b);
        }
        throw new PinterestApiException(call.name(), status, error.code(), error.message(), requestId, retryAfter, null);
    }

    /** A 2xx answer the unmarshal step could not read: named by the reader's error class only, with the request id. */
    public void unreadable(Exchange exchange) {
        Exception failure = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        throw new PinterestApiException(call(exchange).name(), exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE,
                200, Integer.class), null, "unreadable answer (" + (failure == null ? "?" : failure.getClass().getSimpleName())
                + ")", exchange.getProperty(REQUEST_ID, String.class), null);
    }

    /**
     * Whether the failed call is tried again (the route's {@code retryWhile}): 429, 5xx and no answer, within
     * {@code pinterest.max-attempts} and the budget, not while stopping; a 401 once after the token was refreshed.
     * Where Pinterest said how long to wait, the redelivery waits at least that ({@code CamelRedeliveryDelay});
     * otherwise Camel's backoff decides. A failure given up on carries the number of tries.
     */
    public boolean retry(Exchange exchange) {
        Exception caught = exchange.getException() != null ? exchange.getException()
                : exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class);
        if (!(caught instanceof PinterestApiException failure)) {
            return false;
        }
        int attempts = exchange.getProperty(ATTEMPTS, 1, Integer.class);
        failure.attempts(attempts);
        if (call(exchange).tokenEndpoint()) {
            return false;
        }
        Message in = exchange.getMessage();
        in.removeHeader(Exchange.REDELIVERY_DELAY);
        if (failure.status() == 401 && exchange.getProperty(REFRESH, false, Boolean.class)
                && !exchange.getProperty(REFRESH_USED, false, Boolean.class)) {
            // The try with the refreshed token is part of the same attempt.
            exchange.setProperty(REFRESH_USED, true);
            exchange.setProperty(ATTEMPTS, attempts - 1);
            in.setHeader(Exchange.REDELIVERY_DELAY, 0L);
            LOG.info("{}: Pinterest answered 401; retrying once with a refreshed access token", call(exchange).name());
            return true;
        }
        if (failure instanceof PinterestAccessException || !failure.retryable() || stopping.getAsBoolean()
                || attempts >= settings.maxAttempts()) {
            return false;
        }
        Instant now = clock.instant();
        Instant deadline = deadline(exchange);
        Duration asked = failure.retryAfter();
        if (!now.isBefore(deadline) || (asked != null && now.plus(asked).isAfter(deadline))) {
            return false;
        }
        if (asked != null) {
            in.setHeader(Exchange.REDELIVERY_DELAY, asked.toMillis());
        }
        LOG.warn("{}; trying again (try {} of {}{})", failure.getMessage(), attempts + 1, settings.maxAttempts(),
                asked == null ? "" : ", after the " + asked.toMillis() + " ms Pinterest asked for");
        return true;
    }

    private void countAttempt(Exchange exchange) {
        exchange.setProperty(ATTEMPTS, exchange.getProperty(ATTEMPTS, 0, Integer.class) + 1);
    }

    private Instant deadline(Exchange exchange) {
        Instant deadline = exchange.getProperty(DEADLINE, Instant.class);
        if (deadline == null) {
            deadline = clock.instant().plus(settings.budget());
            exchange.setProperty(DEADLINE, deadline);
        }
        return deadline;
    }

    private static Call call(Exchange exchange) {
        return exchange.getProperty(CALL, Call.class);
    }
}
