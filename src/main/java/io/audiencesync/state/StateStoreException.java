package io.audiencesync.state;

/** The state store could not be read or written; the run stops and nothing more is committed. */
public class StateStoreException extends RuntimeException {
    public StateStoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
