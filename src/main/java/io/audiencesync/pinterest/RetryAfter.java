package io.audiencesync.pinterest;

import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Reads how long Pinterest asks a client to wait. {@code Retry-After} is seconds or an HTTP date; the
 * rate-limit reset headers clients in the wild read are not in Pinterest's OpenAPI description (unconfirmed), so a value
 * that looks like a Unix time is taken as the moment of the reset, anything smaller as seconds to wait.
 */
public final class RetryAfter {

    private static final List<String> RESET_HEADERS = List.of("x-userendpoint-ratelimit-reset", "x-ratelimit-reset");
    private static final long UNIX_TIME_FLOOR = 1_000_000_000L;

    private RetryAfter() {
    }

    /** @param header an answer's header by its (case-insensitive) name, or null */
    public static Duration from(Function<String, String> header, Instant now) {
        Optional<String> retryAfter = Optional.ofNullable(header.apply("retry-after"));
        if (retryAfter.isPresent()) {
            Duration d = parse(retryAfter.get().strip(), now, true);
            if (d != null) {
                return d;
            }
        }
        for (String name : RESET_HEADERS) {
            Optional<String> value = Optional.ofNullable(header.apply(name));
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
