package io.audiencesync.emulator;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the emulator's lists, audiences and members in a directory across restarts: {@value #FILE}, loaded at start,
 * written again once a second when anything changed and once more when the emulator stops.
 *
 * <p>Why not on every write: the file holds every member of every list, so writing it per call would make a sync
 * of a large list quadratic; a sync sends thousands of values a call, many calls a second. What a crash (not a
 * stop) can lose is the last second, and the file on disk is always a whole one: each is written beside it and
 * renamed over it. A lock file keeps a second emulator off the same directory.
 */
final class DataDir implements AutoCloseable {

    static final String FILE = "emulator-state.json";
    static final Duration INTERVAL = Duration.ofSeconds(1);
    private static final Logger LOG = LoggerFactory.getLogger(DataDir.class);
    private static final ObjectMapper JSON = JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .build();

    private final Path dir;
    private final Store store;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final ScheduledExecutorService writer;
    /** The store's version the file on disk holds. */
    private long written;

    private DataDir(Path dir, Store store, FileChannel lockChannel, FileLock lock) {
        this.dir = dir;
        this.store = store;
        this.lockChannel = lockChannel;
        this.lock = lock;
        this.written = store.version();
        this.writer = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread t = new Thread(task, "emulator-data-dir");
            t.setDaemon(true);
            return t;
        });
        writer.scheduleWithFixedDelay(this::writeIfChanged, INTERVAL.toMillis(), INTERVAL.toMillis(),
                TimeUnit.MILLISECONDS);
    }

    /**
     * Locks {@code dir} (creating it), loads what it holds into {@code store} and keeps it up to date from then on.
     *
     * @throws IllegalStateException when another emulator uses the directory, or its file cannot be read
     */
    static DataDir open(Path dir, Store store) {
        FileChannel channel = null;
        try {
            Files.createDirectories(dir);
            channel = FileChannel.open(dir.resolve("emulator.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null; // held by another emulator in this JVM
            }
            if (lock == null) {
                throw new IllegalStateException("another emulator uses the data directory " + dir
                        + "; stop it, or give this one another --data-dir");
            }
            Path file = dir.resolve(FILE);
            if (Files.exists(file)) {
                store.restore(read(file));
            }
            return new DataDir(dir, store, channel, lock);
        } catch (IOException e) {
            close(channel);
            throw new UncheckedIOException("cannot use the data directory " + dir + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            close(channel);
            throw e;
        }
    }

    private static SavedState read(Path file) {
        JsonNode tree;
        try {
            tree = JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw cannotRead(file, e);
        }
        int format = tree == null ? -1 : tree.path("format").asInt(-1);
        if (format != SavedState.FORMAT) {
            throw new IllegalStateException(file + " is of format " + format + ", this emulator reads "
                    + SavedState.FORMAT + "; move it away to start empty");
        }
        try {
            return JSON.treeToValue(tree, SavedState.class);
        } catch (IOException | IllegalArgumentException e) {
            throw cannotRead(file, e);
        }
    }

    private static IllegalStateException cannotRead(Path file, Exception e) {
        // The class only: Jackson's message can quote the file, which holds member values.
        return new IllegalStateException("cannot read " + file + " (" + e.getClass().getSimpleName()
                + "); move it away to start empty", e);
    }

    private synchronized void writeIfChanged() {
        long version = store.version();
        if (version == written) {
            return;
        }
        try {
            write(store.export());
            written = version;
        } catch (IOException | RuntimeException e) {
            // Tried again at the next tick; the file on disk stays the last whole one.
            LOG.warn("Emulator: cannot write {}: {}", dir.resolve(FILE), e.toString());
        }
    }

    private void write(SavedState state) throws IOException {
        Path file = dir.resolve(FILE);
        Path temporary = dir.resolve(FILE + ".tmp");
        JSON.writeValue(temporary.toFile(), state);
        try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.WRITE)) {
            // On disk before the rename: a crash then leaves the old file or the new one, never a torn one.
            channel.force(true);
        }
        try {
            Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Writes what changed since the last tick, then lets the directory go. */
    @Override
    public void close() {
        writer.shutdownNow();
        try {
            writer.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        writeIfChanged();
        try {
            lock.release();
        } catch (IOException e) {
            LOG.debug("releasing the data directory lock", e);
        }
        close(lockChannel);
    }

    private static void close(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException e) {
                LOG.debug("closing the data directory lock", e);
            }
        }
    }
}
