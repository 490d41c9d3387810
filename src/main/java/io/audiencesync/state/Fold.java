package io.audiencesync.state;

import io.audiencesync.records.RecordFile;
import io.audiencesync.records.SnapshotCollector;
import io.audiencesync.records.SortedRecords;
import io.audiencesync.records.WireRecords;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Folding acknowledged batches into a list's sorted members, the same way in both stores: the batches' values are
 * sorted by operation ({@link Sink}), then merged with the members, (members ∪ adds) − removes ({@link #merge}).
 */
final class Fold {

    /** Where {@link #merge} writes the folded members, in order. */
    interface Out {
        void write(byte[] buf, int off);
    }

    private Fold() {
    }

    /** (members ∪ adds) − removes, all sorted, handed to {@code w} in order; closes the three; returns the count. */
    static long merge(SortedRecords base, SortedRecords adds, SortedRecords removes, Out w) {
        long count = 0;
        try (base; adds; removes) {
            boolean m = base.next();
            boolean a = adds.next();
            boolean r = removes.next();
            while (m || a) {
                SortedRecords src;
                boolean both = false;
                if (!a) {
                    src = base;
                } else if (!m) {
                    src = adds;
                } else {
                    int c = WireRecords.compare(base.buffer(), base.offset(), adds.buffer(), adds.offset());
                    src = c <= 0 ? base : adds;
                    both = c == 0;
                }
                while (r && WireRecords.compare(removes.buffer(), removes.offset(), src.buffer(), src.offset()) < 0) {
                    r = removes.next();
                }
                if (!r || WireRecords.compare(removes.buffer(), removes.offset(), src.buffer(), src.offset()) != 0) {
                    w.write(src.buffer(), src.offset());
                    count++;
                }
                if (src == base) {
                    m = base.next();
                    if (both) {
                        a = adds.next();
                    }
                } else {
                    a = adds.next();
                }
            }
        }
        return count;
    }


    /**
     * The values of one operation from a journal of batches, sorted. A run sends its batches in record order, so they are
     * usually sorted already and are written straight to a file; the first value out of order (a journal left by
     * several runs) hands everything to a {@link SnapshotCollector} to sort.
     */
    static final class Sink {
        private final Path work;
        private final String name;
        private final int sortBufferValues;
        private final Path file;
        private final RecordFile.Writer writer;
        private final byte[] record = new byte[WireRecords.MAX_LENGTH];
        private final Ascending order = new Ascending();
        private SnapshotCollector collector;

        Sink(Path work, String name, int sortBufferValues) {
            this.work = work;
            this.name = name;
            this.sortBufferValues = sortBufferValues;
            this.file = work.resolve(name + ".bin");
            this.writer = new RecordFile.Writer(file);
        }

        void add(String line) {
            WireRecords.encodeLine(line, record, 0);
            addRecord(record, 0);
        }

        void addRecord(byte[] buf, int off) {
            if (collector != null) {
                collector.addRecord(buf, off);
                return;
            }
            Ascending.Next next = order.next(buf, off);
            if (next == Ascending.Next.REPEAT) {
                return;
            }
            if (next == Ascending.Next.OUT_OF_ORDER) {
                writer.close();
                collector = new SnapshotCollector(work, sortBufferValues, name);
                try (SortedRecords sorted = RecordFile.read(file)) {
                    while (sorted.next()) {
                        collector.addRecord(sorted.buffer(), sorted.offset());
                    }
                }
                collector.addRecord(buf, off);
                return;
            }
            writer.write(buf, off);
        }

        SortedRecords finish() {
            if (collector != null) {
                return collector.finish();
            }
            writer.close();
            return RecordFile.read(file);
        }

        boolean isEmpty() {
            return collector == null && writer.count() == 0;
        }

        /** Whether every value came in order, so the sink's file is sorted and distinct. */
        boolean isSortedFile() {
            return collector == null;
        }

        /** Forces the sorted file to the disk and moves it to {@code target}; returns its count. */
        long finishFile(Path target) throws IOException {
            writer.closeAndForce();
            Files.move(file, target, StandardCopyOption.REPLACE_EXISTING);
            return writer.count();
        }
    }


    /** Follows records meant to come in ascending order: says of each whether it is new, the last one again, or lower. */
    static final class Ascending {
        enum Next { NEW, REPEAT, OUT_OF_ORDER }

        private final byte[] last = new byte[WireRecords.MAX_LENGTH];
        private boolean hasLast;

        Next next(byte[] buf, int off) {
            int c = hasLast ? WireRecords.compare(last, 0, buf, off) : -1;
            if (c > 0) {
                return Next.OUT_OF_ORDER;
            }
            if (c == 0) {
                return Next.REPEAT;
            }
            System.arraycopy(buf, off, last, 0, WireRecords.length(buf, off));
            hasLast = true;
            return Next.NEW;
        }
    }

    /** Deletes a fold's work directory and everything in it, if it is there. */
    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
