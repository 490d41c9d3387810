package io.audiencesync.records;

import io.audiencesync.identity.IdentifierType;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The binary form of a wire value on disk and in sort buffers: {@code kind | payload | type}.
 *
 * <p>A lowercase hex digest (32, 40 or 64 digits: MD5, SHA-1, SHA-256) is stored as its 16, 20 or 32 bytes
 * (kinds 0, 1, 2): 34 bytes for a SHA-256 instead of a 71-character text line, half the I/O and memory. Any other
 * value (a plain email, an LR_ID, a digest in upper case, which must be sent as it came) is kind 3 with a 2-byte
 * length and its UTF-8 bytes. Records order by kind, then payload bytes (unsigned), then length; the type is not
 * part of the order or of equality, so two records name the same member when their values are equal, whatever
 * the type. Every sorted file, sort buffer and PostgreSQL key uses this one order.
 */
public final class WireRecords {

    public static final int KIND_TEXT = 3;
    /** The longest record: kind, length, 256 characters of up to 4 UTF-8 bytes each, type. */
    public static final int MAX_LENGTH = 1 + 2 + 1024 + 1;
    private static final int[] DIGEST_BYTES = {16, 20, 32};
    private static final IdentifierType[] TYPES = IdentifierType.values();
    private static final byte[] HEX_DIGITS = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    /** The value of a lowercase hex digit, -1 for any other ASCII character. */
    private static final byte[] NIBBLES = new byte[128];

    static {
        Arrays.fill(NIBBLES, (byte) -1);
        for (int i = 0; i < 16; i++) {
            NIBBLES[HEX_DIGITS[i]] = (byte) i;
        }
    }

    private WireRecords() {
    }

    /** Encodes into {@code dst} at {@code pos} (room for {@link #MAX_LENGTH} needed); returns the position after it. */
    public static int encode(String value, IdentifierType type, byte[] dst, int pos) {
        return encode(value, value.length(), type, dst, pos);
    }

    /**
     * Encodes a {@code value<TAB>TYPE} line of {@link WireLines} as {@link #encode(String, IdentifierType, byte[], int)}
     * encodes its value and type, without taking the line apart into new strings.
     */
    public static int encodeLine(String line, byte[] dst, int pos) {
        int tab = line.indexOf('\t');
        if (tab < 0) {
            return encode(line, line.length(), IdentifierType.EMAIL, dst, pos);
        }
        int typeLength = line.length() - tab - 1;
        for (IdentifierType type : TYPES) {
            if (type.name().length() == typeLength && line.startsWith(type.name(), tab + 1)) {
                return encode(line, tab, type, dst, pos);
            }
        }
        throw new IllegalArgumentException("no identifier type after the value of a wire line");
    }

    /** Encodes the first {@code n} characters of {@code value}. */
    private static int encode(String value, int n, IdentifierType type, byte[] dst, int pos) {
        int kind = n == 32 ? 0 : n == 40 ? 1 : n == 64 ? 2 : KIND_TEXT;
        if (kind < KIND_TEXT) {
            // Decodes while it checks: one pass over the characters; a non-hex character makes it text after all.
            int p = pos + 1;
            int i = 0;
            for (; i < n; i += 2) {
                char a = value.charAt(i);
                char b = value.charAt(i + 1);
                int hi = a < 128 ? NIBBLES[a] : -1;
                int lo = b < 128 ? NIBBLES[b] : -1;
                if ((hi | lo) < 0) {
                    break;
                }
                dst[p++] = (byte) (hi << 4 | lo);
            }
            if (i == n) {
                dst[pos] = (byte) kind;
                dst[p] = (byte) type.ordinal();
                return p + 1;
            }
        }
        byte[] bytes = (n == value.length() ? value : value.substring(0, n)).getBytes(StandardCharsets.UTF_8);
        if (bytes.length > 0xFFFF) {
            throw new IllegalArgumentException("a wire value of " + bytes.length + " bytes");
        }
        dst[pos++] = KIND_TEXT;
        dst[pos++] = (byte) (bytes.length >>> 8);
        dst[pos++] = (byte) bytes.length;
        System.arraycopy(bytes, 0, dst, pos, bytes.length);
        pos += bytes.length;
        dst[pos++] = (byte) type.ordinal();
        return pos;
    }

