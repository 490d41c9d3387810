package io.audiencesync.emulator;

import java.time.Instant;

/**
 * One request the emulator answered. Bodies are deliberately not kept: they hold personal data.
 *
 * @param path raw path including the query string, if any
 * @param requestId the x-pinterest-rid the answer carried
 * @param at when the request arrived
 */
public record RecordedCall(String method, String path, int status, String requestId, Instant at) {
}
