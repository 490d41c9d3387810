package io.audiencesync.source;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;

/**
 * Real multi-member gzip files, as {@code cat a.gz b.gz} makes them, made with java.util.zip's GZIPOutputStream, and
 * the ways the second member gets damaged.
 */
public final class GzipMembers {

    /** What is wrong with the second member. */
    public enum Fault {
        NONE, DAMAGED_HEADER, CUT_IN_HEADER, CUT_IN_DATA, FLIPPED_BYTE_IN_DATA, GARBAGE_AFTER_LAST_MEMBER
    }

    private GzipMembers() {
    }

    /** One gzip member holding {@code text} as UTF-8. */
    public static byte[] member(String text) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(bytes)) {
            out.write(text.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** {@code first} and {@code second} as two members of one file, the second one with {@code fault}. */
    public static byte[] twoMembers(String first, String second, Fault fault) {
        byte[] a = member(first);
        byte[] b = member(second);
        // The gzip header is 10 bytes (no name, no comment): magic, method, flags, time, extra flags, OS.
        b = switch (fault) {
            case NONE -> b;
            case DAMAGED_HEADER -> {
                b[2] = 9; // a compression method that does not exist (8 is deflate)
                yield b;
            }
            case CUT_IN_HEADER -> Arrays.copyOf(b, 6);
            case CUT_IN_DATA -> Arrays.copyOf(b, 10 + (b.length - 18) / 2);
            case FLIPPED_BYTE_IN_DATA -> {
                b[10 + (b.length - 18) / 2] ^= 0x55;
                yield b;
            }
            case GARBAGE_AFTER_LAST_MEMBER -> concat(b, "not gzip\n".getBytes(StandardCharsets.US_ASCII));
        };
        return concat(a, b);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] all = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
