package io.audiencesync.records;

import io.audiencesync.identity.IdentifierType;

import java.nio.file.Path;
import java.util.Arrays;

/**
 * Up to {@code capacity} wire records in one byte array, sorted in place by an index of (8-byte prefix, offset)
 * pairs: about 46 bytes a SHA-256 value (34 of record, 12 of index) where a String line took about 120, and a
 * sort that compares two longs where Strings compared characters.
 */
final class RecordBuffer {

    private final int capacity;
    private byte[] arena = new byte[1 << 16];
    private int used;
    private long[] prefix;
    private int[] offset;
    private int count;

    RecordBuffer(int capacity) {
        this.capacity = capacity;
        int initial = Math.min(capacity, 1 << 14);
        this.prefix = new long[initial];
        this.offset = new int[initial];
    }

    int capacity() {
        return capacity;
    }

    boolean isFull() {
        return count >= capacity;
    }

    int size() {
        return count;
    }

    /** Empties the buffer and keeps its arrays for the next run. */
    void clear() {
        used = 0;
        count = 0;
    }

    void add(String value, IdentifierType type) {
        reserveOne();
        offset[count] = used;
        used = WireRecords.encode(value, type, arena, used);
        prefix[count] = WireRecords.prefix(arena, offset[count]);
        count++;
    }

    /** Adds a record as it is (a value already encoded). */
    void addRecord(byte[] buf, int off) {
        reserveOne();
        int length = WireRecords.length(buf, off);
        System.arraycopy(buf, off, arena, used, length);
        offset[count] = used;
        prefix[count] = WireRecords.prefix(arena, used);
        used += length;
        count++;
    }

    /** Makes room in the arena and the index for one more record. */
    private void reserveOne() {
        if (arena.length - used < WireRecords.MAX_LENGTH) {
            arena = Arrays.copyOf(arena, Math.max(arena.length * 2, used + WireRecords.MAX_LENGTH));
        }
        if (count == prefix.length) {
            int grown = Math.min(capacity, count * 2);
            prefix = Arrays.copyOf(prefix, grown);
            offset = Arrays.copyOf(offset, grown);
        }
    }

    /** Sorts, then writes each value once; returns how many were written. */
    long sortAndWrite(Path file) {
        sort(0, count - 1);
        long written = 0;
        int previous = -1;
        try (RecordFile.Writer out = new RecordFile.Writer(file)) {
            for (int i = 0; i < count; i++) {
                if (previous >= 0 && prefix[i] == prefix[previous]
                        && WireRecords.compare(arena, offset[i], arena, offset[previous]) == 0) {
                    continue;
                }
                out.write(arena, offset[i]);
                previous = i;
                written++;
            }
        }
        return written;
    }

    private int compare(int i, int j) {
        int c = Long.compare(prefix[i], prefix[j]);
        return c != 0 ? c : WireRecords.compare(arena, offset[i], arena, offset[j]);
    }

    /** Quicksort with a median-of-three pivot, insertion sort for short ranges; recursion on the smaller side. */
    private void sort(int lo, int hi) {
        while (hi - lo > 16) {
            int mid = (lo + hi) >>> 1;
            if (compare(mid, lo) < 0) {
                swap(mid, lo);
            }
            if (compare(hi, lo) < 0) {
                swap(hi, lo);
            }
            if (compare(hi, mid) < 0) {
                swap(hi, mid);
            }
            long pivotPrefix = prefix[mid];
            int pivotOffset = offset[mid];
            int i = lo;
            int j = hi;
            while (i <= j) {
                while (comparePivot(i, pivotPrefix, pivotOffset) < 0) {
                    i++;
                }
                while (comparePivot(j, pivotPrefix, pivotOffset) > 0) {
                    j--;
                }
                if (i <= j) {
                    swap(i++, j--);
                }
            }
            if (j - lo < hi - i) {
                sort(lo, j);
                lo = i;
            } else {
                sort(i, hi);
                hi = j;
            }
        }
        for (int i = lo + 1; i <= hi; i++) {
            for (int j = i; j > lo && compare(j, j - 1) < 0; j--) {
                swap(j, j - 1);
            }
        }
    }

    private int comparePivot(int i, long pivotPrefix, int pivotOffset) {
        int c = Long.compare(prefix[i], pivotPrefix);
        return c != 0 ? c : WireRecords.compare(arena, offset[i], arena, pivotOffset);
    }

    private void swap(int i, int j) {
        long p = prefix[i];
        prefix[i] = prefix[j];
        prefix[j] = p;
        int o = offset[i];
        offset[i] = offset[j];
        offset[j] = o;
    }
}
