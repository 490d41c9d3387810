package io.audiencesync.plan;

import java.util.List;

/**
 * Up to {@code sync.batch-size} wire lines for one ADD or REMOVE call, in value order, and the same values as
 * {@link WireRecords} records back to back when the batch was read from a plan (the state journals them as they
 * are instead of encoding every line again).
 */
public record Batch(Operation operation, int number, List<String> lines, byte[] records) {

    public Batch {
        lines = List.copyOf(lines);
    }

    /** A batch of lines alone (a part of a batch, a test): its records are encoded when needed. */
    public Batch(Operation operation, int number, List<String> lines) {
        this(operation, number, lines, null);
    }

    /** The values exactly as they go into the {@code records} field. */
    public List<String> values() {
        return lines.stream().map(WireLines::value).toList();
    }

    /** The lines as records, back to back. */
    public byte[] encodedRecords() {
        if (records != null) {
            return records;
        }
        byte[] out = new byte[lines.size() * 40 + WireRecords.MAX_LENGTH];
        int pos = 0;
        for (String line : lines) {
            if (out.length - pos < WireRecords.MAX_LENGTH) {
                out = java.util.Arrays.copyOf(out, Math.max(out.length * 2, pos + WireRecords.MAX_LENGTH));
            }
            pos = WireRecords.encodeLine(line, out, pos);
        }
        return java.util.Arrays.copyOf(out, pos);
    }
}
