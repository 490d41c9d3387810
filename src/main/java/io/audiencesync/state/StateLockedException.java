package io.audiencesync.state;

/** Another process is syncing the same customer list: this run must not write it. */
public class StateLockedException extends RuntimeException {
    public StateLockedException(String message) {
        super(message);
    }
}
