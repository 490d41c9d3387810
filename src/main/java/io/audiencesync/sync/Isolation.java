package io.audiencesync.sync;

import io.audiencesync.pinterest.PinterestAccessException;
import io.audiencesync.pinterest.PinterestApiException;
import io.audiencesync.plan.Batch;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/**
 * The parts of a refused batch still to send while the {@code isolate-refused} route looks for the values Pinterest
 * refuses: a refused part is halved again until the refused values are alone, within {@link #MAX_SPLIT_CALLS}
 * extra calls; what is still refused past them is dead-lettered as it stands. An access error (401/403/404) ends
 * the isolation, dead-lettering nothing: it stops the run.
 */
public final class Isolation {

    /** Extra calls one batch may spend isolating refused values. */
    static final int MAX_SPLIT_CALLS = 64;

    private final Deque<Batch> pending = new ArrayDeque<>();
    private int budget = MAX_SPLIT_CALLS;

    Isolation(Batch refused) {
        halve(refused);
    }

    /** A 400 that is not about access: Pinterest refused a value of the call's batch. */
    static boolean refused(Exception failure) {
        return failure instanceof PinterestApiException e && e.status() == 400 && !(e instanceof PinterestAccessException);
    }

    boolean more() {
        return !pending.isEmpty();
    }

    Batch next() {
        return pending.pop();
    }

    /**
     * A part failed. A refused part of more than one value is halved again while calls are left; otherwise the part is
     * as small as isolating gets, and it goes to the dead letter.
     *
     * @return whether the part goes to the dead letter
     */
    boolean deadLetter(Batch part, Exception failure) {
        if (failure instanceof PinterestAccessException) {
            // No part can succeed now; the run stops, and the refused batch is sent again by the next one.
            pending.clear();
            return false;
        }
        if (refused(failure) && part.size() > 1 && budget > 0) {
            halve(part);
            return false;
        }
        return true;
    }

    private void halve(Batch batch) {
        budget -= 2;
        List<String> lines = batch.lines();
        int half = lines.size() / 2;
        // the second half below the first: the first half is sent first
        pending.push(new Batch(batch.operation(), batch.number(), lines.subList(half, lines.size())));
        pending.push(new Batch(batch.operation(), batch.number(), lines.subList(0, half)));
    }
}
