package io.audiencesync.state;

/**
 * This tool's own state is damaged, or missing where its records say it existed, in a way that is not a torn last
 * write: it is never used. The run stops (exit 2) having sent nothing; the message names the file or table, what
 * is wrong and what to do.
 */
public class StateCorruptedException extends RuntimeException {

    /** How to start a sync's state again, said with every damage a person can only clear this way. */
    public static final String RESET = "run --once --reset-state";

    public StateCorruptedException(String message) {
        super(message);
    }

    /** What to do about damaged state of {@code what} (a customer list, a desired state). */
    public static String resetAdvice(String what) {
        return "The state of " + what + " cannot be trusted, so nothing was sent. Restore sync.data-dir from a backup"
                + " taken before the damage, or run '" + RESET + "': it sets the sync's state aside (kept under"
                + " state/set-aside/) and starts it again from the model (every value of the model is added again;"
                + " values that left the model while the state was damaged cannot be removed then)";
    }
}
