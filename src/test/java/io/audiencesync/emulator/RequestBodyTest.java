package io.audiencesync.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The streaming read of a body answers exactly what reading it as a tree answers: the same fields and values, or
 * the same refusal. Bodies are written as Java strings with JSON escapes spelled out ({@code \\u0041} is the six
 * characters of a JSON escape).
 */
class RequestBodyTest {

    /** Configured as ApiHandler's. */
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    private static final Set<String> PATCH = Set.of("operation_type", "records");

    private static byte[] utf8(String body) {
        return body.getBytes(StandardCharsets.UTF_8);
    }

    /** Reads the body both ways, asserts they agree, and returns the streaming read's answer. */
    private static ObjectNode readBothWays(byte[] body) {
        ObjectNode expected;
        try {
            expected = RequestBody.tree(MAPPER, body, PATCH);
        } catch (ApiException refused) {
            assertThatThrownBy(() -> RequestBody.read(MAPPER, body, PATCH))
                    .isInstanceOf(ApiException.class).hasMessage(refused.getMessage());
            throw refused;
        }
        ObjectNode read = RequestBody.read(MAPPER, body, PATCH);
        assertThat(read).isEqualTo(expected);
        assertThat(read.properties()).extracting(e -> e.getKey()).containsExactlyElementsOf(
                expected.properties().stream().map(e -> e.getKey()).toList());
        return read;
    }

    private static String refusal(String body) {
        try {
            readBothWays(utf8(body));
        } catch (ApiException e) {
            return e.getMessage();
        }
        throw new AssertionError("not refused: " + body);
    }

    @Test
    void aPlainBodyIsReadWithoutATree() {
        byte[] body = utf8("{\"operation_type\":\"ADD\",\"records\":\"" + "ab".repeat(32) + ",x@y.co\"}");
        assertThat(RequestBody.stringFields(MAPPER, body, PATCH)).isNotNull();
        ObjectNode read = readBothWays(body);
        assertThat(read.get("records").asText()).isEqualTo("ab".repeat(32) + ",x@y.co");
        assertThat(read.get("operation_type").asText()).isEqualTo("ADD");
    }

    @Test
    void whitespaceFieldOrderAndAByteOrderMarkChangeNothing() {
        assertThat(readBothWays(utf8(" \n{ \"records\" :\t\"a,b\" ,\r\n \"operation_type\" : \"ADD\" } \n"))
                .get("records").asText()).isEqualTo("a,b");
        byte[] bom = utf8("\uFEFF{\"operation_type\":\"ADD\",\"records\":\"a,b\"}");
        assertThat(readBothWays(bom).get("records").asText()).isEqualTo("a,b");
    }

    @Test
    void escapesAreDecodedAsJacksonDecodesThem() {
        String body = "{\"operation_type\":\"ADD\",\"records\":"
                + "\"a\\\"b,c\\\\d,\\u0041\\u00e9\\u4e00,e\\/f,g\\nh,\\ud83d\\ude00\"}";
        assertThat(readBothWays(utf8(body)).get("records").asText())
                .isEqualTo("a\"b,c\\d,A\u00e9\u4e00,e/f,g\nh,\ud83d\ude00");
    }

    @Test
    void nonAsciiTextIsDecodedAsJacksonDecodesIt() {
        String records = "ren\u00e9@caf\u00e9.fr,\u4e00@x.com,\ud83d\ude00," + "0".repeat(63) + "\u00e9";
        byte[] body = utf8("{\"operation_type\":\"ADD\",\"records\":\"" + records + "\"}");
        assertThat(readBothWays(body).get("records").asText()).isEqualTo(records);
        byte[] utf16 = ("{\"operation_type\":\"ADD\",\"records\":\"" + records + "\"}")
                .getBytes(StandardCharsets.UTF_16BE);
        assertThat(readBothWays(utf16).get("records").asText()).isEqualTo(records);
    }

    @Test
    void aDelIsOneCharacterLikeAnyOtherAscii() {
        assertThat(readBothWays(utf8("{\"records\":\"a\u007fb\"}")).get("records").asText()).isEqualTo("a\u007fb");
    }

    @ParameterizedTest
    @ValueSource(strings = {"[\"a\"]", "5", "true", "null", "{\"a\":1}", "\"a\""})
    void nonStringValuesAreKeptAsTheTreeHasThem(String value) {
        ObjectNode read = readBothWays(utf8("{\"operation_type\":\"ADD\",\"records\":" + value + "}"));
        assertThat(read.get("records").isTextual()).isEqualTo(value.startsWith("\""));
    }