    public static byte[] encode(String value, IdentifierType type) {
        byte[] buf = new byte[MAX_LENGTH];
        int end = encode(value, type, buf, 0);
        return Arrays.copyOf(buf, end);
    }

    /** The key alone (the record without its type byte): what equality and order are defined on. */
    public static int keyLength(byte[] buf, int off) {
        int kind = buf[off];
        return kind < KIND_TEXT ? 1 + DIGEST_BYTES[kind] : 3 + ((buf[off + 1] & 0xFF) << 8 | (buf[off + 2] & 0xFF));
    }

    /**
     * What is wrong with a record read back from a file or a database, {@code available} bytes of it readable at
     * {@code off}: null when it is whole, of a known kind and type, and no longer than any value; {@code cut} when
     * its bytes end first.
     */
    public static String damage(byte[] buf, int off, int available, String cut) {
        byte kind = buf[off];
        if (kind < 0 || kind > KIND_TEXT) {
            return "a record of unknown kind " + kind;
        }
        if (available < headerLength(kind)) {
            return cut;
        }
        // The longest text payload is 256 characters of up to 4 UTF-8 bytes.
        if (kind == KIND_TEXT && ((buf[off + 1] & 0xFF) << 8 | (buf[off + 2] & 0xFF)) > MAX_LENGTH - 4) {
            return "a record longer than any value";
        }
        int length = length(buf, off);
        if (available < length) {
            return cut;
        }
        int type = buf[off + length - 1];
        return type < 0 || type >= TYPES.length ? "an unknown identifier type " + type : null;
    }

    /** Key, then one type byte. */
    public static int length(byte[] buf, int off) {
        return keyLength(buf, off) + 1;
    }

    public static IdentifierType type(byte[] buf, int off) {
        return TYPES[buf[off + keyLength(buf, off)]];
    }

    /**
     * A 64-bit hash of the record's key (kind and payload), the same as {@link #keyHashOfKey} of its database key: a
     * set of records is summed up by the XOR of its members' hashes, which a store keeps up to date batch by batch
     * and checks against what it holds.
     */
    public static long keyHash(byte[] buf, int off) {
        int kind = buf[off];
        int payload = kind < KIND_TEXT ? DIGEST_BYTES[kind] : (buf[off + 1] & 0xFF) << 8 | (buf[off + 2] & 0xFF);
        return hash(buf, off + headerLength((byte) kind), payload, kind);
    }

    /** {@link #keyHash} of a key in the PostgreSQL store's form: the kind byte, then the payload. */
    public static long keyHashOfKey(byte[] key) {
        return hash(key, 1, key.length - 1, key[0]);
    }

    private static final java.lang.invoke.VarHandle LONGS =
            java.lang.invoke.MethodHandles.byteArrayViewVarHandle(long[].class, java.nio.ByteOrder.LITTLE_ENDIAN);

    private static long hash(byte[] b, int from, int n, int kind) {
        long h = 0x9E3779B97F4A7C15L ^ ((long) kind << 32 | n);
        int i = from;
        int end = from + n;
        for (; i + 8 <= end; i += 8) {
            h = Long.rotateLeft((h ^ mix((long) LONGS.get(b, i))) * 0xBF58476D1CE4E5B9L, 31);
        }
        long tail = 0;
        for (int shift = 0; i < end; i++, shift += 8) {
            tail |= (b[i] & 0xFFL) << shift;
        }
        return mix(h ^ mix(tail));
    }

    /** MurmurHash3's 64-bit finalizer: every bit of the input moves every bit of the output. */
    private static long mix(long k) {
        k ^= k >>> 33;
        k *= 0xFF51AFD7ED558CCDL;
        k ^= k >>> 33;
        k *= 0xC4CEB9FE1A85EC53L;
        return k ^ (k >>> 33);
    }

