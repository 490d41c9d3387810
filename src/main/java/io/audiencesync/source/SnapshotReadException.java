package io.audiencesync.source;

/** The source could not be read to the end: the snapshot is incomplete, so no removal may follow from it. */
public class SnapshotReadException extends RuntimeException {
    public SnapshotReadException(String message, Throwable cause) {
        super(message, cause);
    }
}
