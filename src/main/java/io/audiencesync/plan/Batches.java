package io.audiencesync.plan;

import io.audiencesync.records.RecordArray;
import io.audiencesync.records.RecordFile;
import io.audiencesync.records.SortedRecords;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * Streams a plan as batches: every ADD first (the first one may have to create the customer list), then
 * every REMOVE. Reads the plan files lazily, so a route can split over it without holding the plan.
 */
public final class Batches implements Iterator<Batch>, AutoCloseable {

    private final int batchSize;
    private final SortedRecords adds;
    private final SortedRecords removes;
    private boolean addsLeft;
    private boolean removesLeft;
    private int number;
    /** Where a batch's records are gathered. */
    private final RecordArray records;

    public Batches(Plan plan, int batchSize) {
        this.batchSize = batchSize;
        this.records = new RecordArray(Math.min(batchSize, 10_000));
        this.adds = RecordFile.readAnyOrder(plan.adds());
        // Withheld removals stay in the plan file for the report but are not read.
        this.removes = plan.removeCount() > 0 ? RecordFile.readAnyOrder(plan.removes()) : SortedRecords.empty();
        this.addsLeft = adds.next();
        this.removesLeft = removes.next();
    }

    @Override
    public boolean hasNext() {
        boolean more = addsLeft || removesLeft;
        if (!more) {
            close();
        }
        return more;
    }

    @Override
    public Batch next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        boolean add = addsLeft;
        SortedRecords source = add ? adds : removes;
        boolean left = true;
        records.clear();
        while (left && records.count() < batchSize) {
            records.addRecord(source.buffer(), source.offset());
            left = source.next();
        }
        if (add) {
            addsLeft = left;
        } else {
            removesLeft = left;
        }
        return Batch.ofRecords(add ? Operation.ADD : Operation.REMOVE, ++number, records.toByteArray(), records.count());
    }

    @Override
    public void close() {
        adds.close();
        removes.close();
    }
}
