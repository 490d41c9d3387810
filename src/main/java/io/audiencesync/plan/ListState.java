package io.audiencesync.plan;

import com.google.code.externalsorting.ExternalSort;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;

/**
 * What Pinterest has acknowledged for one customer list: the wire values this tool added and has not
 * removed since. Kept as a sorted file ({@code members.sorted}) plus a journal of acknowledged batches.
 *
 * <p>Each acknowledged batch is appended to the journal as one checksummed block and forced to disk before
 * the next batch is sent, so a crash loses at most a batch that will be resent (ADD and REMOVE are
 * idempotent at Pinterest). {@link #compact()} folds the journal into a new sorted file written beside the
 * old one and renamed over it atomically; replaying a journal twice gives the same result.
 */
public final class ListState {

    private static final Logger LOG = LoggerFactory.getLogger(ListState.class);
    private static final String BEGIN = "#begin ";
    private static final String END = "#end ";

    private final Path dir;
    private final Path members;
    private final Path journal;

    private ListState(Path dir) {
        this.dir = dir;
        this.members = dir.resolve("members.sorted");
        this.journal = dir.resolve("journal.log");
    }

    /** The state of one customer list under {@code stateRoot/lists/<id>}. */
    public static ListState open(Path stateRoot, String customerListId) {
        if (!customerListId.matches("\\d{1,18}")) {
            throw new IllegalArgumentException("customer list id must be 1-18 digits");
        }
        return new ListState(stateRoot.resolve("lists").resolve(customerListId));
    }

