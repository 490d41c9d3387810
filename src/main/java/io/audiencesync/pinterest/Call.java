package io.audiencesync.pinterest;

import java.net.URI;
import java.util.regex.Pattern;

/**
 * One call to Pinterest, as the {@code pinterest} route makes it.
 *
 * @param name        what is being done, for messages, e.g. {@code PATCH customer list 123 ADD}
 * @param method      the HTTP method
 * @param path        the path under the API URL, e.g. {@code ad_accounts/1/customer_lists} (null with {@code url})
 * @param query       the query string without {@code ?}, or null
 * @param body        the request object (written as JSON), a form (a String, for the token endpoint), or null
 * @param answerType  what a 2xx answer is read as, or null to leave it as bytes
 * @param url         the whole URL, for the token endpoint (which has a setting of its own); null for API calls
 * @param credentials the {@code Authorization} value of a call made with the app's credentials (the token endpoint);
 *                    null for API calls, which carry the access token
 */
public record Call(String name, String method, String path, String query, Object body, Class<?> answerType, URI url,
                   String credentials) {

    /** A call of the API, with the access token. */
    public Call(String name, String method, String path, String query, Object body, Class<?> answerType) {
        this(name, method, path, query, body, answerType, null, null);
    }

    /** Writes are paced and share the ad account's pause; reads are not. */
    public boolean write() {
        return !"GET".equals(method) && credentials == null;
    }

    /** The path of one customer list or audience of an ad account, by its id. */
    private static final Pattern ONE_LIST_OR_AUDIENCE = Pattern.compile("ad_accounts/[^/]+/(customer_lists|audiences)/[^/]+");

    /**
     * Whether the call addresses one customer list or audience by its id ({@code …/customer_lists/123}), not the ad
     * account or its collections: only then does a 404 mean that list or audience is gone.
     */
    public boolean addressesOneListOrAudience() {
        return path != null && ONE_LIST_OR_AUDIENCE.matcher(path).matches();
    }

    /** A token endpoint call: a form, the app's credentials, never retried (a refresh token may be used up). */
    public boolean tokenEndpoint() {
        return credentials != null;
    }

    /** Only the name: the body holds values or tokens, the credentials a secret. */
    @Override
    public String toString() {
        return "Call[" + name + "]";
    }
}
