package io.audiencesync.sync;

import io.audiencesync.plan.Futures;

import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * Reads the next element of {@code source} on another thread while the caller works on the current one (the next
 * batch is read from the plan, and its request body's records made, while this one is on its way to Pinterest).
 * Only that thread touches the source, one element at a time; a failure of the source comes out of the call that
 * would have returned the element.
 */
final class ReadAhead<T> implements Iterator<T> {

    private final Iterator<T> source;
    private final Executor executor;
    private final Consumer<T> prepare;
    private CompletableFuture<Optional<T>> ahead;

    ReadAhead(Iterator<T> source, Executor executor) {
        this(source, executor, element -> { });
    }

    /** @param prepare work done on each element on the reading thread, before it is handed out */
    ReadAhead(Iterator<T> source, Executor executor, Consumer<T> prepare) {
        this.source = source;
        this.executor = executor;
        this.prepare = prepare;
        this.ahead = fetch();
    }

    private CompletableFuture<Optional<T>> fetch() {
        return CompletableFuture.supplyAsync(() -> {
            if (!source.hasNext()) {
                return Optional.empty();
            }
            T element = source.next();
            prepare.accept(element);
            return Optional.of(element);
        }, executor);
    }

    @Override
    public boolean hasNext() {
        return await().isPresent();
    }

    @Override
    public T next() {
        T element = await().orElseThrow(NoSuchElementException::new);
        ahead = fetch();
        return element;
    }

    /**
     * Waits for the element being read and reads nothing after it (the source is the caller's again).
     *
     * @return whether an element was read that will not be handed out
     */
    boolean stop() {
        try {
            return ahead.join().isPresent();
        } catch (CompletionException e) {
            // stopping: the failure no longer matters
            return false;
        }
    }

    private Optional<T> await() {
        return Futures.join(ahead);
    }
}
