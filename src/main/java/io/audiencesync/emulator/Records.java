package io.audiencesync.emulator;

import java.nio.charset.StandardCharsets;
import java.util.AbstractList;
import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;
import java.util.RandomAccess;
import java.util.regex.Pattern;

/**
 * Splits and checks a {@code records} string. Stricter than Pinterest on purpose: Pinterest silently
 * drops what it cannot match, so a client bug (unhashed MAIDs, uppercase emails, stray spaces) would
 * otherwise only show up days later as a small audience. Messages name the index and the reason and
 * never the value, because values are personal data and error messages end up in logs.
 */
final class Records {

    private static final Pattern DIGEST = Pattern.compile("[0-9a-f]{32}|[0-9a-f]{40}|[0-9a-f]{64}");
    private static final Pattern HEX = Pattern.compile("[0-9a-f]{16,}");
    private static final Pattern UUID = Pattern.compile(
            "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

    private Records() {
    }

    /**
     * Returns the non-empty values in order. Indexes in messages count every comma-separated token,
     * empty ones included, so they match the position in the list the client joined. The string is scanned
     * once; the common value, a lowercase hex digest, is checked in the string's bytes, eight at a time, and gets
     * no String of its own.
     */
    static Values parse(String records, ListType type, int maxPerRequest) {
        // One byte a character, so indexes agree. A character beyond Latin-1 becomes '?', never a hex digit: the
        // bytes can show that a value is a digest, never that it is anything else.
        byte[] latin1 = records.getBytes(StandardCharsets.ISO_8859_1);
        int n = records.length();
        // Start and end of each value; a string of n characters holds at most n / 2 + 1 values.
        int[] bounds = new int[2 * Math.min(n / 2 + 1, 1024)];
        int count = 0;
        int problemIndex = -1;
        String problem = null;
        for (int start = 0, index = 0; ; index++) {
            int comma = records.indexOf(',', start);
            int end = comma < 0 ? n : comma;
            if (end > start) {
                if (2 * count == bounds.length) {
                    bounds = Arrays.copyOf(bounds, 2 * bounds.length);
                }
                bounds[2 * count] = start;
                bounds[2 * count + 1] = end;
                count++;
                // Only the first problem is reported, and only once the count is known to be acceptable.
                if (problem == null && !(type.emailOrDigest && isLowercaseDigest(latin1, start, end))) {
                    String reason = problem(records.substring(start, end), type);
                    if (reason != null) {
                        problem = reason;
                        problemIndex = index;
                    }
                }
            }
            if (comma < 0) {
                break;
            }
            start = comma + 1;
        }
        if (count == 0) {
            throw ApiException.invalid("records contains no values");
        }
        if (count > maxPerRequest) {
            throw ApiException.invalid("records contains " + count + " values, more than the "
                    + maxPerRequest + " allowed per request");
        }
        if (problem != null) {
            throw ApiException.invalid("records[" + problemIndex + "] " + problem);
        }
        return new Values(records, latin1, bounds, count);
    }

    /** The reason a single non-empty value is refused, or null when it is acceptable. */
    static String problem(String value, ListType type) {
        if (type.emailOrDigest && isLowercaseDigest(value)) {
            // The common case, and what the checks below would conclude; millions of values a run pass here.
            return null;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (Character.isWhitespace(c) || Character.isSpaceChar(c)) {
                return "contains whitespace";
            }
            if (c == '"' || c == '\'') {
                return "contains a quote";
            }
            if (Character.isISOControl(c)) {
                return "contains a control character";
            }
        }
        if (!type.emailOrDigest) {
            return null;
        }
        // Checked before case so an uppercase raw device id gets the more useful reason.
        if (UUID.matcher(value).matches()) {
            return "MAIDs and IDFAs must be hashed";
        }
        if (!value.equals(value.toLowerCase(Locale.ROOT))) {
            return "must be lowercase";
        }
        if (DIGEST.matcher(value).matches()) {
            return null;
        }
        // Long hex without '@' is almost surely a truncated or padded digest.
        if (HEX.matcher(value).matches()) {
            return "is a hex string of length " + value.length()
                    + "; MD5, SHA-1 and SHA-256 digests have 32, 40 or 64 characters";
        }
        return isEmail(value) ? null : "is neither an email nor an MD5, SHA-1 or SHA-256 hex digest";
    }

    private static boolean isLowercaseDigest(String value) {
        int n = value.length();
        if (n != 32 && n != 40 && n != 64) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            char c = value.charAt(i);
            if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
                return false;
            }
        }
        return true;
    }

    /** Whether {@code latin1[from, to)} is an MD5, SHA-1 or SHA-256 digest in lowercase hex. */
    private static boolean isLowercaseDigest(byte[] latin1, int from, int to) {
        int n = to - from;
        return (n == 32 || n == 40 || n == 64) && AsciiWords.isLowerHex(latin1, from, n);
    }

    private static boolean isEmail(String value) {
        int at = value.indexOf('@');
        if (at <= 0 || value.indexOf('@', at + 1) >= 0) {
            return false;
        }
        String domain = value.substring(at + 1);
        return domain.indexOf('.') > 0 && !domain.endsWith(".");
    }

    /**
     * The accepted values of one records string, in order: an unmodifiable list over the string that cuts a
     * value out (a new String) each time {@link #get} asks for it. {@link #latin1}, {@link #start} and
     * {@link #end} let a reader look at a value where it lies instead.
     */
    static final class Values extends AbstractList<String> implements RandomAccess {
        private final String text;
        private final byte[] latin1;
        /** Value {@code i} is {@code text[bounds[2i], bounds[2i + 1])}. */
        private final int[] bounds;
        private final int size;

        private Values(String text, byte[] latin1, int[] bounds, int size) {
            this.text = text;
            this.latin1 = latin1;
            this.bounds = bounds;
            this.size = size;
        }

        /** The records string in ISO-8859-1: one byte a character, '?' for a character beyond Latin-1. */
        byte[] latin1() {
            return latin1;
        }

        int start(int i) {
            Objects.checkIndex(i, size);
            return bounds[2 * i];
        }

        int end(int i) {
            Objects.checkIndex(i, size);
            return bounds[2 * i + 1];
        }

        @Override
        public String get(int i) {
            return text.substring(start(i), end(i));
        }

        @Override
        public int size() {
            return size;
        }
    }
}
