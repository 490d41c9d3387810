package io.audiencesync.records;

import java.util.List;

/**
 * A k-way merge of sorted record cursors into one, each value once (the first cursor's record wins a tie). The
 * cursors sit in a binary heap ordered by their current record, each with the first 8 bytes of its record as a
 * long ({@link WireRecords#prefix}), so most comparisons are one of two longs; the record handed out is copied
 * once so that its cursor can move on at once.
 */
final class MergedRecords implements SortedRecords {

    private final SortedRecords[] heap;
    private int size;
    private final int[] order;
    private final long[] prefix;
    private final byte[] last = new byte[WireRecords.MAX_LENGTH];
    private boolean hasLast;

    MergedRecords(List<SortedRecords> sources) {
        heap = new SortedRecords[sources.size()];
        order = new int[sources.size()];
        prefix = new long[sources.size()];
        for (int i = 0; i < sources.size(); i++) {
            SortedRecords source = sources.get(i);
            if (source.next()) {
                heap[size] = source;
                order[size] = i;
                prefix[size] = WireRecords.prefix(source.buffer(), source.offset());
                siftUp(size++);
            } else {
                source.close();
            }
        }
    }

    @Override
    public boolean next() {
        while (size > 0) {
            SortedRecords top = heap[0];
            boolean fresh = !hasLast || WireRecords.compare(top.buffer(), top.offset(), last, 0) != 0;
            if (fresh) {
                System.arraycopy(top.buffer(), top.offset(), last, 0, WireRecords.length(top.buffer(), top.offset()));
                hasLast = true;
            }
            if (top.next()) {
                prefix[0] = WireRecords.prefix(top.buffer(), top.offset());
                siftDown(0);
            } else {
                top.close();
                heap[0] = heap[--size];
                order[0] = order[size];
                prefix[0] = prefix[size];
                heap[size] = null;
                if (size > 0) {
                    siftDown(0);
                }
            }
            if (fresh) {
                return true;
            }
        }
        return false;
    }

    @Override
    public byte[] buffer() {
        return last;
    }

    @Override
    public int offset() {
        return 0;
    }

    @Override
    public void close() {
        for (int i = 0; i < size; i++) {
            heap[i].close();
        }
        size = 0;
    }

    private boolean less(int i, int j) {
        if (prefix[i] != prefix[j]) {
            return prefix[i] < prefix[j];
        }
        int c = WireRecords.compare(heap[i].buffer(), heap[i].offset(), heap[j].buffer(), heap[j].offset());
        return c < 0 || c == 0 && order[i] < order[j];
    }

    private void siftUp(int i) {
        while (i > 0) {
            int parent = (i - 1) / 2;
            if (!less(i, parent)) {
                return;
            }
            swap(i, parent);
            i = parent;
        }
    }

    private void siftDown(int i) {
        while (true) {
            int l = 2 * i + 1;
            if (l >= size) {
                return;
            }
            int m = l + 1 < size && less(l + 1, l) ? l + 1 : l;
            if (!less(m, i)) {
                return;
            }
            swap(i, m);
            i = m;
        }
    }

    private void swap(int i, int j) {
        SortedRecords t = heap[i];
        heap[i] = heap[j];
        heap[j] = t;
        int o = order[i];
        order[i] = order[j];
        order[j] = o;
        long p = prefix[i];
        prefix[i] = prefix[j];
        prefix[j] = p;
    }
}
