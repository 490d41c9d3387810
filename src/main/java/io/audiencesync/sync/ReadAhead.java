package io.audiencesync.sync;


import io.audiencesync.records.Futures;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * Reads the next {@value #DEPTH} elements of {@code source} on another thread while the caller works on the current
 * one (the next batches are read from the plan, and their request bodies' records made, while this one is on its way
 * to Pinterest). Only that thread touches the source, one element at a time; a failure of the source comes out of
 * the call that would have returned the element.
 */
final class ReadAhead<T> implements Iterator<T> {

    /**
     * Elements read ahead. Two, because a caller such as Camel's streaming splitter asks {@code hasNext()} for the
     * next element before it works on the current one: with one, that question would wait for the next element to
     * be read and prepared, and the reading would no longer overlap the work.
     */
    static final int DEPTH = 2;

    private final Iterator<T> source;
    private final Executor executor;
    private final Consumer<T> prepare;
    /** Reads in flight, oldest first; each starts when the one before it has finished, on the executor. */
    private final Deque<CompletableFuture<Optional<T>>> ahead = new ArrayDeque<>(DEPTH);

    ReadAhead(Iterator<T> source, Executor executor) {
        this(source, executor, element -> { });
    }

    /** @param prepare work done on each element on the reading thread, before it is handed out */
    ReadAhead(Iterator<T> source, Executor executor, Consumer<T> prepare) {
        this.source = source;
        this.executor = executor;
        this.prepare = prepare;
        fill();
    }

    private void fill() {
        while (ahead.size() < DEPTH) {
            CompletableFuture<Optional<T>> last = ahead.peekLast();
            ahead.addLast(last == null ? CompletableFuture.supplyAsync(this::read, executor)
                    : last.thenApplyAsync(previous -> previous.isPresent() ? read() : Optional.empty(), executor));
        }
    }

    private Optional<T> read() {
        if (!source.hasNext()) {
            return Optional.empty();
        }
        T element = source.next();
        prepare.accept(element);
        return Optional.of(element);
    }

    @Override
    public boolean hasNext() {
        return await().isPresent();
    }

    @Override
    public T next() {
        T element = await().orElseThrow(NoSuchElementException::new);
        ahead.removeFirst();
        fill();
        return element;
    }

    /**
     * Waits for the elements being read and reads nothing after them (the source is the caller's again).
     *
     * @return whether an element was read that will not be handed out
     */
    boolean stop() {
        boolean read = false;
        for (CompletableFuture<Optional<T>> element : ahead) {
            try {
                read |= element.join().isPresent();
            } catch (CompletionException e) {
                // stopping: the failure no longer matters
            }
        }
        ahead.clear();
        return read;
    }

    private Optional<T> await() {
        return ahead.isEmpty() ? Optional.empty() : Futures.join(ahead.getFirst());
    }
}
