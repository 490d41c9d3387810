package io.audiencesync.plan;

import io.audiencesync.identity.IdentifierType;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;

/** Diffs a sorted snapshot against a sorted state in one streaming merge; memory does not grow with either. */
public final class Planner {

    private Planner() {
    }

    /** The full diff; whether its removals go out is the caller's decision ({@link Plan#withholdRemovals}). */
    public static Plan plan(Path snapshot, Path state, Path workDir) {
        Path adds = workDir.resolve("plan-adds.sorted");
        Path removes = workDir.resolve("plan-removes.sorted");
        Map<IdentifierType, Long> addsByType = new EnumMap<>(IdentifierType.class);
        Map<IdentifierType, Long> removesByType = new EnumMap<>(IdentifierType.class);
        long addCount = 0;
        long removeCandidates = 0;
        long snapshotCount = 0;
        long stateCount = 0;
        try {
            Files.createDirectories(workDir);
            try (SortedLines s = new SortedLines(snapshot);
                 SortedLines m = new SortedLines(state);
                 BufferedWriter addOut = Files.newBufferedWriter(adds, StandardCharsets.UTF_8);
                 BufferedWriter removeOut = Files.newBufferedWriter(removes, StandardCharsets.UTF_8)) {
                while (s.hasNext() || m.hasNext()) {
                    int c = !s.hasNext() ? 1 : !m.hasNext() ? -1 : WireLines.BY_VALUE.compare(s.peek(), m.peek());
                    if (c < 0) {
                        String line = s.next();
                        snapshotCount++;
                        write(addOut, line);
                        addsByType.merge(WireLines.type(line), 1L, Long::sum);
                        addCount++;
                    } else if (c > 0) {
                        String line = m.next();
                        stateCount++;
                        removeCandidates++;
                        write(removeOut, line);
                        removesByType.merge(WireLines.type(line), 1L, Long::sum);
                    } else {
                        s.next();
                        m.next();
                        snapshotCount++;
                        stateCount++;
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the plan to " + workDir, e);
        }
        return new Plan(adds, addCount, removes, removeCandidates, addsByType, removesByType, snapshotCount, stateCount,
                null);
    }

    private static void write(BufferedWriter out, String line) throws IOException {
        out.write(line);
        out.write('\n');
    }
}
