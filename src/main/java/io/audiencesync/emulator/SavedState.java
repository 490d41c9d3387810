package io.audiencesync.emulator;

import java.util.List;

/**
 * Everything the emulator keeps in a data directory ({@link DataDir}): every list with its member values, every
 * audience, and what the API shows of them (the last size update, and when the next is due), so that a restart
 * answers as the emulator did before it stopped. Ids and counters go on from where they were.
 *
 * @param format {@link #FORMAT}; a file of another format is refused rather than misread
 */
record SavedState(int format, long nextListId, long nextAudienceId, List<SavedList> customerLists,
                  List<SavedAudience> audiences) {

    static final int FORMAT = 1;

    /**
     * @param lastUpdate null before the list's first update
     * @param updateDueAtMillis when the next update is due (epoch milliseconds), or null when none is pending
     * @param members every member value, sorted
     */
    record SavedList(String id, String adAccountId, String name, String listType, long createdTime, long updatedTime,
                     long numBatches, long numUploadedUserRecords, long numRemovedUserRecords, ListUpdate lastUpdate,
                     Long updateDueAtMillis, List<String> members) {
    }

    /**
     * @param size null before the audience's first update
     * @param updateDueAtMillis when the next update is due (epoch milliseconds), or null when none is pending
     */
    record SavedAudience(String id, String adAccountId, String name, String customerListId, String description,
                         long createdTimestamp, long updatedTimestamp, Long size, String status,
                         Long updateDueAtMillis) {
    }
}
