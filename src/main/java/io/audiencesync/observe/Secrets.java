package io.audiencesync.observe;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Masks passwords and tokens in any text that leaves the process (log lines, whichever library wrote them; error
 * messages in reports; dead letters): every secret value the settings or the token file hold, and what looks like
 * one in every form a user can write it — URL user-info, {@code password=}/{@code secret=}/{@code token=} pairs in
 * any case, {@code Authorization} values, bearer tokens, Pinterest's {@code pina_}/{@code pinr_} tokens, and JSON
 * fields named for a secret.
 */
public final class Secrets {

    static final String MASK = "***";
    /** Shorter values would mask ordinary words; settings that short are no real secret anyway. */
    private static final int MIN_LENGTH = 6;
    private static final Set<String> KNOWN = ConcurrentHashMap.newKeySet();

    private static final Pattern USER_INFO = Pattern.compile("(?<=://)([^/\\s:@\"'<>]+):[^/\\s@\"'<>]+@");
    /** user:password@host without a scheme, as a JDBC driver echoes a host it could not reach. */
    private static final Pattern BARE_USER_INFO = Pattern.compile("(?<![\\w/:.])([\\w.%+-]+):([^\\s/@:\"'<>]+)@(?=[\\w.-])");
    /** A key ending in a secret's name, then {@code =} (spaces allowed) or {@code :} right before the value. */
    private static final Pattern KEY_VALUE = Pattern.compile(
            "(?i)((?:[\\w.-]*(?:password|passwd|pwd|secret|token))[\"']?(?:\\s*=\\s*|:)[\"']?)"
                    + "(?!\\*\\*\\*)([^\\s&;,\"'<>)\\]}]+)");
    /**
     * A secret-named key, then its value after {@code ->} or {@code with value:}: how Camel's property resolution
     * prints what it resolved, at DEBUG and TRACE, before the settings are read.
     */
    private static final Pattern RESOLVED = Pattern.compile(
            "(?i)([\\w.-]*(?:password|passwd|pwd|secret|token)\\b[^\\r\\n]*?(?:->|with value:)\\s*)(?!\\*\\*\\*)([^\\s]+)");
    private static final Pattern AUTHORIZATION = Pattern.compile("(?i)\\b(bearer|basic)\\s+[A-Za-z0-9._~+/=-]{6,}");
    private static final Pattern PINTEREST_TOKEN = Pattern.compile("\\bpin[ar]_[A-Za-z0-9._~+/=-]+");

    private static final Pattern USER_INFO_OF_URL = Pattern.compile("(?<=//)[^/@]*@");

    private Secrets() {
    }

    /** {@code url} without the user-info it may carry ({@code https://user:secret@host/} → {@code https://host/}). */
    public static String withoutUserInfo(String url) {
        return USER_INFO_OF_URL.matcher(url).replaceAll("");
    }

    /** A secret value to mask wherever it appears (a setting, a token read or refreshed). */
    public static void register(String secret) {
        if (secret != null && secret.strip().length() >= MIN_LENGTH) {
            KNOWN.add(secret.strip());
        }
    }

    public static String mask(String text) {
        if (text == null || text.isEmpty()) {
            return text;
        }
        String out = text;
        for (String secret : KNOWN) {
            if (out.contains(secret)) {
                out = out.replace(secret, MASK);
            }
        }
        out = USER_INFO.matcher(out).replaceAll("$1:" + Matcher.quoteReplacement(MASK) + "@");
        out = BARE_USER_INFO.matcher(out).replaceAll(m -> m.group(2).equals(MASK) ? Matcher.quoteReplacement(m.group())
                : Matcher.quoteReplacement(m.group(1) + ":" + MASK + "@"));
        out = AUTHORIZATION.matcher(out).replaceAll("$1 " + Matcher.quoteReplacement(MASK));
        out = PINTEREST_TOKEN.matcher(out).replaceAll(Matcher.quoteReplacement(MASK));
        out = RESOLVED.matcher(out).replaceAll(m -> Matcher.quoteReplacement(m.group(1) + MASK));
        out = KEY_VALUE.matcher(out).replaceAll(m -> Matcher.quoteReplacement(m.group(1) + maskedValue(m.group(2))));
        return out;
    }

    /** Key-value pairs whose value is a path or a switch (token-file, token-url) keep it: only secrets go. */
    private static String maskedValue(String value) {
        if (value.startsWith("/") || value.startsWith("./") || value.startsWith("{{") || value.startsWith("http")
                || value.equalsIgnoreCase("true") || value.equalsIgnoreCase("false") || value.equals(MASK)) {
            return value;
        }
        return MASK;
    }
}
