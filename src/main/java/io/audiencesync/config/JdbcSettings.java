package io.audiencesync.config;

import io.audiencesync.observe.Secrets;

import java.time.Duration;
import java.util.regex.Pattern;

/**
 * The SQL source ({@code source.jdbc.*}): where the model's query runs and when. {@link #toString()} and
 * {@link #safeUrl()} never show the password, nor credentials written into the URL.
 *
 * @param user       null when the URL or the driver supplies it
 * @param password   null when none is needed (trust authentication, a password in a driver-specific file)
 * @param countQuery the query counting the rows {@code query} returns ({@code source.jdbc.count-query}), run first in
 *                   the same transaction; null for none
 */
public record JdbcSettings(
        String url,
        String user,
        String password,
        String query,
        String countQuery,
        String cron,
        int fetchSize,
        Duration connectTimeout) {

    public JdbcSettings {
        Secrets.register(password);
        Secrets.register(JdbcSettings.urlSecret(url));
    }

    /** A password written into the URL ({@code //user:password@} or {@code password=...}), for masking; null if none. */
    static String urlSecret(String url) {
        java.util.regex.Matcher m = URL_PASSWORD.matcher(url);
        return m.find() ? (m.group(1) != null ? m.group(1) : m.group(2)) : null;
    }

    /** Parameters such as {@code ?password=...} or {@code ;PWD=...}, then {@code //user:password@} or Oracle's {@code thin:user/password@}. */
    private static final Pattern URL_PARAMETERS = Pattern.compile("[?;].*$");
    private static final Pattern URL_CREDENTIALS = Pattern.compile("//[^/@]*@");
    /** The password of {@code //user:password@} or of a {@code password=} parameter. */
    private static final Pattern URL_PASSWORD = Pattern.compile("(?i)(?://[^/:@]+:([^/@]+)@|password=([^&;]+))");
    private static final Pattern ORACLE_CREDENTIALS = Pattern.compile("^(jdbc:oracle:\\w+:)[^@]*@");

    /** The URL without credentials or parameters, for logs and reports: {@code jdbc:postgresql://db:5432/crm}. */
    public String safeUrl() {
        return withoutCredentials(url);
    }

    public static String withoutCredentials(String url) {
        String withoutParameters = URL_PARAMETERS.matcher(url).replaceFirst("");
        String withoutUser = URL_CREDENTIALS.matcher(withoutParameters).replaceFirst("//");
        return ORACLE_CREDENTIALS.matcher(withoutUser).replaceFirst("$1@");
    }

    @Override
    public String toString() {
        return "JdbcSettings[url=" + safeUrl() + ", user=" + user + ", password=" + (password == null ? "(none)" : "***")
                + ", countQuery=" + (countQuery == null ? "(none)" : "set") + ", cron=" + cron + ", fetchSize=" + fetchSize + ", connectTimeout=" + connectTimeout + "]";
    }
}
