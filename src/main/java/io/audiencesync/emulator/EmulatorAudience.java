package io.audiencesync.emulator;

/**
 * Snapshot of an audience held by the emulator; only CUSTOMER_LIST audiences exist here.
 *
 * @param description null when none was given
 * @param createdTimestamp unix seconds
 * @param updatedTimestamp unix seconds: its creation, or the last update through the API
 * @param size the matched values of its customer list as last updated; null until the first update
 * @param status INITIALIZING until the first update, then READY, or TOO_SMALL under 100 matched values
 */
public record EmulatorAudience(
        String id,
        String adAccountId,
        String name,
        String audienceType,
        String customerListId,
        String description,
        long createdTimestamp,
        long updatedTimestamp,
        Long size,
        String status) {
}
