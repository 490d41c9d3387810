package io.audiencesync.state;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.audiencesync.identity.Normalizer;
import io.audiencesync.report.Json;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The small JSON files of the state (the desired state's status, a sync's binding) with a {@code sha256} field over
 * the rest of the object, so that a byte changed, a file cut short or emptied is found when it is read, never used:
 * one changed digit of a list id would otherwise send a sync's values to another list.
 */
public final class SealedJson {

    static final String FIELD = "sha256";

    private SealedJson() {
    }

    /** Writes {@code value} with its seal, atomically. */
    public static void write(Path file, Object value) {
        write(LocalStateFiles.INSTANCE, file, value);
    }

    /** Writes {@code value} with its seal, atomically, where {@code files} keeps it. */
    public static void write(StateFiles files, Path file, Object value) {
        ObjectNode node = Json.MAPPER.valueToTree(value);
        node.put(FIELD, digest(node));
        files.write(file, Json.bytes(node));
    }

    /**
     * Reads a sealed file.
     *
     * @param unsealedAllowed whether a file without a seal is taken (written by an earlier release, before state files
     *                        were sealed); a seal that is there is checked whatever this says
     * @param advice          what a person does when the file is damaged
     * @throws StateCorruptedException when it is damaged
     */
    public static <T> T read(Path file, Class<T> type, boolean unsealedAllowed, String advice) {
        return read(LocalStateFiles.INSTANCE, file, type, unsealedAllowed, advice).orElseThrow(() ->
                damaged(file.toString(), "it is missing", advice));
    }

    /** Reads a sealed file where {@code files} keeps it; empty when there is none. */
    public static <T> Optional<T> read(StateFiles files, Path file, Class<T> type, boolean unsealedAllowed, String advice) {
        Optional<byte[]> content = files.read(file);
        if (content.isEmpty()) {
            return Optional.empty();
        }
        String where = files.describe(file);
        JsonNode node;
        try {
            node = Json.MAPPER.readTree(content.get());
        } catch (IOException e) {
            throw damaged(where, "it is not JSON (" + e.getClass().getSimpleName() + ")", advice);
        }
        if (!(node instanceof ObjectNode object)) {
            throw damaged(where, node == null || node.isMissingNode() ? "it is empty" : "it is not a JSON object", advice);
        }
        JsonNode seal = object.remove(FIELD);
        if (seal == null && !unsealedAllowed) {
            throw damaged(where, "its seal (" + FIELD + ") is missing", advice);
        }
        if (seal != null && !seal.asText().equals(digest(object))) {
            throw damaged(where, "its content does not match its seal (" + FIELD + ")", advice);
        }
        try {
            return Optional.of(Json.MAPPER.treeToValue(object, type));
        } catch (IOException e) {
            throw damaged(where, "its fields cannot be read (" + e.getClass().getSimpleName() + ")", advice);
        }
    }

    /** The file as a JSON tree, or null when it cannot be read as JSON. */
    static JsonNode readTree(Path file) {
        try {
            return Json.MAPPER.readTree(file.toFile());
        } catch (IOException e) {
            return null;
        }
    }

    /** Whether the file carries a seal (files of an earlier release do not). */
    public static boolean isSealed(Path file) {
        try {
            return Json.MAPPER.readTree(file.toFile()).has(FIELD);
        } catch (IOException e) {
            return false;
        }
    }

    private static String digest(ObjectNode node) {
        try {
            return Normalizer.sha256(new String(Json.MAPPER.writeValueAsBytes(node), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException("cannot serialize " + node.getClass().getSimpleName(), e);
        }
    }

    private static StateCorruptedException damaged(String file, String what, String advice) {
        return new StateCorruptedException(file + " is damaged: " + what + ". " + advice);
    }
}
