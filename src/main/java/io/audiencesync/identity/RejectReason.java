package io.audiencesync.identity;

/** Why a value was not sent. The codes appear in the rejects file and the run report. */
public enum RejectReason {
    UNSAFE_CHARACTER("contains a comma, quote, whitespace or control character that would corrupt the records field"),
    INVALID_EMAIL("is not a syntactically valid email address"),
    INVALID_DEVICE_ID("is not a device id (UUID 8-4-4-4-12) nor a hex digest"),
    ZERO_DEVICE_ID("is the all-zero device id (tracking disabled)"),
    AMBIGUOUS_DEVICE_ID("is 32 hex digits: an MD5 digest or a device id without its dashes; set sync.device-id-32-hex to"
            + " md5 or raw"),
    MUST_BE_HASHED("must be hashed: PII hashing is off and the value is not a hex digest"),
    TOO_LONG("is longer than 256 characters");

    private final String description;

    RejectReason(String description) {
        this.description = description;
    }

    public String description() {
        return description;
    }
}
