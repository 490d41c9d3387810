package io.audiencesync.plan;

import io.audiencesync.identity.IdentifierType;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Gathers the wire values of one snapshot into sorted runs on disk with bounded memory, and hands them back as one
 * sorted, distinct stream. Values fill a {@link RecordBuffer} of {@code runSize}; a full buffer is sorted and
 * written by a background thread while the caller fills the other one, so normalizing and sorting use both cores.
 * Memory: two buffers of about 46 bytes a value. Not thread-safe: one run feeds it from one thread.
 */
public final class SnapshotCollector {

    /** One daemon thread for every collector of the process: a run sorts one buffer at a time anyway. */
    private static final ExecutorService SORTER = Executors.newSingleThreadExecutor(task -> {
        Thread t = new Thread(task, "snapshot-sorter");
        t.setDaemon(true);
        return t;
    });

    private final Path workDir;
    private final String prefix;
    private final List<Path> runs = new ArrayList<>();
    private RecordBuffer filling;
    private RecordBuffer spare;
    private CompletableFuture<Void> spilling = CompletableFuture.completedFuture(null);

    public SnapshotCollector(Path workDir, int runSize) {
        this(workDir, runSize, "snapshot");
    }

    SnapshotCollector(Path workDir, int runSize, String prefix) {
        this.workDir = workDir;
        this.prefix = prefix;
        this.filling = new RecordBuffer(runSize);
    }

    public void add(String value, IdentifierType type) {
        filling.add(value, type);
        if (filling.isFull()) {
            spill();
        }
    }

    /** Adds an encoded {@link WireRecords} record. */
    public void addRecord(byte[] buf, int off) {
        filling.addRecord(buf, off);
        if (filling.isFull()) {
            spill();
        }
    }

    /** Adds a {@code value<TAB>TYPE} line. */
    public void add(String line) {
        add(WireLines.value(line), WireLines.type(line));
    }

    /** Every value added, sorted, each once; the caller closes it. The run files stay until the work directory goes. */
    public SortedRecords finish() {
        spill();
        awaitSpill();
        filling = null;
        spare = null;
        if (runs.isEmpty()) {
            return SortedRecords.empty();
        }
        if (runs.size() == 1) {
            return RecordFile.read(runs.get(0));
        }
        return new MergedRecords(runs.stream().map(RecordFile::read).toList());
    }

    private void spill() {
        if (filling.size() == 0) {
            return;
        }
        awaitSpill();
        try {
            Files.createDirectories(workDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write a sorted run to " + workDir, e);
        }
        RecordBuffer full = filling;
        Path file = workDir.resolve(prefix + "-run-" + runs.size() + ".bin");
        runs.add(file);
        spilling = CompletableFuture.runAsync(() -> full.sortAndWrite(file), SORTER);
        filling = spare != null ? spare : new RecordBuffer(full.capacity());
        spare = full;
    }

    private void awaitSpill() {
        try {
            spilling.join();
        } catch (CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
        if (spare != null) {
            spare.clear();
        }
    }
}
