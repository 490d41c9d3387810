package io.audiencesync.plan;

import io.audiencesync.identity.IdentifierType;
import io.audiencesync.records.RecordFile;
import io.audiencesync.records.SortedRecords;
import io.audiencesync.records.WireRecords;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.Map;

/** Diffs a sorted snapshot against a sorted state in one streaming merge; memory does not grow with either. */
public final class Planner {

    private Planner() {
    }

    /**
     * The full diff; whether its removals go out is the caller's decision ({@link Plan#withholdRemovals}). Closes
     * both cursors.
     */
    public static Plan plan(SortedRecords snapshot, SortedRecords state, Path workDir) {
        PlanWriter plan = new PlanWriter(workDir);
        try (snapshot; state; plan) {
            boolean s = snapshot.next();
            boolean m = state.next();
            while (s || m) {
                int c = !s ? 1 : !m ? -1
                        : WireRecords.compare(snapshot.buffer(), snapshot.offset(), state.buffer(), state.offset());
                if (c < 0) {
                    plan.snapshotValue();
                    plan.add(snapshot.buffer(), snapshot.offset());
                    s = snapshot.next();
                } else if (c > 0) {
                    plan.stateValue();
                    plan.remove(state.buffer(), state.offset());
                    m = state.next();
                } else {
                    plan.snapshotValue();
                    plan.stateValue();
                    s = snapshot.next();
                    m = state.next();
                }
            }
        }
        return plan.plan();
    }

    /**
     * Writes a plan's two files and counts as it goes; stores that compute the diff elsewhere (in a database)
     * write their result through it too, so every store hands the same files to the batches.
     */
    public static final class PlanWriter implements AutoCloseable {
        private final Path adds;
        private final Path removes;
        private final RecordFile.Writer addOut;
        private final RecordFile.Writer removeOut;
        private final long[] addsByType = new long[IdentifierType.values().length];
        private final long[] removesByType = new long[IdentifierType.values().length];
        private long snapshotCount;
        private long stateCount;

        /** Creates {@code workDir} when it is not there: a resume run reads no rows, so nothing else made it. */
        public PlanWriter(Path workDir) {
            try {
                Files.createDirectories(workDir);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write the plan to " + workDir, e);
            }
            this.adds = workDir.resolve("plan-adds.bin");
            this.removes = workDir.resolve("plan-removes.bin");
            this.addOut = new RecordFile.Writer(adds);
            this.removeOut = new RecordFile.Writer(removes);
        }

        public void add(byte[] buf, int off) {
            addOut.write(buf, off);
            addsByType[WireRecords.type(buf, off).ordinal()]++;
        }

        public void remove(byte[] buf, int off) {
            removeOut.write(buf, off);
            removesByType[WireRecords.type(buf, off).ordinal()]++;
        }

        public void snapshotValue() {
            snapshotCount++;
        }

        public void stateValue() {
            stateCount++;
        }

        public void counts(long snapshot, long state) {
            this.snapshotCount = snapshot;
            this.stateCount = state;
        }

        @Override
        public void close() {
            addOut.close();
            removeOut.close();
        }

        public Plan plan() {
            return new Plan(adds, addOut.count(), removes, removeOut.count(), byType(addsByType), byType(removesByType),
                    snapshotCount, stateCount, null);
        }

        private static Map<IdentifierType, Long> byType(long[] counts) {
            Map<IdentifierType, Long> out = new EnumMap<>(IdentifierType.class);
            for (IdentifierType type : IdentifierType.values()) {
                if (counts[type.ordinal()] > 0) {
                    out.put(type, counts[type.ordinal()]);
                }
            }
            return out;
        }
    }
}
