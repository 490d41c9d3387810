package io.audiencesync.pinterest;

/**
 * The token endpoint refused a grant (HTTP 400 or 401, e.g. code 283: invalid refresh token): the refresh token or
 * authorization code is invalid, expired, used or revoked, or the app credentials are wrong. No retry can fix it,
 * so a run stops with exit code 2 and the advice is to run {@code auth} again.
 */
public class InvalidGrantException extends PinterestAccessException {

    public InvalidGrantException(String call, int status, Integer code, String pinterestMessage, String requestId) {
        super(call, status, code, pinterestMessage, requestId);
    }

    @Override
    public String advice() {
        if (status() == 401) {
            return "Pinterest did not accept the app credentials: check pinterest.client-id and pinterest.client-secret,"
                    + " then run 'pinterest-audience-sync auth' again";
        }
        return "the refresh token or authorization code is invalid, expired or revoked: run 'pinterest-audience-sync auth' again";
    }
}
