package io.audiencesync.records;

import io.audiencesync.identity.IdentifierType;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Gathers the wire values of one snapshot into sorted runs on disk with bounded memory, and hands them back as one
 * sorted, distinct stream. Values fill a {@link RecordBuffer} of {@code runSize}; a full buffer is sorted and
 * written by a background thread while the caller fills another one, and when the caller fills faster than one
 * thread sorts (values read from a file), a second buffer is sorted at once on another thread. Memory: at most
 * {@value #IN_FLIGHT} buffers being sorted and one being filled, about 46 bytes a value each, and when the runs are
 * merged, one read buffer of {@link RecordFile#BUFFER} for each of at most {@value #FAN_IN} runs: more runs are first
 * merged in passes of {@value #FAN_IN} into fewer, longer ones, so that any number of rows fits the heap the sort
 * buffer was sized for. Not thread-safe: one run feeds it from one thread.
 */
public final class SnapshotCollector {

    /** Full buffers sorted at once, at most. */
    static final int IN_FLIGHT = 2;
    /** Runs merged at once, at most (32 MB of read buffers); a snapshot of up to 16 million values at the default sort buffer needs one merge. */
    static final int FAN_IN = 32;

    /** Daemon threads shared by every collector of the process. */
    private static final ExecutorService SORTER = Executors.newFixedThreadPool(IN_FLIGHT, task -> {
        Thread t = new Thread(task, "snapshot-sorter");
        t.setDaemon(true);
        return t;
    });

    private final Path workDir;
    private final String prefix;
    private final List<Path> runs = new ArrayList<>();
    private int merges;
    private RecordBuffer filling;
    /** Where {@link #add(String)} encodes a line. */
    private byte[] encoded;
    /** Buffers being sorted and written, oldest first. */
    private final Deque<Spill> spilling = new ArrayDeque<>();

    private record Spill(RecordBuffer buffer, CompletableFuture<Void> done) {
    }

    public SnapshotCollector(Path workDir, int runSize) {
        this(workDir, runSize, "snapshot");
    }

    public SnapshotCollector(Path workDir, int runSize, String prefix) {
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

    /** Adds a {@code value<TAB>TYPE} line, encoded without taking it apart into new strings. */
    public void add(String line) {
        if (encoded == null) {
            encoded = new byte[WireRecords.MAX_LENGTH];
        }
        WireRecords.encodeLine(line, encoded, 0);
        addRecord(encoded, 0);
    }

    /** Every value added, sorted, each once; the caller closes it. The run files stay until the work directory goes. */
    public SortedRecords finish() {
        spill();
        while (!spilling.isEmpty()) {
            awaitOldest();
        }
        filling = null;
        if (runs.isEmpty()) {
            return SortedRecords.empty();
        }
        while (runs.size() > FAN_IN) {
            mergePass();
        }
        if (runs.size() == 1) {
            return RecordFile.read(runs.get(0));
        }
        return new MergedRecords(runs.stream().map(RecordFile::read).toList());
    }

    /** One pass: every {@value #FAN_IN} runs in a row become one (each value once), in the same order. */
    private void mergePass() {
        List<Path> merged = new ArrayList<>();
        for (int from = 0; from < runs.size(); from += FAN_IN) {
            List<Path> group = runs.subList(from, Math.min(runs.size(), from + FAN_IN));
            if (group.size() == 1) {
                merged.add(group.get(0));
                continue;
            }
            Path out = workDir.resolve(prefix + "-merged-" + (merges++) + ".bin");
            try (SortedRecords in = new MergedRecords(group.stream().map(RecordFile::read).toList());
                 RecordFile.Writer writer = new RecordFile.Writer(out)) {
                while (in.next()) {
                    writer.write(in.buffer(), in.offset());
                }
            }
            for (Path run : group) {
                try {
                    Files.deleteIfExists(run);
                } catch (IOException e) {
                    // only disk space: the work directory goes when the run ends
                }
            }
            merged.add(out);
        }
        runs.clear();
        runs.addAll(merged);
    }

    private void spill() {
        if (filling == null || filling.size() == 0) {
            return;
        }
        RecordBuffer next = spilling.size() < IN_FLIGHT ? null : awaitOldest();
        try {
            Files.createDirectories(workDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write a sorted run to " + workDir, e);
        }
        RecordBuffer full = filling;
        Path file = workDir.resolve(prefix + "-run-" + runs.size() + ".bin");
        runs.add(file);
        spilling.add(new Spill(full, CompletableFuture.runAsync(() -> full.sortAndWrite(file), SORTER)));
        filling = next != null ? next : new RecordBuffer(full.capacity());
    }

    /** Waits for the oldest buffer being sorted and returns it, empty, for filling again. */
    private RecordBuffer awaitOldest() {
        Spill oldest = spilling.removeFirst();
        Futures.join(oldest.done());
        oldest.buffer().clear();
        return oldest.buffer();
    }
}