    /** Needs the kind byte, and for text the two length bytes, to be readable at {@code off}. */
    public static int headerLength(byte kind) {
        return kind < KIND_TEXT ? 1 : 3;
    }

    public static int compare(byte[] a, int ao, byte[] b, int bo) {
        int ka = a[ao];
        int kb = b[bo];
        if (ka != kb) {
            return ka - kb;
        }
        if (ka < KIND_TEXT) {
            int n = DIGEST_BYTES[ka];
            return Arrays.compareUnsigned(a, ao + 1, ao + 1 + n, b, bo + 1, bo + 1 + n);
        }
        int la = (a[ao + 1] & 0xFF) << 8 | (a[ao + 2] & 0xFF);
        int lb = (b[bo + 1] & 0xFF) << 8 | (b[bo + 2] & 0xFF);
        return Arrays.compareUnsigned(a, ao + 3, ao + 3 + la, b, bo + 3, bo + 3 + lb);
    }

    /**
     * The first 8 bytes of the key (kind, then payload, zero-padded) as a signed-comparable long: when two prefixes
     * differ, they order as their records do; when they are equal, {@link #compare} decides.
     */
    static long prefix(byte[] buf, int off) {
        int kind = buf[off];
        int start = off + headerLength((byte) kind);
        int payload = kind < KIND_TEXT ? DIGEST_BYTES[kind] : (buf[off + 1] & 0xFF) << 8 | (buf[off + 2] & 0xFF);
        long p = kind;
        for (int i = 0; i < 7; i++) {
            p = p << 8 | (i < payload ? buf[start + i] & 0xFF : 0);
        }
        return p ^ Long.MIN_VALUE;
    }

    /** The wire value exactly as it goes into {@code records}. */
    public static String value(byte[] buf, int off) {
        int kind = buf[off];
        if (kind < KIND_TEXT) {
            int n = DIGEST_BYTES[kind];
            byte[] hex = new byte[n * 2];
            for (int i = 0; i < n; i++) {
                int b = buf[off + 1 + i] & 0xFF;
                hex[2 * i] = HEX_DIGITS[b >>> 4];
                hex[2 * i + 1] = HEX_DIGITS[b & 0xF];
            }
            return new String(hex, StandardCharsets.ISO_8859_1);
        }
        int len = (buf[off + 1] & 0xFF) << 8 | (buf[off + 2] & 0xFF);
        return new String(buf, off + 3, len, StandardCharsets.UTF_8);
    }

    /**
     * Whether {@code utf8[from, to)} is printable ASCII other than {@code "} and {@code \\}, so it goes into a JSON
     * string as it is, without escapes.
     */
    public static boolean jsonSafe(byte[] utf8, int from, int to) {
        for (int i = from; i < to; i++) {
            byte b = utf8[i];
            if (b < 0x20 || b > 0x7e || b == '"' || b == '\\') {
                return false;
            }
        }
        return true;
    }

    /** Whether the record holds a hex digest (written as lowercase hex digits), not a text value. */
    public static boolean isDigest(byte[] buf, int off) {
        return buf[off] < KIND_TEXT;
    }

    /**
     * Writes the wire value of the record at {@code off} into {@code dst} at {@code pos} as UTF-8 (room for
     * {@link #MAX_LENGTH} bytes needed); returns the position after it.
     */
    public static int writeValue(byte[] buf, int off, byte[] dst, int pos) {
        int kind = buf[off];
        if (kind < KIND_TEXT) {
            int n = DIGEST_BYTES[kind];
            for (int i = 0; i < n; i++) {
                int b = buf[off + 1 + i] & 0xFF;
                dst[pos++] = HEX_DIGITS[b >>> 4];
                dst[pos++] = HEX_DIGITS[b & 0xF];
            }
            return pos;
        }
        int len = (buf[off + 1] & 0xFF) << 8 | (buf[off + 2] & 0xFF);
        System.arraycopy(buf, off + 3, dst, pos, len);
        return pos + len;
    }

    /** {@code value<TAB>TYPE}, the line form of {@link WireLines}. */
    public static String line(byte[] buf, int off) {
        return WireLines.line(value(buf, off), type(buf, off));
    }
}
