package io.audiencesync.pinterest;

/**
 * 401, 403 or 404: the token, the ad account or the customer list is wrong. Retrying cannot help, so the
 * run stops, commits nothing for the call, and the process exits with the configuration/authorization code.
 */
public class PinterestAccessException extends PinterestApiException {

    private final String tokenSource;
    private final boolean oneListOrAudience;

    /** For a refusal with advice of its own ({@link InvalidGrantException}), not tied to a call of the API. */
    protected PinterestAccessException(String call, int status, Integer code, String pinterestMessage, String requestId) {
        super(call, status, code, pinterestMessage, requestId, null);
        this.tokenSource = null;
        this.oneListOrAudience = false;
    }

    /**
     * @param tokenSource for a 401 with a token that cannot be refreshed: the setting it came from, named in the
     *                    advice; null when the token was refreshed and still refused
     */
    public PinterestAccessException(Call call, int status, Integer code, String pinterestMessage, String requestId,
                                    String tokenSource) {
        super(call.name(), status, code, pinterestMessage, requestId, null);
        this.tokenSource = tokenSource;
        this.oneListOrAudience = call.addressesOneListOrAudience();
    }

    /** A plain explanation of what to check, for the one-line message on stderr. */
    public String advice() {
        return switch (status()) {
            case 401 -> tokenSource != null
                    ? "Pinterest did not accept " + tokenSource + " (expired, revoked, or without the ads:read and ads:write"
                    + " scopes), and it cannot be refreshed: run 'pinterest-audience-sync auth' to set up tokens that are"
                    : "Pinterest did not accept the access token even after a refresh (access revoked, or the ads:read and"
                    + " ads:write scopes missing): run 'pinterest-audience-sync auth' to authorize again";
            case 403 -> "check pinterest.ad-account-id: the token has no access to that ad account, or the account is disapproved";
            default -> oneListOrAudience
                    ? "the customer list or audience was not found in this ad account; it may have been deleted in Pinterest."
                    + " Remove its binding under state/syncs in sync.data-dir to create a new one"
                    // Listing or creating lists and audiences names no list: the account or the URL is wrong.
                    : "no such ad account or API endpoint: check pinterest.ad-account-id, and that pinterest.api-url is the"
                    + " API's base, https://api.pinterest.com/v5 (an emulator's ends in /v5 too)";
        };
    }
}
