package io.audiencesync.emulator;

/** An error answer in Pinterest's shape: HTTP status plus body {@code {"code", "message"}}. */
final class ApiException extends RuntimeException {

    private final int status;
    private final int code;
    private final String allow;
    private final java.time.Duration retryAfter;

    private ApiException(int status, int code, String message, String allow) {
        this(status, code, message, allow, null);
    }

    private ApiException(int status, int code, String message, String allow, java.time.Duration retryAfter) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
        this.allow = allow;
        this.retryAfter = retryAfter;
    }

    /** An answer a test asked for through {@link Faults}. */
    static ApiException injected(Faults.Answer answer) {
        return new ApiException(answer.status(), answer.code(), answer.message(), null, answer.retryAfter());
    }

    static ApiException invalid(String detail) {
        return new ApiException(400, 1, "Invalid parameters: " + detail, null);
    }

    static ApiException unauthenticated() {
        return new ApiException(401, 2, "Authentication failed.", null);
    }

    /** Pinterest's code 283 (invalid refresh token), also used here for codes that are unknown, used or expired. */
    static ApiException invalidGrant(String message) {
        return new ApiException(400, 283, message, null);
    }

    /** Pinterest answers a token without the scope a call needs with 401 code 3. */
    static ApiException insufficientScope(String scope) {
        return new ApiException(401, 3, "Insufficient scope: this call needs " + scope + ".", null);
    }

    static ApiException forbidden() {
        return new ApiException(403, 29, "You are not permitted to access that resource.", null);
    }

    /** Pinterest documents no code for a missing customer list; 2001 is this emulator's convention. */
    static ApiException listNotFound() {
        return new ApiException(404, 2001, "Customer list not found.", null);
    }

    /** Emulator convention like {@link #listNotFound()}. */
    static ApiException audienceNotFound() {
        return new ApiException(404, 2002, "Audience not found.", null);
    }

    /** Route errors carry the HTTP status as code: Pinterest documents none for them. */
    static ApiException noRoute() {
        return new ApiException(404, 404, "Not found: no such endpoint.", null);
    }

    static ApiException methodNotAllowed(String allow) {
        return new ApiException(405, 405, "Method not allowed. Allowed: " + allow + ".", allow);
    }

    static ApiException concurrentWrite() {
        return new ApiException(429, 8,
                "Multiple write operations to an object within a short time window. Retry later.", null);
    }

    int status() {
        return status;
    }

    int code() {
        return code;
    }

    /** Value for the Retry-After header, else null. */
    java.time.Duration retryAfter() {
        return retryAfter;
    }

    /** Value for the Allow header on 405 answers, else null. */
    String allow() {
        return allow;
    }
}
