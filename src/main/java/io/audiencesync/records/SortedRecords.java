package io.audiencesync.records;

/**
 * A cursor over wire records in {@link WireRecords} order, each value once. The current record lives in
 * {@link #buffer()} at {@link #offset()} until the next call of {@link #next()}; nothing is copied per record.
 */
public interface SortedRecords extends AutoCloseable {

    /** Moves to the next record; false at the end. */
    boolean next();

    byte[] buffer();

    int offset();

    @Override
    void close();

    /** No records: a list with no state yet. */
    static SortedRecords empty() {
        return new SortedRecords() {
            @Override
            public boolean next() {
                return false;
            }

            @Override
            public byte[] buffer() {
                throw new IllegalStateException("no record");
            }

            @Override
            public int offset() {
                throw new IllegalStateException("no record");
            }

            @Override
            public void close() {
            }
        };
    }
}
