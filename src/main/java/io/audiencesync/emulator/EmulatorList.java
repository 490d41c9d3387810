package io.audiencesync.emulator;

/**
 * Snapshot of a customer list held by the emulator. Times are unix seconds, as on the wire. The counters and the
 * status are what the API answers, which Pinterest updates only some time after a write (the emulator's size
 * delay); the member and matched counts are what the list holds now.
 *
 * @param listType one of EMAIL, IDFA, MAID, LR_ID, DLX_ID, HASHED_PINNER_ID
 * @param memberCount the distinct values in the list now
 * @param matchedCount how many of them have a Pinterest account ({@link Matching}) now
 * @param numBatches the list's writes (creation included); counted at once, as the calls themselves
 * @param numUploadedUserRecords values ever sent in an ADD, as last updated (grows for values already in the list)
 * @param numRemovedUserRecords values ever sent in a REMOVE, as last updated (grows for values not in the list)
 * @param status PROCESSING until the size delay after the last write has passed, then READY or TOO_SMALL
 */
public record EmulatorList(
        String id,
        String adAccountId,
        String name,
        String listType,
        int memberCount,
        int matchedCount,
        long numBatches,
        long numUploadedUserRecords,
        long numRemovedUserRecords,
        long createdTime,
        long updatedTime,
        String status) {

    /** Pinterest needs 100 matched users before a list or an audience is usable. */
    public static final int READY_THRESHOLD = 100;

    /** READY or TOO_SMALL, the status of a list or an audience that has this many matched values. */
    static String statusOf(long matched) {
        return matched >= READY_THRESHOLD ? "READY" : "TOO_SMALL";
    }
}
