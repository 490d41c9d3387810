package io.audiencesync.pinterest;

import java.net.http.HttpHeaders;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;

/**
 * Reads how long Pinterest asks a client to wait. {@code Retry-After} is seconds or an HTTP date; the
 * rate-limit reset headers clients in the wild read are not specified (API-NOTES: UNCONFIRMED), so a value
 * that looks like a Unix time is taken as the moment of the reset, anything smaller as seconds to wait.
 */
final class RetryAfter {

    private static final List<String> RESET_HEADERS = List.of("x-userendpoint-ratelimit-reset", "x-ratelimit-reset");
    private static final long UNIX_TIME_FLOOR = 1_000_000_000L;

    private RetryAfter() {
    }

    static Duration from(HttpHeaders headers, Instant now) {
        Optional<String> retryAfter = headers.firstValue("retry-after");
        if (retryAfter.isPresent()) {
            Duration d = parse(retryAfter.get().strip(), now, true);
            if (d != null) {
                return d;
            }
        }
        for (String header : RESET_HEADERS) {
            Optional<String> value = headers.firstValue(header);
            if (value.isPresent()) {
                Duration d = parse(value.get().strip(), now, false);
                if (d != null) {
                    return d;
                }
            }
        }
        return null;
    }

    private static Duration parse(String value, Instant now, boolean httpDateAllowed) {
        try {
            long n = (long) Double.parseDouble(value);
            Duration d = n >= UNIX_TIME_FLOOR ? Duration.between(now, Instant.ofEpochSecond(n)) : Duration.ofSeconds(n);
            return d.isNegative() ? Duration.ZERO : d;
        } catch (NumberFormatException e) {
            if (!httpDateAllowed) {
                return null;
            }
            try {
                Duration d = Duration.between(now, ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
                return d.isNegative() ? Duration.ZERO : d;
            } catch (DateTimeParseException ignored) {
                return null;
            }
        }
    }
}
