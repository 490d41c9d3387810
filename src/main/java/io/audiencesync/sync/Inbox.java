package io.audiencesync.sync;

import io.audiencesync.source.CsvFormat;
import io.audiencesync.source.Marker;
import org.apache.camel.component.file.GenericFile;
import org.apache.camel.component.file.GenericFileFilter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Comparator;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The inbox's side of a run: which dropped files are ready, in which order, which are superseded, and where a file
 * goes once its run ended. A file whose snapshot was read completely goes to {@code .done} (the desired state now
 * holds it, whatever the run sent); a file that cannot be used goes to {@code .failed}; a file another process is
 * syncing stays where it is. With a marker setting ({@code source.file.marker}) a file is ready only once its
 * marker exists, and the marker goes with the file.
 *
 * <p>Each file is a full snapshot, so only the newest matters: a poll hands the files newest first (last in
 * file-name order), and once one of them was read completely, the older ones of that poll are superseded: moved to
 * {@code .done} unread. A newest file that is not a usable snapshot leaves the next newest to be synced. With
 * {@code source.file.sync-every-file} every file is synced in turn, oldest first.
 */
public final class Inbox implements GenericFileFilter<File>, Comparator<GenericFile<File>> {

    private static final Logger LOG = LoggerFactory.getLogger(Inbox.class);
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss");

    private final Path dir;
    private final Marker marker;
    private final boolean followSymlinks;
    private final boolean everyFile;
    private final boolean dryRun;
    private final Clock clock;
    /** Files already said to be waiting, so that each poll does not say it again. */
    private final Set<String> waiting = ConcurrentHashMap.newKeySet();
    /** Files already said to stay for another process, until they move. */
    private final Set<String> leftForOthers = ConcurrentHashMap.newKeySet();
    /** The newest file of the current poll that was read completely; older ones are superseded by it. */
    private String syncedThisPoll;

    /** @param marker the marker a file waits for ({@code source.file.marker}); null for none */
    public Inbox(Path dir, Marker marker, boolean followSymlinks, boolean everyFile, boolean dryRun, Clock clock) {
        this.dir = dir;
        this.followSymlinks = followSymlinks;
        this.everyFile = everyFile;
        this.dryRun = dryRun;
        this.marker = marker;
        this.clock = clock;
    }

    /** The marker file of {@code fileName}, or null without a marker setting. */
    private Path markerOf(String fileName) {
        return marker == null ? null : marker.beside(dir.resolve(fileName));
    }

    @Override
    public boolean accept(GenericFile<File> file) {
        if (file.isDirectory()) {
            return false;
        }
        String name = file.getFileNameOnly();
        if (!CsvFormat.isSnapshotName(name)) {
            // Written right now (x.csv.part, x.csv.tmp), or a marker: quietly later; anything else is said once.
            String lower = name.toLowerCase(java.util.Locale.ROOT);
            boolean isMarker = marker != null && marker.isMarker(name);
            if (!lower.endsWith(".part") && !lower.endsWith(".tmp") && !isMarker && waiting.add(name)) {
                LOG.warn("{} in the inbox is not read: only *.csv and *.csv.gz files are snapshots", name);
            }
            return false;
        }
        // A link could point anywhere on the host; its content would be read and synced as this sync's model.
        if (!followSymlinks && Files.isSymbolicLink(file.getFile().toPath())) {
            if (waiting.add(file.getFileNameOnly())) {
                LOG.warn("{} is a symbolic link and is not read; copy or move the file into the inbox, or set"
                        + " source.file.follow-symlinks=true", file.getFileNameOnly());
            }
            return false;
        }
        Path marked = markerOf(file.getFileNameOnly());
        if (marked != null && !Files.exists(marked)) {
            if (waiting.add(file.getFileNameOnly())) {
                LOG.info("{} waits for its marker {} (source.file.marker) before it is read", file.getFileNameOnly(),
                        marked.getFileName());
            }
            return false;
        }
        waiting.remove(file.getFileNameOnly());
        return true;
    }

    /** The order files are handed out in: newest first (greatest name first), or oldest first to sync every file. */
    @Override
    public int compare(GenericFile<File> a, GenericFile<File> b) {
        int byName = a.getFileNameOnly().compareTo(b.getFileNameOnly());
        return everyFile ? byName : -byName;
    }

    /**
     * The newer snapshot that supersedes {@code fileName}, or null when it is to be synced: the file that this poll
     * read completely before it (the poll hands the newest first).
     *
     * @param batchIndex the file's place in its poll (Camel's CamelBatchIndex): 0 starts a new poll
     */
    public String supersededBy(String fileName, Integer batchIndex) {
        if (batchIndex == null || batchIndex == 0) {
            syncedThisPoll = null;
        }
        return everyFile || fileName == null ? null : syncedThisPoll;
    }

    /** A superseded file goes to {@code .done}, unread, as a synced one does (the plan command leaves it). */
    public void supersede(String path) {
        if (!dryRun) {
            move(Path.of(path), ".done");
        }
    }

    /**
     * After the file's run: read completely, it goes to {@code .done} (its run may still have left values owed: the
     * desired state holds them now), and the older files of this poll are superseded by it; else to {@code .failed}.
     * The plan command ({@code dryRun}) leaves every file.
     */
    public void settle(String path, SyncRun run) {
        boolean complete = run != null && run.snapshotComplete();
        if (complete) {
            syncedThisPoll = Path.of(path).getFileName().toString();
        }
        if (dryRun) {
            return;
        }
        if (!complete) {
            LOG.warn("{} moves to {}: it is not a usable snapshot (the run report says why)", Path.of(path).getFileName(),
                    dir.resolve(".failed"));
        }
        move(Path.of(path), complete ? ".done" : ".failed");
    }

    /** Another process is syncing this list: the file stays for a later poll. */
    public void leave(String path) {
        String name = Path.of(path).getFileName().toString();
        if (leftForOthers.add(name)) {
            LOG.info("{} stays in the inbox: another process is syncing this customer list; it is read once that run ended", name);
        }
    }

    private void move(Path file, String to) {
        leftForOthers.remove(file.getFileName().toString());
        if (!Files.exists(file)) {
            LOG.warn("{} is no longer in the inbox (moved by another process?); nothing to move to {}", file, to);
            return;
        }
        Path target = dir.resolve(to).resolve(LocalDateTime.now(clock).format(STAMP) + "-" + file.getFileName());
        try {
            Files.createDirectories(target.getParent());
            Files.move(file, target, StandardCopyOption.ATOMIC_MOVE);
            Path marked = markerOf(file.getFileName().toString());
            if (marked != null) {
                Files.deleteIfExists(marked);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot move " + file + " to " + target.getParent(), e);
        }
    }
}
