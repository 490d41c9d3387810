package io.audiencesync.report;

/** How a run ended, and the exit code {@code run --once} gives for it. */
public enum Outcome {
    /** Every planned batch was acknowledged (rejected input values do not count against a run). */
    SUCCEEDED(0),
    /** A file not read because a newer complete snapshot was synced from the inbox in the same poll: only the newest matters. */
    SUPERSEDED(0),
    /** Some batches went to the dead letter; they stay uncommitted and the next run sends them again. */
    DEAD_LETTERS(1),
    /** Every batch went out, but a guard held removals back until a person confirms them (see the report's reason). */
    REMOVALS_WITHHELD(1),
    /** The source could not be read to the end: acknowledged adds stay, no removal was made. */
    SNAPSHOT_FAILED(1),
    /** The process was asked to stop: acknowledged batches are recorded, the next run sends the rest. */
    INTERRUPTED(1),
    /** Something else went wrong (Pinterest unreachable, disk full...); see the error. The next run sends what is owed. */
    FAILED(1),
    /** A configuration or authorization problem (401/403/404, bad setting): nothing can work until a person fixes it. */
    STOPPED(2);

    private final int exitCode;

    Outcome(int exitCode) {
        this.exitCode = exitCode;
    }

    public int exitCode() {
        return exitCode;
    }
}