    @Test
    void refusalsAreWordedAsBefore() {
        assertThat(refusal("")).isEqualTo("Invalid parameters: request body must be a JSON object");
        assertThat(refusal("null")).isEqualTo("Invalid parameters: request body must be a JSON object");
        assertThat(refusal("[\"records\"]")).isEqualTo("Invalid parameters: request body must be a JSON object");
        assertThat(refusal("{\"records\":\"a\",\"list_type\":\"EMAIL\"}"))
                .isEqualTo("Invalid parameters: unknown field 'list_type'");
        assertThat(refusal("{\"records\":\"a\",\"records\":\"b\"}")).startsWith(
                "Invalid parameters: request body is not valid JSON (line 1, column");
        assertThat(refusal("{\"records\":\"a\"} {}")).startsWith("Invalid parameters: request body is not valid JSON");
        assertThat(refusal("{\"records\":\"a\"} x")).startsWith("Invalid parameters: request body is not valid JSON");
        assertThat(refusal("{\"records\":\"a\",}")).startsWith("Invalid parameters: request body is not valid JSON");
        assertThat(refusal("{\"records\":\"a\tb\"}")).startsWith("Invalid parameters: request body is not valid JSON");
        assertThat(refusal("{\"records\":\"a\\qb\"}")).startsWith("Invalid parameters: request body is not valid JSON");
        assertThat(refusal("{\"records\":\"abc")).startsWith("Invalid parameters: request body is not valid JSON");
        assertThat(refusal("{\"records\":\"a\",\"operation_type\":\"ADD\"")).startsWith(
                "Invalid parameters: request body is not valid JSON");
    }

    @Test
    void invalidUtf8IsRefusedAsBefore() {
        byte[] body = utf8("{\"records\":\"ab\"}");
        body[13] = (byte) 0xff;
        assertThatThrownBy(() -> RequestBody.tree(MAPPER, body, PATCH)).isInstanceOf(ApiException.class);
        assertThatThrownBy(() -> readBothWays(body)).isInstanceOf(ApiException.class);
    }

    @Test
    void aStringBeyondTheParsersLengthLimitIsRefusedAsBefore() {
        ObjectMapper limited = new ObjectMapper(JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder().maxStringLength(1000).build()).build());
        byte[] ok = utf8("{\"records\":\"" + "a".repeat(1000) + "\"}");
        byte[] tooLong = utf8("{\"records\":\"" + "a".repeat(1001) + "\"}");
        assertThat(RequestBody.read(limited, ok, PATCH)).isEqualTo(RequestBody.tree(limited, ok, PATCH));
        assertThatThrownBy(() -> RequestBody.tree(limited, tooLong, PATCH)).isInstanceOf(ApiException.class);
        assertThatThrownBy(() -> RequestBody.read(limited, tooLong, PATCH)).isInstanceOf(ApiException.class)
                .hasMessageStartingWith("Invalid parameters: request body is not valid JSON");
    }

    /** Random damage to a body: whatever the tree makes of it, the streaming read makes the same. */
    @Test
    void damagedBodiesAreReadAlikeBothWays() {
        String template = "{\"operation_type\":\"ADD\",\"records\":\"" + "0f".repeat(32) + ",a@b.co,\\u0041\"}";
        String alphabet = "{}[]:,\"\\ \t\n0aAu/\u00e9\u4e00";
        Random random = new Random(7);
        int refused = 0;
        for (int i = 0; i < 5000; i++) {
            StringBuilder body = new StringBuilder(template);
            for (int edits = 1 + random.nextInt(3); edits > 0; edits--) {
                int at = random.nextInt(body.length() + 1);
                switch (random.nextInt(3)) {
                    case 0 -> body.insert(at, alphabet.charAt(random.nextInt(alphabet.length())));
                    case 1 -> body.deleteCharAt(Math.min(at, body.length() - 1));
                    default -> body.setCharAt(Math.min(at, body.length() - 1),
                            alphabet.charAt(random.nextInt(alphabet.length())));
                }
            }
            try {
                readBothWays(utf8(body.toString()));
            } catch (ApiException e) {
                refused++;
            }
        }
        assertThat(refused).isBetween(1000, 4900);
    }

    @Test
    void readAllReadsTheWholeStreamWhateverTheLengthSays() throws IOException {
        byte[] bytes = utf8("0123456789".repeat(3000));
        for (String announced : new String[] {null, "", "x", "-1", "0", "30000", " 30000 ", "10", "29999", "30001",
                "99999999999", Long.toString(Long.MAX_VALUE)}) {
            assertThat(RequestBody.readAll(new ByteArrayInputStream(bytes), announced)).as(announced).isEqualTo(bytes);
        }
        assertThat(RequestBody.readAll(new ByteArrayInputStream(new byte[0]), "5")).isEmpty();
    }
}
