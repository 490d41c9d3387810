package io.audiencesync.emulator;

import java.time.Duration;
import java.util.Collection;
import java.util.Deque;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Faults the emulator injects on request, so tests (and people trying a configuration) can see how a client
 * behaves when Pinterest throttles, fails, hangs, refuses records or loses a list. Write faults are queued and
 * each one is used by the next write call (POST/PATCH to customer lists or audiences); read faults likewise by the
 * next read of one customer list or audience. Thread-safe.
 */
public final class Faults {

    /** What the emulator does instead of (or before) answering a write call. */
    sealed interface Fault {
    }

    /** Answer with this status and error code, with a {@code Retry-After} header when given. */
    record Answer(int status, int code, String message, Duration retryAfter) implements Fault {
    }

    /** Wait this long, then handle the call normally (a client with a shorter timeout gives up first). */
    record Slow(Duration delay) implements Fault {
    }

    /** Close the connection without an answer. */
    record Drop() implements Fault {
    }

    /** Handle the write normally: lets a fault wait its turn behind earlier writes. */
    record Pass() implements Fault {
    }

    /** Apply the write, then wait this long before answering: Pinterest has it, the client does not know yet. */
    record ApplyThenHold(Duration delay) implements Fault {
    }

    private final Deque<Fault> writes = new ConcurrentLinkedDeque<>();
    /** Faults of reads of one object, by the kind of object ({@code customer_lists}, {@code audiences}). */
    private final Map<String, Deque<Answer>> objectReads = new ConcurrentHashMap<>();
    static final Set<String> READ_KINDS = Set.of("customer_lists", "audiences");

    private final Set<String> refusedValues = ConcurrentHashMap.newKeySet();
    private final Set<String> goneLists = ConcurrentHashMap.newKeySet();
    private final AtomicInteger unauthorized = new AtomicInteger();
    private final AtomicInteger injected = new AtomicInteger();

    /** The next {@code count} write calls answer 429 code 8, asking to wait {@code retryAfter}. */
    public Faults throttleWrites(int count, Duration retryAfter) {
        return queue(count, new Answer(429, 8, "Too many requests: rate limit exceeded.", retryAfter));
    }

    /** The next {@code count} write calls answer {@code status} (500, 503...) with a generic error. */
    public Faults failWrites(int count, int status) {
        return queue(count, new Answer(status, status, "Internal error. Please try again later.", null));
    }

    public Faults slowWrites(int count, Duration delay) {
        return queue(count, new Slow(delay));
    }

    public Faults dropWrites(int count) {
        return queue(count, new Drop());
    }

    /**
     * The {@code n}-th write call from now is applied, then answered only after {@code delay}: a client killed
     * meanwhile never learns that Pinterest has the batch.
     */
    public Faults applyThenHold(int n, Duration delay) {
        return queue(n - 1, new Pass()).queue(1, new ApplyThenHold(delay));
    }

    /**
     * The next {@code count} reads of one object of {@code kind} ({@code customer_lists}: GET of one customer list;
     * {@code audiences}: GET of one audience) answer {@code status}; listing them is not affected.
     */
    public Faults failReads(String kind, int count, int status) {
        if (!READ_KINDS.contains(kind)) {
            throw new IllegalArgumentException("a read fault is of customer_lists or audiences, not '" + kind + "'");
        }
        Deque<Answer> queue = objectReads.computeIfAbsent(kind, k -> new ConcurrentLinkedDeque<>());
        for (int i = 0; i < count; i++) {
            queue.add(new Answer(status, status, status >= 500 ? "Internal error. Please try again later."
                    : "The request could not be served.", null));
        }
        return this;
    }

    /** Any records field holding one of these values is refused with 400 code 1 (Pinterest names no record). */
    public Faults refuseValues(Collection<String> values) {
        refusedValues.addAll(values);
        return this;
    }

    /** The next {@code count} authenticated calls answer 401, as an expired token would. */
    public Faults unauthorized(int count) {
        unauthorized.addAndGet(count);
        return this;
    }

    /** The list answers 404 from now on, as if deleted in Pinterest's UI. */
    public Faults listGone(String customerListId) {
        goneLists.add(customerListId);
        return this;
    }

    /** Removes every fault not yet used. */
    public Faults clear() {
        writes.clear();
        objectReads.clear();
        refusedValues.clear();
        goneLists.clear();
        unauthorized.set(0);
        return this;
    }

    /** How many faults have been injected so far. */
    public int injected() {
        return injected.get();
    }

    private Faults queue(int count, Fault fault) {
        for (int i = 0; i < count; i++) {
            writes.add(fault);
        }
        return this;
    }

    Fault nextWriteFault() {
        Fault fault = writes.poll();
        if (fault != null && !(fault instanceof Pass)) {
            injected.incrementAndGet();
        }
        return fault;
    }

    /** The fault for a read of one object of {@code kind}, or null. */
    Answer nextReadFault(String kind) {
        Deque<Answer> queue = objectReads.get(kind);
        Answer fault = queue == null ? null : queue.poll();
        if (fault != null) {
            injected.incrementAndGet();
        }
        return fault;
    }

    boolean takeUnauthorized() {
        boolean take = unauthorized.getAndUpdate(n -> n > 0 ? n - 1 : 0) > 0;
        if (take) {
            injected.incrementAndGet();
        }
        return take;
    }

    /** The index of the first refused value, or -1. */
    int refusedIndex(java.util.List<String> values) {
        if (refusedValues.isEmpty()) {
            return -1;
        }
        for (int i = 0; i < values.size(); i++) {
            if (refusedValues.contains(values.get(i))) {
                injected.incrementAndGet();
                return i;
            }
        }
        return -1;
    }

    boolean gone(String customerListId) {
        boolean gone = goneLists.contains(customerListId);
        if (gone) {
            injected.incrementAndGet();
        }
        return gone;
    }
}
