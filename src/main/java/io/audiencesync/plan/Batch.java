package io.audiencesync.plan;

import io.audiencesync.records.RecordArray;
import io.audiencesync.records.WireLines;
import io.audiencesync.records.WireRecords;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Up to {@code sync.batch-size} wire values for one ADD or REMOVE call, in value order. A batch read from a plan
 * holds its {@link WireRecords} records back to back: the request body and the state journal are written from
 * those bytes, and the {@code value<TAB>TYPE} lines are only made when a person needs them (a dead letter). A
 * batch made of lines (a part of a refused batch, a test) encodes its records when they are needed.
 */
public final class Batch {

    private final Operation operation;
    private final int number;
    private final int size;
    private byte[] records;
    private List<String> lines;
    private volatile Joined joined;

    public Batch(Operation operation, int number, List<String> lines) {
        this.operation = operation;
        this.number = number;
        this.lines = List.copyOf(lines);
        this.size = lines.size();
    }

    private Batch(Operation operation, int number, byte[] records, int size) {
        this.operation = operation;
        this.number = number;
        this.records = records;
        this.size = size;
    }

    /** {@code size} records back to back in {@code records}, as read from a plan. */
    public static Batch ofRecords(Operation operation, int number, byte[] records, int size) {
        return new Batch(operation, number, records, size);
    }

    public Operation operation() {
        return operation;
    }

    public int number() {
        return number;
    }

    public int size() {
        return size;
    }

    /** The values as {@code value<TAB>TYPE} lines. */
    public List<String> lines() {
        if (lines == null) {
            List<String> out = new ArrayList<>(size);
            for (int pos = 0; pos < records.length; pos += WireRecords.length(records, pos)) {
                out.add(WireRecords.line(records, pos));
            }
            lines = List.copyOf(out);
        }
        return lines;
    }

    /** The values exactly as they go into the {@code records} field. */
    public List<String> values() {
        return lines().stream().map(WireLines::value).toList();
    }

    /** The values as records, back to back. */
    public byte[] records() {
        if (records == null) {
            RecordArray out = new RecordArray(size);
            lines.forEach(out::addLine);
            records = out.toByteArray();
        }
        return records;
    }

    /**
     * The values joined by commas, as UTF-8 (the content of the {@code records} field, before JSON escaping), and
     * whether those bytes need no JSON escape: a hex digest never does, so only the bytes of other values are looked
     * at. Made once; may be made ahead on another thread.
     */
    public Joined joined() {
        Joined done = joined;
        if (done == null) {
            done = join();
            joined = done;
        }
        return done;
    }

    private Joined join() {
        byte[] recs = records();
        byte[] out = new byte[size * 65 + WireRecords.MAX_LENGTH];
        int pos = 0;
        boolean jsonSafe = true;
        for (int off = 0; off < recs.length; off += WireRecords.length(recs, off)) {
            if (out.length - pos < WireRecords.MAX_LENGTH + 1) {
                out = Arrays.copyOf(out, Math.max(out.length * 2, pos + WireRecords.MAX_LENGTH + 1));
            }
            if (pos > 0) {
                out[pos++] = ',';
            }
            int start = pos;
            pos = WireRecords.writeValue(recs, off, out, pos);
            if (jsonSafe && !WireRecords.isDigest(recs, off)) {
                jsonSafe = WireRecords.jsonSafe(out, start, pos);
            }
        }
        return new Joined(Arrays.copyOf(out, pos), jsonSafe);
    }

    /** Values joined by commas as UTF-8, and whether any byte of them needs a JSON escape. */
    public record Joined(byte[] utf8, boolean jsonSafe) {
    }

    @Override
    public String toString() {
        return "Batch " + number + " (" + operation + ", " + size + " values)";
    }
}
