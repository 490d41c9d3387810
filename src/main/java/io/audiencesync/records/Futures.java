package io.audiencesync.records;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/** Waiting for work handed to another thread, so that its failure comes out as what that thread threw. */
public final class Futures {

    private Futures() {
    }

    /**
     * The result of {@code future} once it is done; a {@link RuntimeException} or {@link Error} it ended with is
     * thrown as it is, anything else wrapped in the {@link CompletionException}.
     */
    public static <T> T join(CompletableFuture<T> future) {
        try {
            return future.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error err) {
                throw err;
            }
            throw e;
        }
    }
}
