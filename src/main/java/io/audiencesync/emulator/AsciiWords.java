package io.audiencesync.emulator;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Checks and reads bytes eight at a time, as the bytes of one {@code long} (SWAR: "SIMD within a register"), for
 * the emulator's hot path: a records string is hundreds of kilobytes of hex digits and commas. Adding a constant to
 * every byte of a word moves a byte's high bit exactly when the byte crosses a boundary; no byte carries into its
 * neighbour as long as the bytes are ASCII (below 0x80), and a word holding a byte of 0x80 or more fails every
 * test here anyway.
 */
final class AsciiWords {

    private static final VarHandle WORDS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
    private static final long ONES = 0x0101010101010101L;
    private static final long HIGH_BITS = 0x8080808080808080L;

    private AsciiWords() {
    }

    /** Whether {@code bytes[from, from + length)} are all {@code 0-9a-f}; {@code length} is a multiple of 8. */
    static boolean isLowerHex(byte[] bytes, int from, int length) {
        for (int i = from; i < from + length; i += 8) {
            if (!isLowerHex(word(bytes, i))) {
                return false;
            }
        }
        return true;
    }

    private static boolean isLowerHex(long word) {
        // A byte's high bit is set in word + (0x80 - b0) * ONES exactly when the byte is at least b0.
        long digit = (word + 0x50 * ONES) & ~(word + 0x46 * ONES); // '0' (0x30) up to '9' (0x39)
        long letter = (word + 0x1f * ONES) & ~(word + 0x19 * ONES); // 'a' (0x61) up to 'f' (0x66)
        return ((digit | letter) & ~word & HIGH_BITS) == HIGH_BITS;
    }

    /** The value of the 16 lowercase hex digits {@code bytes[from, from + 16)}, the first digit the highest. */
    static long hexValue16(byte[] bytes, int from) {
        return hexValue8(word(bytes, from)) << 32 | hexValue8(word(bytes, from + 8));
    }

    private static long hexValue8(long word) {
        // Each byte to its digit's value: '0'-'9' (0x30-0x39) have it in the low 4 bits, 'a'-'f' (0x61-0x66) have
        // it less 9, and bit 6 set.
        long v = (word & 0x0f0f0f0f0f0f0f0fL) + ((word >>> 6) & ONES) * 9;
        // Then the eight 4-bit values side by side: pairs into bytes, bytes into 16 bits, into 32 bits.
        v = (v | v >>> 4) & 0x00ff00ff00ff00ffL;
        v = (v | v >>> 8) & 0x0000ffff0000ffffL;
        return (v | v >>> 16) & 0xffffffffL;
    }

    /**
     * The index of the first {@code "} from {@code from} on, provided every byte before it is ASCII from the space
     * up other than {@code \}; else -1. Inside a JSON string, such bytes are the characters themselves: no escape,
     * one byte a character.
     */
    static int plainStringEnd(byte[] bytes, int from) {
        int i = from;
        while (true) {
            while (i + 8 <= bytes.length && !maySpecial(word(bytes, i))) {
                i += 8;
            }
            for (int end = Math.min(i + 8, bytes.length); i < end; i++) {
                byte b = bytes[i];
                if (b == '"') {
                    return i;
                }
                // Bytes of 0x80 and up are negative: not ASCII.
                if (b < 0x20 || b == '\\') {
                    return -1;
                }
            }
            if (i == bytes.length) {
                return -1;
            }
        }
    }

    /**
     * False when no byte of the word is below 0x20, 0x80 or above, {@code "} or {@code \}; true when one may be
     * (a false alarm only costs a look at the bytes one by one).
     */
    private static boolean maySpecial(long word) {
        long belowSpace = word - 0x20 * ONES;
        return ((belowSpace | word | zeroByte(word ^ '"' * ONES) | zeroByte(word ^ '\\' * ONES)) & HIGH_BITS) != 0;
    }

    /** The high bit of some byte is set when a byte of the word is zero (the classic test; exact for "any"). */
    private static long zeroByte(long word) {
        return (word - ONES) & ~word & HIGH_BITS;
    }

    private static long word(byte[] bytes, int i) {
        return (long) WORDS.get(bytes, i);
    }
}
