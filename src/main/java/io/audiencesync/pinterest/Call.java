package io.audiencesync.pinterest;

/**
 * One call to the Pinterest API, as the {@code pinterest} route makes it.
 *
 * @param name       what is being done, for messages, e.g. {@code PATCH customer list 123 ADD}
 * @param method     the HTTP method
 * @param path       the path under the API URL, e.g. {@code ad_accounts/1/customer_lists}
 * @param query      the query string without {@code ?}, or null
 * @param body       the request object (written as JSON), or null
 * @param answerType what a 2xx answer is read as, or null when it is not read
 */
public record Call(String name, String method, String path, String query, Object body, Class<?> answerType) {

    /** Writes are paced and share the ad account's pause; reads are not. */
    public boolean write() {
        return !"GET".equals(method);
    }
}
