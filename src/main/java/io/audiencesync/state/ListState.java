package io.audiencesync.state;

import io.audiencesync.plan.Batch;
import io.audiencesync.plan.Operation;
import io.audiencesync.plan.Plan;
import io.audiencesync.plan.Planner;
import io.audiencesync.records.RecordFile;
import io.audiencesync.records.SortedRecords;
import io.audiencesync.records.WireRecords;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;

/**
 * What Pinterest has acknowledged for one customer list, in the file store: the wire values this tool added and
 * has not removed since. Kept as a sorted file of binary records ({@code members.bin}, see {@link WireRecords})
 * plus a binary journal of acknowledged batches ({@code journal.bin}, see {@link Journal}).
 *
 * <p>Each acknowledged batch is appended to the journal as one checksummed block before the next batch is sent,
 * and forced to disk while that next batch is on its way, so a killed process loses nothing and a machine that
 * loses power at most the last acknowledged batch, which is then resent (ADD and REMOVE are idempotent at
 * Pinterest). {@link #compact()} folds the journal into a new sorted file written beside the old one and renamed
 * over it atomically; replaying a journal twice gives the same result. A first sync, whose batches arrive as
 * ascending ADDs, writes that file while it sends instead ({@link MembersBuilder}), and only renames it at the end.
 */
public final class ListState implements StateStore.StoredList {

    private static final Logger LOG = LoggerFactory.getLogger(ListState.class);

    /** Values sorted in memory at a time when folding, unless {@code sync.sort-buffer-values} says otherwise. */
    public static final int DEFAULT_SORT_BUFFER = 500_000;
    /** Forces journal blocks to the disk while the next batch is sent; one thread for every list of the process. */
    private static final Executor FORCER = Executors.newSingleThreadExecutor(task -> {
        Thread t = new Thread(task, "state-journal-force");
        t.setDaemon(true);
        return t;
    });

    private final Path dir;
    private final Path members;
    private final Path journal;
    private final int sortBufferValues;
    /** What a person does when this list's state turns out damaged. */
    private final String advice;
    /** The journal this instance appends to, open from the first commit until the journal is folded. */
    private FileChannel channel;
    /** The number of the last block in the journal. */
    private long sequence;
    private CompletableFuture<Void> pendingForce;
    /** A first sync's members file, written beside the journal as batches are acknowledged; null when not building. */
    private MembersBuilder building;

    private ListState(Path dir, String customerListId, int sortBufferValues) {
        this.dir = dir;
        this.members = dir.resolve("members.bin");
        this.journal = dir.resolve("journal.bin");
        this.sortBufferValues = sortBufferValues;
        this.advice = StateCorruptedException.resetAdvice("customer list " + customerListId);
    }

    /** The state of one customer list under {@code stateRoot/lists/<id>}. */
    public static ListState open(Path stateRoot, String customerListId) {
        return open(stateRoot, customerListId, DEFAULT_SORT_BUFFER);
    }

    /** Like {@link #open(Path, String)}; folding the journal sorts in memory up to {@code sortBufferValues} values at a time. */
    public static ListState open(Path stateRoot, String customerListId, int sortBufferValues) {
        if (!customerListId.matches("\\d{1,18}")) {
            throw new IllegalArgumentException("customer list id must be 1-18 digits");
        }
        return new ListState(stateRoot.resolve("lists").resolve(customerListId), customerListId, sortBufferValues);
    }

    /**
     * The number of values in the sorted members file, read without changing anything; batches still in the journal
     * (a run in progress) are not counted.
     */
    public long memberCount() {
        long count = 0;
        try (SortedRecords records = readMembers()) {
            while (records.next()) {
                count++;
            }
        }
        return count;
    }

    /** The sorted members file (may not exist: no state yet). Valid after {@link #compact()}. */
    public Path members() {
        return members;
    }

    /** The members as {@code value<TAB>TYPE} lines, in record order (small lists: tests, the demo). */
    public List<String> lines() {
        return RecordFile.lines(members);
    }

    /** The members file, checked as it is read (its seal, every record, their order). */
    private SortedRecords readMembers() {
        return RecordFile.read(members, RecordFile.Order.ASCENDING, -1, advice);
    }

    /** Whether this tool has written any state for the list (members, or acknowledged batches not folded yet). */
    public boolean exists() {
        return Files.exists(members) || Files.exists(journal);
    }

