package io.audiencesync.state;

import java.io.OutputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Where the files of a workspace's own records live, besides the members of its lists: the syncs' bindings, desired
 * states, leaders and health readings under {@code state/}, the run reports, plans and dead letters of each sync. With
 * {@code state.store=file} they are files under {@code sync.data-dir} ({@link LocalStateFiles}); with {@code postgres}
 * they are rows of the store's schema ({@link PostgresStateFiles}), so that replicas without a shared volume share
 * them, and a replica that takes a sync over finds everything the sync's last leader left.
 *
 * <p>Files are named by their path; what identifies one across replicas is that path relative to the workspace's
 * data directory ({@code state/desired/x.json}, {@code syncs/x/runs/r.json}), the same on every replica.
 */
public interface StateFiles {

    /** The file's content; empty when there is none. */
    Optional<byte[]> read(Path file);

    /** Replaces the file's content at once: a reader sees the old content or the new, never a part. */
    void write(Path file, byte[] content);

    /** Adds {@code content} to the end of the file (made when missing), durably before it returns. */
    void append(Path file, byte[] content);

    /** Deletes the file; false when there was none. */
    boolean delete(Path file);

    /** The files directly in {@code dir} whose names end with {@code suffix}, in name order. */
    List<Path> list(Path dir, String suffix);

    /** Renames the file (setting state aside); false when there was none. */
    boolean move(Path from, Path to);

    /**
     * Keeps a large file this process wrote and forced to the disk ({@link io.audiencesync.records.RecordFile}): it
     * is streamed into the store, never held in memory. For files on the disk already, nothing.
     */
    void store(Path file);

    /**
     * {@link #store} done while this process writes the file, for a large one: the writer copies every byte it writes
     * to the file to the returned {@link Upload} as well, in order, and calls {@link Upload#finish()} once the file is
     * forced to the disk; what was kept under the name before stays in force until then, and stays when the upload is
     * closed without it. For files on the disk, nothing to do.
     */
    default Upload upload(Path file) {
        return new Upload() {
            @Override
            public void write(byte[] b, int off, int len) {
            }

            @Override
            public void write(int b) {
            }

            @Override
            public void finish() {
            }
        };
    }

    /** The bytes of a file being written, kept as they come by {@link #finish()}, dropped by a close without it. */
    abstract class Upload extends OutputStream {
        /** Keeps everything written, replacing what was kept under the file's name; returns once it is kept. */
        public abstract void finish();

        @Override
        public void close() {
        }
    }

    /**
     * Makes the local {@code file} hold what {@link #store} kept under its name, streamed from the store when the
     * local copy is missing or differs from it, and returns it.
     *
     * @return false when the store has no such file
     */
    boolean fetch(Path file);

    /** The file as a message names it: its path, or where in PostgreSQL it is. */
    String describe(Path file);
}
