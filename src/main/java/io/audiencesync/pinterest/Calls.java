package io.audiencesync.pinterest;

/** Makes calls to Pinterest: the {@code pinterest} route, with its retries, pacing and token refresh. */
public interface Calls extends AutoCloseable {

    /**
     * @return the answer, read as the call's answer type (null when it has none)
     * @throws PinterestApiException when Pinterest refused the call or could not be reached, after the retries
     */
    Object call(Call call);

    /** Stops what makes the calls, where this owns it (a route started for one command). */
    @Override
    default void close() {
    }
}
