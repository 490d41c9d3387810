package io.audiencesync.sync;

import io.audiencesync.source.Row;
import io.audiencesync.source.Snapshot;

import java.util.Collections;
import java.util.Iterator;
import java.util.List;

/**
 * The list's desired state sent again: a run with no rows to read, whose plan starts from the records the last
 * complete snapshot left in the state store.
 */
record DesiredSnapshot(String snapshotName) implements Snapshot {

    @Override
    public String name() {
        return "resume of " + snapshotName;
    }

    @Override
    public Iterator<List<Row>> chunks() {
        return Collections.emptyIterator();
    }
}
