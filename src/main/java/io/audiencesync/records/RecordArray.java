package io.audiencesync.records;

import io.audiencesync.identity.IdentifierType;

import java.util.Arrays;

/**
 * {@link WireRecords} records written back to back into one byte array that grows as needed (encoding needs room
 * for {@link WireRecords#MAX_LENGTH} bytes, which it keeps). Read them with {@link #buffer()} from offset 0 to
 * {@link #length()}, stepping by {@link WireRecords#length}.
 */
public final class RecordArray {

    private byte[] bytes;
    private int length;
    private int count;

    /** @param expectedRecords how many records to make room for at first (34 bytes for a SHA-256 one) */
    public RecordArray(int expectedRecords) {
        bytes = new byte[Math.max(WireRecords.MAX_LENGTH, expectedRecords * 36)];
    }

    public void add(String value, IdentifierType type) {
        reserve(WireRecords.MAX_LENGTH);
        length = WireRecords.encode(value, type, bytes, length);
        count++;
    }

    /** Adds a {@code value<TAB>TYPE} line of {@link WireLines}. */
    public void addLine(String line) {
        reserve(WireRecords.MAX_LENGTH);
        length = WireRecords.encodeLine(line, bytes, length);
        count++;
    }

    /** Adds an encoded record as it is. */
    public void addRecord(byte[] buf, int off) {
        int n = WireRecords.length(buf, off);
        reserve(n);
        System.arraycopy(buf, off, bytes, length, n);
        length += n;
        count++;
    }

    private void reserve(int n) {
        if (bytes.length - length < n) {
            bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + n));
        }
    }

    /** The backing array: the records are its first {@link #length()} bytes. */
    public byte[] buffer() {
        return bytes;
    }

    public int length() {
        return length;
    }

    public int count() {
        return count;
    }

    /** The records, in an array of their own. */
    public byte[] toByteArray() {
        return Arrays.copyOf(bytes, length);
    }

    /** Empties it and keeps its array. */
    public void clear() {
        length = 0;
        count = 0;
    }
}
