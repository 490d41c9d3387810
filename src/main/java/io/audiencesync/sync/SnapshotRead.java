package io.audiencesync.sync;

import io.audiencesync.identity.Identifier;
import io.audiencesync.identity.IdentifierType;
import io.audiencesync.identity.RejectReason;
import io.audiencesync.records.SnapshotCollector;
import io.audiencesync.records.SortedRecords;
import io.audiencesync.report.RejectsWriter;

import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Deque;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * What a run read of its snapshot, as the identifier stage hands it over in row order on the run's thread: the
 * values (sorted on disk), the rows, values by type, empty cells and rejects, and why the read stopped short, if
 * it did. Only the row count is read from another thread (the progress line).
 */
public final class SnapshotRead {

    private final SnapshotCollector values;
    private final RejectsWriter rejects;
    /** Parts of chunks being normalized on other threads, in row order (see {@link IdentifierStage}). */
    private final Deque<CompletableFuture<IdentifierStage.Part>> normalizing = new ArrayDeque<>();
    private final Map<IdentifierType, Long> valuesByType = new EnumMap<>(IdentifierType.class);
    private final Map<RejectReason, Long> rejectedByReason = new EnumMap<>(RejectReason.class);
    private volatile long rows;
    private long emptyCells;
    private String failure;

    SnapshotRead(SnapshotCollector values, RejectsWriter rejects) {
        this.values = values;
        this.rejects = rejects;
    }

    Deque<CompletableFuture<IdentifierStage.Part>> normalizing() {
        return normalizing;
    }

    void addRecord(byte[] buf, int pos) {
        values.addRecord(buf, pos);
    }

    void counted(IdentifierType type, long n) {
        valuesByType.merge(type, n, Long::sum);
    }

    void rejected(long line, String key, String column, Identifier.Rejected rejected) {
        rejects.write(line, key, column, rejected);
        rejectedByReason.merge(rejected.reason(), 1L, Long::sum);
    }

    void read(long rows, long emptyCells) {
        this.rows += rows;
        this.emptyCells += emptyCells;
    }

    /** The source stopped part-way, for this reason (masked). */
    void failed(String reason) {
        failure = reason;
    }

    /** The values read, sorted and distinct; the same each time it is called. */
    SortedRecords values() {
        return values.finish();
    }

    public long rows() {
        return rows;
    }

    long emptyCells() {
        return emptyCells;
    }

    Map<IdentifierType, Long> valuesByType() {
        return Collections.unmodifiableMap(valuesByType);
    }

    long valueCount() {
        return valuesByType.values().stream().mapToLong(Long::longValue).sum();
    }

    Map<RejectReason, Long> rejectedByReason() {
        return Collections.unmodifiableMap(rejectedByReason);
    }

    long rejectedCount() {
        return rejectedByReason.values().stream().mapToLong(Long::longValue).sum();
    }

    /** Why the source stopped part-way, or null when it was read to the end. */
    public String failure() {
        return failure;
    }

    Path rejectsFile() {
        return rejects.file();
    }

    void closeRejects() {
        rejects.close();
    }
}
