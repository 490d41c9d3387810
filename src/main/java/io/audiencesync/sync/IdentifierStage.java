package io.audiencesync.sync;

import io.audiencesync.identity.Identifier;
import io.audiencesync.identity.IdentifierMapping;
import io.audiencesync.identity.IdentifierType;
import io.audiencesync.identity.Normalizer;
import io.audiencesync.plan.RecordArray;
import io.audiencesync.plan.WireRecords;
import io.audiencesync.source.Row;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;

/**
 * Normalizes a chunk of rows into wire values for the snapshot; rejected values go to the rejects file.
 *
 * <p>Normalizing and hashing is the CPU-heavy step of a run, so a chunk is cut into parts normalized at once on
 * the other cores ({@code workers}) and on the calling thread; the parts are then handed to the run in row order,
 * on the calling thread, so the snapshot, the counts and the rejects file are the same as from one thread.
 */
public final class IdentifierStage {

    /** Below this, a part is not worth another thread. */
    static final int MIN_ROWS_PER_PART = 500;

    private final IdentifierMapping mapping;
    private final Normalizer normalizer;
    private final ExecutorService workers;
    private final int parallelism;

    /** One thread: the caller normalizes every chunk itself. */
    public IdentifierStage(IdentifierMapping mapping, Normalizer normalizer) {
        this(mapping, normalizer, null, 0);
    }

    /**
     * @param workers     threads that normalize parts of a chunk while the caller does its own part
     * @param workerCount how many of them a chunk uses (0: none)
     */
    public IdentifierStage(IdentifierMapping mapping, Normalizer normalizer, ExecutorService workers, int workerCount) {
        this.mapping = mapping;
        this.normalizer = normalizer;
        this.workers = workers;
        this.parallelism = workers == null ? 1 : workerCount + 1;
    }

    public void collect(SyncRun run, List<Row> rows) {
        int parts = Math.max(1, Math.min(parallelism, rows.size() / MIN_ROWS_PER_PART));
        if (parts == 1) {
            normalize(rows).addTo(run);
            return;
        }
        int size = (rows.size() + parts - 1) / parts;
        List<CompletableFuture<Part>> others = new ArrayList<>(parts - 1);
        for (int from = size; from < rows.size(); from += size) {
            List<Row> slice = rows.subList(from, Math.min(rows.size(), from + size));
            others.add(CompletableFuture.supplyAsync(() -> normalize(slice), workers));
        }
        Part first = normalize(rows.subList(0, size));
        first.addTo(run);
        for (CompletableFuture<Part> other : others) {
            Part part;
            try {
                part = other.join();
            } catch (CompletionException e) {
                if (e.getCause() instanceof RuntimeException r) {
                    throw r;
                }
                throw e;
            }
            part.addTo(run);
        }
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
                    part.rejects.add(new Reject(row.line(), column.name(), rejected));
                } else {
                    part.emptyCells++;
                }
            }
        }
        part.rows = rows.size();
        return part;
    }

    private record Reject(long line, String column, Identifier.Rejected rejected) {
    }

    /** The wire values (as {@link WireRecords}), rejects and counts of some consecutive rows. */
    private static final class Part {
        private final RecordArray records;
        private final Map<IdentifierType, Long> valuesByType = new EnumMap<>(IdentifierType.class);
        private final List<Reject> rejects = new ArrayList<>();
        private long emptyCells;
        private long rows;

        Part(int expectedValues) {
            records = new RecordArray(expectedValues);
        }

        void add(Identifier.Wire wire) {
            records.add(wire.value(), wire.type());
            valuesByType.merge(wire.type(), 1L, Long::sum);
        }

        /** On the run's thread, in row order. */
        void addTo(SyncRun run) {
            byte[] buf = records.buffer();
            for (int pos = 0; pos < records.length(); pos += WireRecords.length(buf, pos)) {
                run.snapshot.addRecord(buf, pos);
            }
            valuesByType.forEach((type, n) -> run.valuesByType.merge(type, n, Long::sum));
            for (Reject reject : rejects) {
                run.rejects.write(reject.line(), reject.column(), reject.rejected());
                run.rejectedByReason.merge(reject.rejected().reason(), 1L, Long::sum);
            }
            run.emptyCells += emptyCells;
            run.rowsRead += rows;
        }
    }
}
