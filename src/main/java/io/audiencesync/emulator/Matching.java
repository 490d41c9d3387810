package io.audiencesync.emulator;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Which values the emulated Pinterest has an account for. Pinterest counts only matched values in an audience's
 * size and status, and never says which values matched; the emulator needs a rule that is deterministic (the same
 * value always matches or never does, across runs and restarts), reproducible by hand, and the same for every list
 * type, so that a test can know the size an audience will reach.
 *
 * <p>The rule, on the wire value exactly as sent, by its first byte: a value that is a lowercase hex digest (32, 40
 * or 64 hex digits: a hashed email or device id, most of what a sync sends) has no Pinterest account when the byte its
 * first two digits spell is below {@link #UNMATCHED_BELOW}; any other value (a plain email, an LR_ID...) when the
 * first byte of the SHA-256 of its UTF-8 bytes is. Either way 77 of 256 for random values, about 30 %. By hand: a
 * digest starting with {@code 00} to {@code 4c} is unmatched; for any other value
 * {@code printf '%s' VALUE | sha256sum} starting so. A digest's own byte, rather than its SHA-256, keeps the
 * emulator's cost per value small beside the sync's own in a benchmark of millions of values.
 */
public final class Matching {

    /** A value whose SHA-256's first byte (0-255) is below this is never matched: 77 / 256 = 30.1 %. */
    public static final int UNMATCHED_BELOW = 77;

    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    });

    private Matching() {
    }

    /** Whether the emulated Pinterest has an account for this wire value. */
    public static boolean matched(String wireValue) {
        byte[] utf8 = wireValue.getBytes(StandardCharsets.UTF_8);
        return matched(utf8, 0, utf8.length);
    }

    /** {@link #matched(String)} of the value whose UTF-8 bytes are {@code bytes[from, to)}. */
    static boolean matched(byte[] bytes, int from, int to) {
        int n = to - from;
        if ((n == 32 || n == 40 || n == 64) && AsciiWords.isLowerHex(bytes, from, n)) {
            return (Character.digit(bytes[from], 16) << 4 | Character.digit(bytes[from + 1], 16)) >= UNMATCHED_BELOW;
        }
        MessageDigest sha256 = SHA256.get();
        sha256.update(bytes, from, n);
        return (sha256.digest()[0] & 0xff) >= UNMATCHED_BELOW;
    }

    /**
     * {@code matched(values.get(i))}, reading a lowercase hex digest (one byte a character, ASCII) where it lies in
     * the records' bytes; any other value through its String, as the bytes hold '?' for a character beyond Latin-1.
     */
    static boolean matched(Records.Values values, int i) {
        int start = values.start(i);
        int n = values.end(i) - start;
        if ((n == 32 || n == 40 || n == 64) && AsciiWords.isLowerHex(values.latin1(), start, n)) {
            return matched(values.latin1(), start, start + n);
        }
        return matched(values.get(i));
    }
}
