package io.audiencesync.pinterest;

/**
 * 401, 403 or 404: the token, the ad account or the customer list is wrong. Retrying cannot help, so the
 * run stops, commits nothing for the call, and the process exits with the configuration/authorization code.
 */
public class PinterestAccessException extends PinterestApiException {

    public PinterestAccessException(String call, int status, Integer code, String pinterestMessage, String requestId) {
        super(call, status, code, pinterestMessage, requestId, null);
    }

    /** A plain explanation of what to check, for the one-line message on stderr. */
    public String advice() {
        return switch (status()) {
            case 401 -> "check pinterest.access-token: Pinterest did not accept it (expired, revoked or lacking ads:read/ads:write)";
            case 403 -> "check pinterest.ad-account-id: the token has no access to that ad account, or the account is disapproved";
            default -> "the customer list or audience was not found in this ad account; it may have been deleted in Pinterest."
                    + " Remove its binding under state/syncs in sync.data-dir to create a new one";
        };
    }
}
