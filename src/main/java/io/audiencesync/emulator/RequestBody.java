package io.audiencesync.emulator;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Set;

/**
 * Reads a request body that must be a JSON object with known fields only. Every customer list write sends an
 * object of a few string fields, one of them a records string of hundreds of kilobytes: such a body is read with
 * the streaming parser, and a string of plain ASCII is taken straight from the bytes rather than decoded character
 * by character. Any other body is read as a tree, as it always was, which also words the refusal.
 */
final class RequestBody {

    /**
     * The largest announced length trusted for a buffer allocated before any byte arrives; a records field of
     * 100 000 SHA-256 digests is 6.5 MB.
     */
    private static final int MAX_PRESIZED = 16 << 20;

    private RequestBody() {
    }

    /**
     * Every byte of the stream. When the announced length is known, the bytes are read into one array of that
     * size: the JDK server then reads the socket straight into it, instead of 8 KB at a time into buffers copied
     * together at the end. The length is only a hint: the stream is read to its end whatever it says.
     */
    static byte[] readAll(InputStream in, String contentLength) throws IOException {
        int announced = parseLength(contentLength);
        if (announced <= 0) {
            return in.readAllBytes();
        }
        byte[] bytes = new byte[announced];
        int n = in.readNBytes(bytes, 0, announced);
        if (n < announced) {
            return Arrays.copyOf(bytes, n);
        }
        byte[] rest = in.readAllBytes();
        if (rest.length == 0) {
            return bytes;
        }
        byte[] all = Arrays.copyOf(bytes, announced + rest.length);
        System.arraycopy(rest, 0, all, announced, rest.length);
        return all;
    }

    /** The announced length when it is a number from 1 to {@link #MAX_PRESIZED}, else 0. */
    private static int parseLength(String contentLength) {
        if (contentLength == null) {
            return 0;
        }
        try {
            long length = Long.parseLong(contentLength.trim());
            return length > 0 && length <= MAX_PRESIZED ? (int) length : 0;
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /**
     * The body as an object; refuses invalid JSON (duplicate fields and trailing content included), anything
     * but an object, and fields not in {@code allowed}.
     */
    static ObjectNode read(ObjectMapper mapper, byte[] body, Set<String> allowed) {
        ObjectNode fields = stringFields(mapper, body, allowed);
        return fields != null ? fields : tree(mapper, body, allowed);
    }

    /** {@link #read} by way of a tree, for any body. */
    static ObjectNode tree(ObjectMapper mapper, byte[] body, Set<String> allowed) {
        JsonNode node;
        try {
            node = mapper.readTree(body);
        } catch (JsonProcessingException e) {
            // Jackson's own message can quote the body, which may hold records: report the position only.
            var at = e.getLocation();
            throw ApiException.invalid("request body is not valid JSON"
                    + (at == null ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (node == null || !node.isObject()) {
            throw ApiException.invalid("request body must be a JSON object");
        }
        rejectUnknownFields((ObjectNode) node, allowed, "");
        return (ObjectNode) node;
    }

    static void rejectUnknownFields(ObjectNode node, Set<String> allowed, String prefix) {
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!allowed.contains(name)) {
                String shown = name.length() > 64 ? name.substring(0, 64) + "..." : name;
                throw ApiException.invalid("unknown field '" + prefix + shown + "'");
            }
        }
    }

    /**
     * What {@link #tree} answers when the body is valid JSON, an object, and has only allowed fields, each with a
     * string value; null for any other body, refused or not, which the caller then reads as a tree. The parser is
     * the tree's own, with the same strictness: a duplicate field or trailing content makes it throw.
     */
    static ObjectNode stringFields(ObjectMapper mapper, byte[] body, Set<String> allowed) {
        try (JsonParser parser = mapper.createParser(body)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            ObjectNode fields = mapper.createObjectNode();
            // Inside an object the parser answers a field name or the object's end; it throws on anything else.
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String name = parser.currentName();
                if (!allowed.contains(name) || parser.nextToken() != JsonToken.VALUE_STRING) {
                    return null;
                }
                fields.put(name, text(parser, body));
            }
            return parser.nextToken() == null ? fields : null;
        } catch (IOException e) {
            return null;
        }
    }

    /**
     * The current string token's text. When its bytes are ASCII from the space up and hold no backslash (no
     * escape), every byte is one character and the text is the bytes themselves; the parser then only skips them.
     */
    private static String text(JsonParser parser, byte[] body) throws IOException {
        long quote = parser.currentTokenLocation().getByteOffset();
        if (quote >= 0 && quote < body.length && body[(int) quote] == '"') {
            int from = (int) quote + 1;
            int to = AsciiWords.plainStringEnd(body, from);
            // Beyond the parser's length limit, let getText() refuse the string as the tree would.
            if (to >= 0 && to - from <= parser.streamReadConstraints().getMaxStringLength()) {
                return new String(body, from, to - from, StandardCharsets.ISO_8859_1);
            }
        }
        return parser.getText();
    }
}
