package io.audiencesync.emulator;

/**
 * What the API shows of a customer list as of Pinterest's last update of it: its counters then, and how many of its
 * members matched (the size of the audiences over it).
 */
record ListUpdate(long numUploadedUserRecords, long numRemovedUserRecords, int matched) {

    static final ListUpdate NONE = new ListUpdate(0, 0, 0);
}
