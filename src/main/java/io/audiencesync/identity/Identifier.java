package io.audiencesync.identity;

/**
 * The outcome of normalizing one cell: a wire value, nothing (empty cell) or a reject.
 */
public sealed interface Identifier {

    /** A value ready to be sent, exactly as it goes into the {@code records} field. */
    record Wire(IdentifierType type, String value) implements Identifier {
    }

    /** The cell was empty: not an error, just no identifier in this row for this column. */
    record Empty() implements Identifier {
    }

    /** The cell held a value that cannot be sent, with the reason and a redacted sample. */
    record Rejected(IdentifierType type, RejectReason reason, String redactedSample) implements Identifier {
    }

    Empty EMPTY = new Empty();
}