    /**
     * The number of values in the sorted members file, read without changing anything; batches still in the journal
     * (a run in progress) are not counted.
     */
    public long memberCount() {
        if (!Files.exists(members)) {
            return 0;
        }
        try (var lines = Files.lines(members, StandardCharsets.UTF_8)) {
            return lines.count();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + members, e);
        }
    }

    /** The sorted members file (may not exist: no state yet). Valid after {@link #compact()}. */
    public Path members() {
        return members;
    }

    /** Records a batch Pinterest acknowledged. Lines must be wire lines in value order. */
    public void commit(Operation operation, List<String> lines) {
        if (lines.isEmpty()) {
            return;
        }
        StringBuilder block = new StringBuilder(lines.size() * 80);
        block.append(BEGIN).append(operation).append(' ').append(lines.size()).append('\n');
        CRC32 crc = new CRC32();
        for (String line : lines) {
            byte[] bytes = (line + '\n').getBytes(StandardCharsets.UTF_8);
            crc.update(bytes);
            block.append(line).append('\n');
        }
        block.append(END).append(lines.size()).append(' ').append(Long.toHexString(crc.getValue())).append('\n');
        try {
            Files.createDirectories(dir);
            try (FileChannel ch = FileChannel.open(journal, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.APPEND)) {
                ByteBuffer buf = ByteBuffer.wrap(block.toString().getBytes(StandardCharsets.UTF_8));
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(false);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot record an acknowledged batch in " + journal, e);
        }
    }

    /**
     * Folds the journal into the sorted members file. A torn last block (the process died while writing it)
     * is dropped with a warning: its batch was acknowledged but not recorded, and the next plan sends it again.
     *
     * @return the number of members after compaction, or -1 when there was nothing to fold
     * @throws StateCorruptedException when a block other than the last one is damaged
     */
    public long compact() {
        if (!Files.exists(journal)) {
            return -1;
        }
        try {
            Path adds = dir.resolve("journal-adds.tmp");
            Path removes = dir.resolve("journal-removes.tmp");
            splitJournal(adds, removes);
            Path next = dir.resolve("members.sorted.tmp");
            long count = merge(members, adds, removes, next);
            try (FileChannel ch = FileChannel.open(next, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            Files.move(next, members, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            Files.delete(journal);
            Files.deleteIfExists(adds);
            Files.deleteIfExists(removes);
            return count;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot compact the state in " + dir, e);
        }
    }

    private void splitJournal(Path adds, Path removes) throws IOException {
        boolean addsSorted = true;
        boolean removesSorted = true;
        String lastAdd = null;
        String lastRemove = null;
        try (BufferedReader in = Files.newBufferedReader(journal, StandardCharsets.UTF_8);
             BufferedWriter addOut = Files.newBufferedWriter(adds, StandardCharsets.UTF_8);
             BufferedWriter removeOut = Files.newBufferedWriter(removes, StandardCharsets.UTF_8)) {
            List<String> block = new ArrayList<>();
            Operation op = null;
            long lineNo = 0;
            String line;
            while ((line = in.readLine()) != null) {
                lineNo++;
                if (line.startsWith(BEGIN)) {
                    op = op == null ? parseBegin(line) : null;
                    if (op == null) {
                        tornTailOrCorrupt(in, lineNo, "a batch header is damaged", block.size());
                        break;
                    }
                    block.clear();
                } else if (line.startsWith(END)) {
                    if (op == null || !validEnd(line, block)) {
                        tornTailOrCorrupt(in, lineNo, "a batch checksum does not match", block.size());
                        op = null;
                        break;
                    }
                    BufferedWriter out = op == Operation.ADD ? addOut : removeOut;
                    for (String value : block) {
                        if (op == Operation.ADD) {
                            addsSorted &= lastAdd == null || WireLines.BY_VALUE.compare(lastAdd, value) < 0;
                            lastAdd = value;
                        } else {
                            removesSorted &= lastRemove == null || WireLines.BY_VALUE.compare(lastRemove, value) < 0;
                            lastRemove = value;
                        }
                        out.write(value);
                        out.write('\n');
                    }
                    op = null;
                    block.clear();
                } else if (op != null) {
                    block.add(line);
                } else {
                    tornTailOrCorrupt(in, lineNo, "a value outside any batch", 0);
                    break;
                }
            }
            if (op != null) {
                LOG.warn("State journal {}: dropped a torn last batch of {} values; it will be sent again",
                        journal, block.size());
            }
        }
        // Batches of one run go out in value order; anything else (e.g. a journal from several runs) is sorted here.
        if (!addsSorted) {
            sortInPlace(adds);
        }
        if (!removesSorted) {
            sortInPlace(removes);
        }
    }

    private static Operation parseBegin(String line) {
        String[] parts = line.substring(BEGIN.length()).split(" ");
        if (parts.length != 2) {
            return null;
        }
        for (Operation op : Operation.values()) {
            if (op.name().equals(parts[0])) {
                return op;
            }
        }
        return null;
    }

    /** A damaged block at the very end is a torn write (dropped, to be resent); anywhere else it is corruption. */
    private void tornTailOrCorrupt(BufferedReader in, long lineNo, String what, int blockSize) throws IOException {
        if (in.readLine() != null) {
            throw corrupt(lineNo, what);
        }
        LOG.warn("State journal {}: dropped a torn last batch of {} values; it will be sent again", journal, blockSize);
    }

    private static boolean validEnd(String line, List<String> block) {
        String[] parts = line.substring(END.length()).split(" ");
        if (parts.length != 2) {
            return false;
        }
        CRC32 crc = new CRC32();
        for (String value : block) {
            crc.update((value + '\n').getBytes(StandardCharsets.UTF_8));
        }
        return parts[0].equals(Integer.toString(block.size())) && parts[1].equals(Long.toHexString(crc.getValue()));
    }

    private StateCorruptedException corrupt(long lineNo, String what) {
        return new StateCorruptedException("state journal " + journal + " line " + lineNo + ": " + what
                + ". The state of this customer list cannot be trusted; move " + dir
                + " away and run again to re-add every value of the model (removals of values sent before are then skipped).");
    }

    private void sortInPlace(Path file) throws IOException {
        List<File> runs = ExternalSort.sortInBatch(file.toFile(), WireLines.BY_VALUE, ExternalSort.DEFAULTMAXTEMPFILES,
                StandardCharsets.UTF_8, dir.toFile(), true);
        Path sorted = dir.resolve(file.getFileName() + ".sorted");
        ExternalSort.mergeSortedFiles(runs, sorted.toFile(), WireLines.BY_VALUE, StandardCharsets.UTF_8, true);
        Files.move(sorted, file, StandardCopyOption.REPLACE_EXISTING);
    }

    /** (members ∪ adds) − removes, all sorted by value; returns the number of lines written. */
    private static long merge(Path membersFile, Path addsFile, Path removesFile, Path out) throws IOException {
        long count = 0;
        try (SortedLines m = new SortedLines(membersFile);
             SortedLines a = new SortedLines(addsFile);
             SortedLines r = new SortedLines(removesFile);
             BufferedWriter w = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
            while (m.hasNext() || a.hasNext()) {
                String next;
                if (!a.hasNext()) {
                    next = m.next();
                } else if (!m.hasNext()) {
                    next = a.next();
                } else {
                    int c = WireLines.BY_VALUE.compare(m.peek(), a.peek());
                    next = c <= 0 ? m.next() : a.next();
                    if (c == 0) {
                        a.next();
                    }
                }
                while (r.hasNext() && WireLines.BY_VALUE.compare(r.peek(), next) < 0) {
                    r.next();
                }
                if (r.hasNext() && WireLines.BY_VALUE.compare(r.peek(), next) == 0) {
                    continue;
                }
                w.write(next);
                w.write('\n');
                count++;
            }
        }
        return count;
    }
}
