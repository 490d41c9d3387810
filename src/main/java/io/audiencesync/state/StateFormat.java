package io.audiencesync.state;

import com.fasterxml.jackson.databind.JsonNode;
import io.audiencesync.records.RecordFile;
import io.audiencesync.records.SortedRecords;
import io.audiencesync.report.Json;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The format of the state directory ({@code state/format.json}). From version 2 on every state file carries a seal
 * ({@link RecordFile.Seal}, {@link SealedJson}) and a file without one is damaged. A state directory of an earlier
 * release has no {@code format.json}: {@link #upgrade} seals its files in place, each after checking it record by
 * record, so an existing data directory syncs on with nothing sent again.
 */
public final class StateFormat {

    private static final Logger LOG = LoggerFactory.getLogger(StateFormat.class);
    static final String FILE = "format.json";
    static final int VERSION = 2;

    private StateFormat() {
    }

    /** Whether the state directory's files are sealed, so that one without a seal is damaged. */
    public static boolean sealed(Path stateDir) {
        return Files.exists(stateDir.resolve(FILE));
    }

    /**
     * Seals the files of an earlier release's state directory, once: the members of each list and the desired
     * states (checked record by record and for their order, then written again with a seal), the desired states'
     * status and the bindings. Each file is replaced atomically, so an upgrade that is cut short is done again.
     * A new state directory only gets its {@code format.json}.
     */
    public static void upgrade(Path stateDir) {
        if (sealed(stateDir)) {
            checkVersion(stateDir);
            return;
        }
        try {
            Files.createDirectories(stateDir);
            List<Path> sealed = new ArrayList<>();
            List<Path> records = new ArrayList<>(files(stateDir.resolve("lists"), 2, "members.bin"));
            records.addAll(files(stateDir.resolve("desired"), 1, ".bin"));
            List<Path> json = new ArrayList<>(files(stateDir.resolve("desired"), 1, ".json"));
            json.addAll(files(stateDir.resolve("syncs"), 1, ".json"));
            for (Path file : records) {
                seal(file, sealed, () -> sealRecords(file));
            }
            for (Path file : json) {
                seal(file, sealed, () -> sealJson(file));
            }
            LocalStateFiles.INSTANCE.write(stateDir.resolve(FILE),
                    Json.bytes(Map.of("version", VERSION, "sealed_at", Instant.now().toString())));
            if (!sealed.isEmpty()) {
                LOG.info("State in {}: {} files of an earlier release checked and sealed (format {}); nothing else changed",
                        stateDir.toAbsolutePath().normalize(), sealed.size(), VERSION);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot upgrade the state in " + stateDir, e);
        }
    }

    private static void checkVersion(Path stateDir) {
        JsonNode format = SealedJson.readTree(stateDir.resolve(FILE));
        int version = format == null ? -1 : format.path("version").asInt(-1);
        if (version > VERSION) {
            throw new StateCorruptedException(stateDir.resolve(FILE) + " says the state is in format " + version
                    + ", newer than this tool's (" + VERSION + "); run a newer pinterest-audience-sync");
        }
        if (version < VERSION) {
            throw new StateCorruptedException(stateDir.resolve(FILE) + " is damaged: it names no format this tool wrote."
                    + " Restore it from a backup, or write {\"version\": " + VERSION + "} into it if every state file is"
                    + " from this release");
        }
    }

    private static List<Path> files(Path dir, int depth, String suffix) throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> walk = Files.walk(dir, depth)) {
            return walk.filter(Files::isRegularFile).filter(p -> p.getFileName().toString().endsWith(suffix)).sorted().toList();
        }
    }

    private interface Sealing {
        void run() throws IOException;
    }

    /**
     * Seals one file. One that is damaged already is left as it is, unsealed: the run that uses it refuses it then,
     * naming it, and {@code run --once --reset-state} can set it aside.
     */
    private static void seal(Path file, List<Path> sealed, Sealing sealing) throws IOException {
        try {
            sealing.run();
            sealed.add(file);
        } catch (StateCorruptedException e) {
            LOG.error("State in {}: {} cannot be sealed for this release: {}", file.getParent(), file.getFileName(),
                    e.getMessage());
        }
    }

    /** Writes the records again with a seal, after reading every one of them and their order. */
    private static void sealRecords(Path file) throws IOException {
        Path sealing = file.resolveSibling(file.getFileName() + ".sealing");
        try (SortedRecords records = RecordFile.readUnsealed(file, "It is left unsealed");
             RecordFile.Writer out = new RecordFile.Writer(sealing)) {
            while (records.next()) {
                out.write(records.buffer(), records.offset());
            }
            out.closeAndForce();
        } catch (RuntimeException e) {
            Files.deleteIfExists(sealing);
            throw e;
        }
        Files.move(sealing, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private static void sealJson(Path file) {
        if (!SealedJson.isSealed(file)) {
            SealedJson.write(file, SealedJson.read(file, JsonNode.class, true,
                    "Restore it from a backup, or delete it: the next run starts the sync's state again"));
        }
    }
}
