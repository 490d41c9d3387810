package io.audiencesync.pinterest;

import java.time.Duration;

/**
 * Pinterest refused a call or could not be reached. Carries what a person needs to follow it up
 * (HTTP status, Pinterest's code and message, the {@code x-pinterest-rid} request id) and never a token
 * or a record value.
 */
public class PinterestApiException extends RuntimeException {

    private final String call;
    private final int status;
    private final Integer code;
    private final String pinterestMessage;
    private final String requestId;
    private final Duration retryAfter;
    private volatile int attempts = 1;

    public PinterestApiException(String call, int status, Integer code, String pinterestMessage, String requestId,
                                 Throwable cause) {
        this(call, status, code, pinterestMessage, requestId, null, cause);
    }

    public PinterestApiException(String call, int status, Integer code, String pinterestMessage, String requestId,
                                 Duration retryAfter, Throwable cause) {
        super(describe(call, status, code, pinterestMessage, requestId), cause);
        this.call = call;
        this.status = status;
        this.code = code;
        this.pinterestMessage = pinterestMessage;
        this.requestId = requestId;
        this.retryAfter = retryAfter;
    }

    private static String describe(String call, int status, Integer code, String message, String requestId) {
        StringBuilder out = new StringBuilder(call).append(": ");
        if (status == 0) {
            out.append(message);
        } else {
            out.append("Pinterest answered HTTP ").append(status);
            if (code != null) {
                out.append(" code ").append(code);
            }
            if (message != null && !message.isBlank()) {
                out.append(": ").append(message);
            }
        }
        if (requestId != null) {
            out.append(" (request id ").append(requestId).append(')');
        }
        return out.toString();
    }

    /** What was being done, e.g. {@code PATCH customer list 123 ADD}. */
    public String call() {
        return call;
    }

    /** The HTTP status, or 0 when no answer came (connection refused, timeout). */
    public int status() {
        return status;
    }

    public Integer code() {
        return code;
    }

    public String pinterestMessage() {
        return pinterestMessage;
    }

    public String requestId() {
        return requestId;
    }

    /** How long Pinterest asked to wait ({@code Retry-After} or a rate-limit reset header), or null. */
    public Duration retryAfter() {
        return retryAfter;
    }

    /** How many times the call was tried before this failure was given up on. */
    public int attempts() {
        return attempts;
    }

    /** Set by whoever tried the call, once it gave up. */
    public void attempts(int attempts) {
        this.attempts = attempts;
    }

    /** 429, 5xx and no answer at all (timeouts, refused or dropped connections) may succeed when tried again. */
    public boolean retryable() {
        return status == 0 || status == 429 || status >= 500;
    }
}
