package io.audiencesync.identity;

import java.util.Locale;

/**
 * What a MAID or IDFA of 32 hex digits without dashes is: an MD5 digest, or a raw device id whose dashes were
 * stripped. Nothing in the value tells, and sending a raw id as a "digest" puts a device id on the wire, so it is
 * refused unless {@code sync.device-id-32-hex} says which.
 */
public enum DeviceIdDigits {
    /** Refused with {@link RejectReason#AMBIGUOUS_DEVICE_ID} (the default). */
    REFUSE,
    /** An MD5 digest: sent as it is. */
    MD5,
    /** A raw device id: given its dashes back (8-4-4-4-12), then treated as any UUID (hashed). */
    RAW;

    public static DeviceIdDigits parse(String value) {
        try {
            return valueOf(value.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("must be refuse, md5 or raw, got '" + value + "'");
        }
    }
}
