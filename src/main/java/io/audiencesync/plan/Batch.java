package io.audiencesync.plan;

import java.util.List;

/** Up to {@code sync.batch-size} wire lines for one ADD or REMOVE call, in value order. */
public record Batch(Operation operation, int number, List<String> lines) {

    public Batch {
        lines = List.copyOf(lines);
    }

    /** The values exactly as they go into the {@code records} field. */
    public List<String> values() {
        return lines.stream().map(WireLines::value).toList();
    }
}
