package io.audiencesync.state;

import io.audiencesync.identity.Normalizer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The embedded store ({@code state.store=file}): one directory per customer list under {@code state/lists/} (see
 * {@link ListState}), and a lock file per list name under {@code state/locks/}, held with an OS file lock for the
 * run. The OS drops the lock when the process dies, so a killed run never leaves a stale lock.
 */
public final class FileStateStore implements StateStore {

    private final Path stateRoot;
    private final int sortBufferValues;

    public FileStateStore(Path stateRoot, int sortBufferValues) {
        this.stateRoot = stateRoot;
        this.sortBufferValues = sortBufferValues;
    }

    @Override
    public StateFiles files(Path dataDir) {
        return LocalStateFiles.INSTANCE;
    }

    @Override
    public String kind() {
        return "file";
    }

    /**
     * The part of a file name that stands for a list key (ad account and list name): readable where the key is, and
     * unique by a hash of the whole key. The list's lock file and its desired state are named by it.
     */
    static String fileStem(String listKey) {
        String safe = listKey.replaceAll("[^A-Za-z0-9._-]", "_");
        return safe.substring(0, Math.min(safe.length(), 80)) + "-" + Normalizer.sha256(listKey).substring(0, 12);
    }

    @Override
    public Session begin(String lockKey) {
        Path file = stateRoot.resolve("locks").resolve(fileStem(lockKey) + ".lock");
        FileChannel channel = null;
        try {
            Files.createDirectories(file.getParent());
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
            if (lock == null) {
                channel.close();
                throw new StateLockedException("another process is syncing '" + lockKey + "' (it holds " + file
                        + "); this run stopped before reading the snapshot and sent nothing");
            }
            FileChannel held = channel;
            return new Session() {
                @Override
                public StoredList open(String customerListId) {
                    ListState state = ListState.open(stateRoot, customerListId, sortBufferValues);
                    // Folds batches acknowledged by an earlier run that did not finish (crash, kill -9).
                    state.compact();
                    return state;
                }

                @Override
                public boolean hasState(String customerListId) {
                    return ListState.open(stateRoot, customerListId, sortBufferValues).exists();
                }

                @Override
                public String setAside(String customerListId, Path setAsideDir) {
                    Path list = stateRoot.resolve("lists").resolve(customerListId);
                    if (!Files.exists(list)) {
                        return "no state of customer list " + customerListId;
                    }
                    Path target = setAsideDir.resolve("lists").resolve(customerListId);
                    try {
                        Files.createDirectories(target.getParent());
                        Files.move(list, target, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
                    } catch (IOException e) {
                        throw new UncheckedIOException("cannot move " + list + " to " + target, e);
                    }
                    return list + " moved to " + target;
                }

                @Override
                public void close() {
                    try {
                        held.close();
                    } catch (IOException ignored) {
                        // closing the channel releases the lock; the OS releases it anyway when the process ends
                    }
                }
            };
        } catch (IOException e) {
            if (channel != null) {
                try {
                    channel.close();
                } catch (IOException ignored) {
                    // the lock was not taken
                }
            }
            throw new UncheckedIOException("cannot lock " + file, e);
        }
    }

    @Override
    public void close() {
    }
}
