package io.audiencesync.plan;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * Streams a plan as batches: every ADD first (the first one may have to create the customer list), then
 * every REMOVE. Reads the plan files lazily, so a route can split over it without holding the plan.
 */
public final class Batches implements Iterator<Batch>, AutoCloseable {

    private final int batchSize;
    private final SortedLines adds;
    private final SortedLines removes;
    private int number;

    public Batches(Plan plan, int batchSize) {
        this.batchSize = batchSize;
        this.adds = new SortedLines(plan.adds());
        // Withheld removals stay in the plan file for the report but are not read.
        this.removes = plan.removeCount() > 0 ? new SortedLines(plan.removes()) : SortedLines.empty();
    }

    @Override
    public boolean hasNext() {
        boolean more = adds.hasNext() || removes.hasNext();
        if (!more) {
            close();
        }
        return more;
    }

    @Override
    public Batch next() {
        SortedLines source = adds.hasNext() ? adds : removes;
        if (!source.hasNext()) {
            throw new NoSuchElementException();
        }
        Operation op = source == adds ? Operation.ADD : Operation.REMOVE;
        List<String> lines = new ArrayList<>(batchSize);
        while (source.hasNext() && lines.size() < batchSize) {
            lines.add(source.next());
        }
        return new Batch(op, ++number, lines);
    }

    @Override
    public void close() {
        adds.close();
        removes.close();
    }
}
