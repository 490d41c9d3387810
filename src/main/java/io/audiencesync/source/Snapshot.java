package io.audiencesync.source;

import java.util.Iterator;
import java.util.List;

/**
 * One full read of the model, from any source: what the run reports it as, and its rows in chunks.
 * Opening is lazy (in {@link #chunks()}), so a source that cannot be read fails inside a run, with a report.
 * A read that stops part-way throws {@link SnapshotReadException} from the iterator.
 */
public interface Snapshot {

    /** How runs and reports name this snapshot: a file name, a query. */
    String name();

    Iterator<List<Row>> chunks();
}
