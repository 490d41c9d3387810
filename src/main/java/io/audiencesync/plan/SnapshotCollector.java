package io.audiencesync.plan;

import com.google.code.externalsorting.ExternalSort;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Gathers the wire values of one snapshot into a sorted, distinct file with bounded memory: values are
 * kept in memory up to {@code runSize}, then sorted and spilled as a run; {@link #finish()} merges the runs.
 * Not thread-safe: one run feeds it from one thread.
 */
public final class SnapshotCollector {

    private final Path workDir;
    private final int runSize;
    private final List<File> runs = new ArrayList<>();
    private List<String> buffer;

    public SnapshotCollector(Path workDir, int runSize) {
        this.workDir = workDir;
        this.runSize = runSize;
        this.buffer = new ArrayList<>(Math.min(runSize, 1 << 16));
    }

    public void add(String line) {
        buffer.add(line);
        if (buffer.size() >= runSize) {
            spill();
        }
    }

    /** Sorts and merges everything added into {@code snapshot.sorted} and returns it with its distinct count. */
    public SortedSnapshot finish() {
        Path out = workDir.resolve("snapshot.sorted");
        try {
            Files.createDirectories(workDir);
            spill();
            long count;
            if (runs.isEmpty()) {
                Files.write(out, List.of());
                count = 0;
            } else if (runs.size() == 1) {
                Files.move(runs.get(0).toPath(), out, StandardCopyOption.REPLACE_EXISTING);
                count = countLines(out);
            } else {
                count = ExternalSort.mergeSortedFiles(runs, out.toFile(), WireLines.BY_VALUE, StandardCharsets.UTF_8, true);
            }
            runs.clear();
            return new SortedSnapshot(out, count);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot sort the snapshot in " + workDir, e);
        }
    }

    private void spill() {
        if (buffer.isEmpty()) {
            return;
        }
        try {
            Files.createDirectories(workDir);
            runs.add(ExternalSort.sortAndSave(buffer, WireLines.BY_VALUE, StandardCharsets.UTF_8, workDir.toFile(),
                    true, false, false));
            buffer = new ArrayList<>(Math.min(runSize, 1 << 16));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write a sorted run to " + workDir, e);
        }
    }

    private static long countLines(Path file) throws IOException {
        try (var lines = Files.lines(file, StandardCharsets.UTF_8)) {
            return lines.count();
        }
    }

    /** A sorted file of distinct wire lines and how many it holds. */
    public record SortedSnapshot(Path file, long count) {
    }
}
