package io.audiencesync.cli;

import io.audiencesync.config.SyncSettings;
import io.audiencesync.source.CsvFormat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;

/**
 * {@code run --once FILE} and {@code plan FILE}: the file is synced through the same routes as a dropped one, from an
 * inbox of its own under {@code sync.data-dir/try} that holds a link to it (a copy across file systems), so the file
 * itself is never moved; the query does not run. The inbox goes when the command ends.
 */
final class SingleFile implements AutoCloseable {

    private final Path dir;

    private SingleFile(Path dir) {
        this.dir = dir;
    }

    /** Sets {@code overrides} to sync only {@code file}; null (with the reason on {@code err}) when it cannot be read. */
    static SingleFile inbox(Path file, SyncSettings settings, Map<String, String> overrides, PrintWriter err) throws IOException {
        String name = file.getFileName().toString();
        String problem = !Files.isRegularFile(file) ? "no such file: " + file.toAbsolutePath()
                : !Files.isReadable(file) ? "cannot read " + file.toAbsolutePath() + " (permissions)"
                : !CsvFormat.isSnapshotName(name) ? file + " is not a snapshot: its name must end with .csv or .csv.gz"
                : null;
        if (problem != null) {
            err.println("pinterest-audience-sync: " + problem);
            err.flush();
            return null;
        }
        Path dir = Files.createDirectories(settings.dataDir().resolve("try").resolve(Long.toString(Instant.now().toEpochMilli())));
        Path link = dir.resolve(name);
        try {
            Files.createLink(link, file.toAbsolutePath());
        } catch (IOException | UnsupportedOperationException e) {
            Files.copy(file, link);
        }
        overrides.put("source.file.dir", dir.toString());
        // The file is whole: nothing writes it while it is synced.
        overrides.put("source.file.stable-seconds", "0");
        overrides.put("source.file.marker", "");
        overrides.put("source.jdbc.url", "");
        return new SingleFile(dir);
    }

    @Override
    public void close() {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove " + dir, e);
        }
    }
}