    @Override
    public Plan plan(SortedRecords snapshot, Path workDir) {
        return Planner.plan(snapshot, readMembers(), workDir);
    }

    @Override
    public void finish() {
        compact();
    }

    /**
     * Records a batch Pinterest acknowledged; lines are {@code value<TAB>TYPE}. The block is written before this
     * returns (a killed process loses nothing of it) and forced to the disk while the next batch is on its way: the
     * previous block's force is waited for first, so at most the last acknowledged block is only in the operating
     * system's cache. {@link #finish()} forces that one too.
     */
    @Override
    public void commit(Batch batch) {
        if (batch.size() == 0) {
            return;
        }
        awaitForce();
        try {
            if (channel == null) {
                Files.createDirectories(dir);
                sequence = Files.exists(journal) ? lastSequence() : 0;
                if (building == null && isFirstSync()) {
                    building = new MembersBuilder(dir.resolve(MembersBuilder.FILE));
                }
                channel = FileChannel.open(journal, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
            }
            ByteBuffer block = Journal.block(++sequence, batch.operation(), batch.size(), batch.records());
            FileChannel ch = channel;
            while (block.hasRemaining()) {
                ch.write(block);
            }
            if (building != null) {
                building.append(batch.operation(), batch.records(), batch.size());
            }
            pendingForce = CompletableFuture.runAsync(() -> {
                try {
                    ch.force(false);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }, FORCER);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot record an acknowledged batch in " + journal, e);
        }
    }

    /** Waits until every block written so far is on the disk. */
    private void awaitForce() {
        CompletableFuture<Void> force = pendingForce;
        if (force == null) {
            return;
        }
        pendingForce = null;
        try {
            force.join();
        } catch (CompletionException e) {
            throw new UncheckedIOException("cannot force the state journal " + journal + " to the disk",
                    e.getCause() instanceof UncheckedIOException u ? u.getCause() : new IOException(e.getCause()));
        }
    }

    /** Forces and closes the journal this instance appends to (reopened by the next commit). */
    private void closeJournal() {
        try {
            awaitForce();
        } finally {
            if (channel != null) {
                try {
                    channel.close();
                } catch (IOException e) {
                    LOG.debug("Closing {}: {}", journal, e.toString());
                }
                channel = null;
            }
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
        closeJournal();
        long built = finishBuilding();
        if (built >= 0) {
            return built;
        }
        if (!Files.exists(journal)) {
            return -1;
        }
        Path work = dir.resolve("compact.tmp");
        try {
            Fold.deleteTree(work);
            Files.createDirectories(work);
            Fold.Sink adds = new Fold.Sink(work, "adds", sortBufferValues);
            Fold.Sink removes = new Fold.Sink(work, "removes", sortBufferValues);
            replayJournal(adds, removes);
            Path next = dir.resolve("members.bin.tmp");
            long count;
            if (!Files.exists(members) && removes.isEmpty() && adds.isSortedFile()) {
                // A first sync: the journal's adds, sorted and distinct, are the members file as they are.
                count = adds.finishFile(next);
                removes.finish().close();
            } else {
                RecordFile.Writer w = new RecordFile.Writer(next);
                try {
                    count = Fold.merge(readMembers(), adds.finish(), removes.finish(), w::write);
                } finally {
                    w.closeAndForce();
                }
            }
            Files.move(next, members, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            Files.deleteIfExists(journal);
            Fold.deleteTree(work);
            return count;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot compact the state in " + dir, e);
        }
    }

    /** No members, no journal: every batch of this run is a first sync's, and may build the members file. */
    private boolean isFirstSync() {
        return !Files.exists(members) && !Files.exists(journal);
    }

    /**
     * Puts the members file built during this run in place, when every acknowledged batch was an ADD in ascending
     * order: it then holds exactly what folding the journal would write, and the journal goes. Otherwise (or when
     * nothing was built, or a file was left by a process that died) the built file is deleted.
     *
     * @return the number of members, or -1 when the journal must be folded
     */
    private long finishBuilding() {
        MembersBuilder builder = building;
        building = null;
        Path file = dir.resolve(MembersBuilder.FILE);
        try {
            if (builder != null && builder.finish() && !Files.exists(members)) {
                Files.move(file, members, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                Files.deleteIfExists(journal);
                return builder.count();
            }
            Files.deleteIfExists(file);
            return -1;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot compact the state in " + dir, e);
        }
    }

    private void replayJournal(Fold.Sink adds, Fold.Sink removes) throws IOException {
        long torn;
        try {
            torn = Journal.replay(journal, (operation, buf, off) -> (operation == Operation.ADD ? adds : removes).addRecord(buf, off));
        } catch (Journal.Damaged e) {
            throw corrupt(e);
        }
        if (torn >= 0) {
            LOG.warn("State journal {}: dropped a torn last batch of {} values; it will be sent again", journal, torn);
        }
    }

    /** The last block's number in a journal an earlier run of this process left unfolded. */
    private long lastSequence() throws IOException {
        try {
            return Journal.lastSequence(journal);
        } catch (Journal.Damaged e) {
            throw corrupt(e);
        }
    }

    private StateCorruptedException corrupt(Journal.Damaged e) {
        return new StateCorruptedException(journal + " is damaged: " + e.getMessage() + " (at byte " + e.offset + "). "
                + advice);
    }

    /**
     * Writes a first sync's members file while its batches are acknowledged, on a thread of its own and off the
     * sending path, so that the end of the run only forces its last part and renames it: folding a 15-million-value
     * journal instead reads and writes 520 MB after the last call. The journal stays the record (a process that
     * dies leaves a half-built file that the next fold deletes); the file is used only when every batch was an ADD
     * and the values came in ascending order, as a first sync's plan sends them. It is forced every
     * {@value #FORCE_EVERY} bytes, because the operating system would otherwise keep it all in its cache until
     * the final force.
     */
    private static final class MembersBuilder {
        static final String FILE = "members.bin.building";
        static final long FORCE_EVERY = 16L << 20;
        private static final Executor WRITER = Executors.newSingleThreadExecutor(task -> {
            Thread t = new Thread(task, "state-members-build");
            t.setDaemon(true);
            return t;
        });

        private final Path file;
        private final Fold.Ascending order = new Fold.Ascending();
        private final RecordFile.Seal seal = new RecordFile.Seal();
        private FileChannel out;
        private CompletableFuture<Void> written = CompletableFuture.completedFuture(null);
        // Written on the WRITER thread only; read by finish() once every write is done.
        private boolean usable = true;
        private long count;
        private long unforced;

        MembersBuilder(Path file) {
            this.file = file;
            try {
                out = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                        StandardOpenOption.TRUNCATE_EXISTING);
            } catch (IOException e) {
                LOG.debug("Not building {}: {}", file, e.toString());
                usable = false;
            }
        }

        void append(Operation operation, byte[] records, int size) {
            written = written.thenRunAsync(() -> write(operation, records, size), WRITER);
        }

        private void write(Operation operation, byte[] records, int size) {
            if (!usable) {
                return;
            }
            try {
                if (operation != Operation.ADD) {
                    usable = false;
                    return;
                }
                // Skip what the last batch already ended with; anything lower means the values are not in order.
                int from = 0;
                int off = 0;
                for (int i = 0; i < size; i++) {
                    Fold.Ascending.Next next = order.next(records, off);
                    if (next == Fold.Ascending.Next.OUT_OF_ORDER) {
                        usable = false;
                        return;
                    }
                    int length = WireRecords.length(records, off);
                    if (next == Fold.Ascending.Next.REPEAT) {
                        writeAll(records, from, off - from);
                        from = off + length;
                    } else {
                        count++;
                    }
                    off += length;
                }
                writeAll(records, from, off - from);
                if (unforced >= FORCE_EVERY) {
                    out.force(false);
                    unforced = 0;
                }
            } catch (IOException | RuntimeException e) {
                LOG.debug("Not building {} any more: {}", file, e.toString());
                usable = false;
            }
        }

        private void writeAll(byte[] records, int from, int length) throws IOException {
            seal.bytes(records, from, length);
            ByteBuffer buffer = ByteBuffer.wrap(records, from, length);
            while (buffer.hasRemaining()) {
                out.write(buffer);
            }
            unforced += length;
        }

        /** Waits for every write; seals, forces and closes the file; whether it holds exactly the batches appended. */
        boolean finish() throws IOException {
            written.join();
            if (out == null) {
                return false;
            }
            try (FileChannel channel = out) {
                if (usable) {
                    seal.records(count);
                    ByteBuffer end = ByteBuffer.wrap(seal.toBytes());
                    while (end.hasRemaining()) {
                        channel.write(end);
                    }
                    channel.force(true);
                }
            }
            return usable;
        }

        long count() {
            return count;
        }
    }
}
