package io.audiencesync.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The word-at-a-time checks agree with the plain byte-by-byte definitions. */
class AsciiWordsTest {

    private static final int[] EDGES = {0x00, 0x1f, 0x20, 0x22, 0x2f, 0x30, 0x39, 0x3a, 0x40, 0x41, 0x46, 0x5c, 0x60,
        0x61, 0x66, 0x67, 0x7f, 0x80, 0xb0, 0xcf, 0xe0, 0xff};

    private static boolean lowerHex(byte[] bytes, int from, int length) {
        for (int i = from; i < from + length; i++) {
            char c = (char) (bytes[i] & 0xff);
            if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
                return false;
            }
        }
        return true;
    }

    @Test
    void isLowerHexForEveryByteInEveryPlace() {
        byte[] bytes = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
        for (int at = 0; at < 16; at++) {
            for (int b = 0; b < 256; b++) {
                byte[] changed = bytes.clone();
                changed[at] = (byte) b;
                assertThat(AsciiWords.isLowerHex(changed, 0, 16)).as("byte %x at %d", b, at)
                        .isEqualTo(lowerHex(changed, 0, 16));
            }
        }
    }

    @Test
    void isLowerHexForPairsOfEdgeBytes() {
        // A byte of 0x80 or more can carry into its neighbour; the word must fail all the same.
        for (int at = 0; at < 15; at++) {
            for (int b1 : EDGES) {
                for (int b2 : EDGES) {
                    byte[] bytes = "f0a9".repeat(4).getBytes(StandardCharsets.US_ASCII);
                    bytes[at] = (byte) b1;
                    bytes[at + 1] = (byte) b2;
                    assertThat(AsciiWords.isLowerHex(bytes, 0, 16)).as("%x %x at %d", b1, b2, at)
                            .isEqualTo(lowerHex(bytes, 0, 16));
                }
            }
        }
    }

    @Test
    void isLowerHexLooksOnlyAtItsRange() {
        byte[] bytes = ("G" + "0".repeat(64) + "G").getBytes(StandardCharsets.US_ASCII);
        assertThat(AsciiWords.isLowerHex(bytes, 1, 64)).isTrue();
        assertThat(AsciiWords.isLowerHex(bytes, 1, 32)).isTrue();
        assertThat(AsciiWords.isLowerHex(bytes, 0, 64)).isFalse();
        assertThat(AsciiWords.isLowerHex(bytes, 2, 64)).isFalse();
    }

    @Test
    void hexValue16ReadsSixteenDigitsLikeParseUnsignedLong() {
        Random random = new Random(3);
        for (int i = 0; i < 20_000; i++) {
            long value = i < 3 ? new long[] {0, -1, Long.MIN_VALUE}[i] : random.nextLong();
            String digits = "," + String.format("%016x", value) + "9";
            assertThat(AsciiWords.hexValue16(digits.getBytes(StandardCharsets.US_ASCII), 1))
                    .isEqualTo(Long.parseUnsignedLong(digits, 1, 17, 16)).isEqualTo(value);
        }
    }

    private static int plainStringEnd(byte[] bytes, int from) {
        for (int i = from; i < bytes.length; i++) {
            int b = bytes[i] & 0xff;
            if (b == '"') {
                return i;
            }
            if (b < 0x20 || b >= 0x80 || b == '\\') {
                return -1;
            }
        }
        return -1;
    }

    @Test
    void plainStringEndFindsTheClosingQuoteOrRefuses() {
        Random random = new Random(5);
        for (int i = 0; i < 50_000; i++) {
            byte[] bytes = new byte[random.nextInt(40)];
            Arrays.fill(bytes, (byte) 'a');
            for (int special = random.nextInt(3); special > 0 && bytes.length > 0; special--) {
                bytes[random.nextInt(bytes.length)] = (byte) EDGES[random.nextInt(EDGES.length)];
            }
            int from = bytes.length == 0 ? 0 : random.nextInt(bytes.length);
            assertThat(AsciiWords.plainStringEnd(bytes, from)).as(Arrays.toString(bytes) + " from " + from)
                    .isEqualTo(plainStringEnd(bytes, from));
        }
    }
}
