package io.audiencesync.sync;

import io.audiencesync.plan.Operation;

import java.util.EnumMap;
import java.util.Map;

/**
 * What a run's batches came to: values Pinterest acknowledged and values in batches that went to the dead letter,
 * by operation. Written by the send-batch routes; the progress line reads the totals from another thread.
 */
public final class Sends {

    private final Map<Operation, Long> acknowledged = new EnumMap<>(Operation.class);
    private final Map<Operation, Long> deadLettered = new EnumMap<>(Operation.class);
    private volatile long done;
    private long deadLetterBatches;
    private String deadLetterFile;

    synchronized void acknowledged(Operation op, long values) {
        acknowledged.merge(op, values, Long::sum);
        done += values;
    }

    synchronized void deadLettered(Operation op, long values, String file) {
        deadLettered.merge(op, values, Long::sum);
        done += values;
        deadLetterBatches++;
        deadLetterFile = file;
    }

    synchronized long acknowledged(Operation op) {
        return acknowledged.getOrDefault(op, 0L);
    }

    synchronized long deadLettered(Operation op) {
        return deadLettered.getOrDefault(op, 0L);
    }

    /** Values acknowledged or dead-lettered so far. */
    long done() {
        return done;
    }

    synchronized long deadLetterBatches() {
        return deadLetterBatches;
    }

    /** Where this run's dead letters went (a file, or a row in PostgreSQL), or null. */
    synchronized String deadLetterFile() {
        return deadLetterFile;
    }
}
