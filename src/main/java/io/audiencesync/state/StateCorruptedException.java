package io.audiencesync.state;

/** The state on disk is damaged in a way that is not a torn last write; it must not be used silently. */
public class StateCorruptedException extends RuntimeException {
    public StateCorruptedException(String message) {
        super(message);
    }
}
