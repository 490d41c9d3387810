package io.audiencesync.emulator;

/**
 * Snapshot of a customer list held by the emulator. Times are unix seconds, as on the wire.
 *
 * @param listType one of EMAIL, IDFA, MAID, LR_ID, DLX_ID, HASHED_PINNER_ID
 */
public record EmulatorList(
        String id,
        String adAccountId,
        String name,
        String listType,
        int memberCount,
        long numBatches,
        long numUploadedUserRecords,
        long numRemovedUserRecords,
        long createdTime,
        long updatedTime) {

    /** Pinterest needs 100 matched users before a list is usable; every member counts as matched here. */
    static final int READY_THRESHOLD = 100;

    /** READY or TOO_SMALL, as the API reports it. */
    public String status() {
        return memberCount >= READY_THRESHOLD ? "READY" : "TOO_SMALL";
    }
}
