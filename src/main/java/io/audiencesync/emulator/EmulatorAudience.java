package io.audiencesync.emulator;

/**
 * Snapshot of an audience held by the emulator; only CUSTOMER_LIST audiences exist here.
 *
 * @param description null when none was given
 * @param createdTimestamp unix seconds
 */
public record EmulatorAudience(
        String id,
        String adAccountId,
        String name,
        String audienceType,
        String customerListId,
        String description,
        long createdTimestamp) {
}
