package io.audiencesync.sync;

import io.audiencesync.identity.Identifier;
import io.audiencesync.identity.IdentifierMapping;
import io.audiencesync.identity.IdentifierType;
import io.audiencesync.identity.Normalizer;
import io.audiencesync.records.Futures;
import io.audiencesync.records.RecordArray;
import io.audiencesync.records.WireRecords;
import io.audiencesync.source.Row;

import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;

/**
 * Normalizes chunks of rows into wire values for the snapshot; rejected values go to the rejects file.
 *
 * <p>Normalizing and hashing is the CPU-heavy step of a run, so with {@code workers} a chunk is cut into parts that
 * those threads normalize while the calling thread (the source route's) goes on reading the next chunk: up to
 * {@value #CHUNKS_AHEAD} chunks are being normalized at once. The parts are handed to the run in row order, on the
 * calling thread, so the snapshot, the counts and the rejects file are the same as from one thread;
 * {@link #finish(SyncRun)} hands over the last ones once the source is read.
 */
public final class IdentifierStage {

    /** Below this, a part is not worth another thread. */
    static final int MIN_ROWS_PER_PART = 500;
    /** Chunks normalized at once while the source route reads the next one. */
    static final int CHUNKS_AHEAD = 2;

    private final IdentifierMapping mapping;
    private final Normalizer normalizer;
    private final ExecutorService workers;
    private final int parallelism;

    /** One thread: the caller normalizes every chunk itself. */
    public IdentifierStage(IdentifierMapping mapping, Normalizer normalizer) {
        this(mapping, normalizer, null, 0);
    }

    /**
     * @param workers     threads that normalize the parts of each chunk
     * @param workerCount how many parts a chunk is cut into (0: none, the caller normalizes)
     */
    public IdentifierStage(IdentifierMapping mapping, Normalizer normalizer, ExecutorService workers, int workerCount) {
        this.mapping = mapping;
        this.normalizer = normalizer;
        this.workers = workerCount > 0 ? workers : null;
        this.parallelism = this.workers == null ? 1 : workerCount;
    }

    /** Starts normalizing a chunk; hands the parts done before it to the run. */
    public void collect(SyncRun run, List<Row> rows) {
        if (workers == null) {
            normalize(rows).addTo(run.read());
            return;
        }
        Deque<CompletableFuture<Part>> pending = run.read().normalizing();
        int parts = Math.max(1, Math.min(parallelism, rows.size() / MIN_ROWS_PER_PART));
        int size = (rows.size() + parts - 1) / parts;
        for (int from = 0; from < rows.size(); from += size) {
            List<Row> slice = rows.subList(from, Math.min(rows.size(), from + size));
            pending.add(CompletableFuture.supplyAsync(() -> normalize(slice), workers));
        }
        while (pending.size() > CHUNKS_AHEAD * parallelism || !pending.isEmpty() && pending.peekFirst().isDone()) {
            handOver(run, pending.removeFirst());
        }
    }

    /**
     * Hands every part still being normalized to the run, in row order: the source has no more rows.
     *
     * @return what the run read of its snapshot
     */
    public SnapshotRead finish(SyncRun run) {
        Deque<CompletableFuture<Part>> pending = run.read().normalizing();
        while (!pending.isEmpty()) {
            handOver(run, pending.removeFirst());
        }
        return run.read();
    }

    private static void handOver(SyncRun run, CompletableFuture<Part> part) {
        Futures.join(part).addTo(run.read());
    }

    private Part normalize(List<Row> rows) {
        List<IdentifierMapping.Column> columns = mapping.columns();
        Part part = new Part(rows.size() * columns.size());
        for (Row row : rows) {
            for (int i = 0; i < columns.size(); i++) {
                IdentifierMapping.Column column = columns.get(i);
                Identifier identifier = normalizer.normalize(column.type(), row.cells()[i]);
                if (identifier instanceof Identifier.Wire wire) {
                    part.add(wire);
                } else if (identifier instanceof Identifier.Rejected rejected) {
                    part.rejects.add(new Reject(row.line(), row.key(), column.name(), rejected));
                } else {
                    part.emptyCells++;
                }
            }
        }
        part.rows = rows.size();
        return part;
    }

    private record Reject(long line, String key, String column, Identifier.Rejected rejected) {
    }

    /** The wire values (as {@link WireRecords}), rejects and counts of some consecutive rows. */
    static final class Part {
        private final RecordArray records;
        private final long[] valuesByType = new long[IdentifierType.values().length];
        private final List<Reject> rejects = new ArrayList<>();
        private long emptyCells;
        private long rows;

        Part(int expectedValues) {
            records = new RecordArray(expectedValues);
        }

        void add(Identifier.Wire wire) {
            records.add(wire.value(), wire.type());
            valuesByType[wire.type().ordinal()]++;
        }

        /** On the run's thread, in row order. */
        void addTo(SnapshotRead read) {
            byte[] buf = records.buffer();
            for (int pos = 0; pos < records.length(); pos += WireRecords.length(buf, pos)) {
                read.addRecord(buf, pos);
            }
            for (IdentifierType type : IdentifierType.values()) {
                if (valuesByType[type.ordinal()] > 0) {
                    read.counted(type, valuesByType[type.ordinal()]);
                }
            }
            for (Reject reject : rejects) {
                read.rejected(reject.line(), reject.key(), reject.column(), reject.rejected());
            }
            read.read(rows, emptyCells);
        }
    }
}
