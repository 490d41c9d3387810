package io.audiencesync.source;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * Chunks of rows over a source read one row at a time (a CSV file, a query's result). A read that fails part-way
 * is handed out by {@link #next()} only after the rows read before it: Camel's splitter asks {@code hasNext()}
 * ahead of processing a chunk, so throwing there would lose those rows, which the run still adds.
 */
abstract class Chunks implements Iterator<List<Row>> {

    private final int chunkSize;
    private SnapshotReadException pending;
    private boolean ended;

    Chunks(int chunkSize) {
        this.chunkSize = chunkSize;
    }

    /** Whether the source has another row; may throw when reading fails. */
    protected abstract boolean hasNextRow();

    /** The next row; may throw when reading fails or a value cannot be taken. */
    protected abstract Row nextRow();

    /**
     * What the run reports for a failure the source threw, naming where it stopped; rethrows what is not a read
     * failure (a bug is not an incomplete snapshot).
     */
    protected abstract SnapshotReadException readFailure(RuntimeException e);

    /** Releases the source (the file, the connection): called once, when the rows end or fail. */
    protected abstract void release();

    @Override
    public final boolean hasNext() {
        if (pending != null) {
            return true;
        }
        if (ended) {
            return false;
        }
        try {
            if (hasNextRow()) {
                return true;
            }
        } catch (RuntimeException e) {
            pending = asFailure(e);
            end();
            return true;
        }
        end();
        return false;
    }

    @Override
    public final List<Row> next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        throwPending();
        List<Row> chunk = new ArrayList<>(chunkSize);
        try {
            while (chunk.size() < chunkSize && hasNextRow()) {
                chunk.add(nextRow());
            }
        } catch (RuntimeException e) {
            pending = asFailure(e);
        }
        if (pending != null) {
            end();
            if (chunk.isEmpty()) {
                throwPending();
            }
        }
        return chunk;
    }

    /** Whether the rows ended on a failure that {@link #next()} throws next. */
    final boolean failed() {
        return pending != null;
    }

    /** Ends the rows early (a failure while opening): releases the source once. */
    protected final void end() {
        if (!ended) {
            ended = true;
            release();
        }
    }

    private SnapshotReadException asFailure(RuntimeException e) {
        return e instanceof SnapshotReadException failure ? failure : readFailure(e);
    }

    private void throwPending() {
        if (pending != null) {
            SnapshotReadException failure = pending;
            pending = null;
            throw failure;
        }
    }
}
