package io.audiencesync.pinterest.emulator;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
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
     * empty ones included, so they match the position in the list the client joined.
     */
    static List<String> parse(String records, ListType type, int maxPerRequest) {
        String[] tokens = records.split(",", -1);
        int count = 0;
        for (String token : tokens) {
            if (!token.isEmpty()) {
                count++;
            }
        }
        if (count == 0) {
            throw ApiException.invalid("records contains no values");
        }
        if (count > maxPerRequest) {
            throw ApiException.invalid("records contains " + count + " values, more than the "
                    + maxPerRequest + " allowed per request");
        }
        List<String> values = new ArrayList<>(count);
        for (int i = 0; i < tokens.length; i++) {
            String token = tokens[i];
            if (token.isEmpty()) {
                continue;
            }
            String problem = problem(token, type);
            if (problem != null) {
                throw ApiException.invalid("records[" + i + "] " + problem);
            }
            values.add(token);
        }
        return values;
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

    private static boolean isEmail(String value) {
        int at = value.indexOf('@');
        if (at <= 0 || value.indexOf('@', at + 1) >= 0) {
            return false;
        }
        String domain = value.substring(at + 1);
        return domain.indexOf('.') > 0 && !domain.endsWith(".");
    }
}
