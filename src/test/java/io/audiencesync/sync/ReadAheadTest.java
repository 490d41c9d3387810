package io.audiencesync.sync;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ReadAheadTest {

    private final ExecutorService thread = Executors.newSingleThreadExecutor();

    @AfterEach
    void stop() {
        thread.shutdownNow();
    }

    @Test
    void handsOutEveryElementInOrderReadOnTheOtherThread() {
        Set<String> readers = ConcurrentHashMap.newKeySet();
        Iterator<Integer> source = new Iterator<>() {
            int n;

            @Override
            public boolean hasNext() {
                readers.add(Thread.currentThread().getName());
                return n < 1000;
            }

            @Override
            public Integer next() {
                return n++;
            }
        };
        List<Integer> out = new ArrayList<>();
        new ReadAhead<>(source, thread).forEachRemaining(out::add);
        assertThat(out).containsExactlyElementsOf(IntStream.range(0, 1000).boxed().toList());
        assertThat(readers).hasSize(1).doesNotContain(Thread.currentThread().getName());
    }

    @Test
    void eachElementIsPreparedOnTheReadingThreadBeforeItIsHandedOut() {
        List<String> preparedBy = java.util.Collections.synchronizedList(new ArrayList<>());
        List<StringBuilder> elements = IntStream.range(0, 50).mapToObj(i -> new StringBuilder("v" + i)).toList();
        ReadAhead<StringBuilder> ahead = new ReadAhead<>(elements.iterator(), thread, sb -> {
            preparedBy.add(Thread.currentThread().getName());
            sb.append("+prepared");
        });
        List<String> out = new ArrayList<>();
        ahead.forEachRemaining(sb -> out.add(sb.toString()));
        assertThat(out).hasSize(50).allMatch(v -> v.endsWith("+prepared"));
        assertThat(preparedBy).hasSize(50).doesNotContain(Thread.currentThread().getName());
    }

    @Test
    void aFailureOfTheSourceComesOutWhereItsElementWould() {
        Iterator<Integer> source = new Iterator<>() {
            int n;

            @Override
            public boolean hasNext() {
                return true;
            }

            @Override
            public Integer next() {
                if (n == 2) {
                    throw new IllegalStateException("cannot read the plan");
                }
                return n++;
            }
        };
        ReadAhead<Integer> ahead = new ReadAhead<>(source, thread);
        assertThat(ahead.next()).isZero();
        assertThat(ahead.next()).isEqualTo(1);
        assertThatThrownBy(ahead::hasNext).isInstanceOf(IllegalStateException.class).hasMessage("cannot read the plan");
    }

    @Test
    void stopSaysWhetherAnElementWasReadThatWillNotBeHandedOut() {
        ReadAhead<Integer> two = new ReadAhead<>(List.of(1, 2).iterator(), thread);
        assertThat(two.next()).isEqualTo(1);
        assertThat(two.stop()).isTrue();
        ReadAhead<Integer> one = new ReadAhead<>(List.of(1).iterator(), thread);
        assertThat(one.next()).isEqualTo(1);
        assertThat(one.stop()).isFalse();
        assertThatThrownBy(one::next).isInstanceOf(NoSuchElementException.class);
    }

    @Test
    void theElementAfterTheNextIsReadWhileTheCallerWorks() throws Exception {
        // Camel's streaming splitter calls next() and then hasNext() before working on the element it got: the
        // element after the next one must already be on its way then, or hasNext() waits for a read not yet begun.
        AtomicInteger reads = new AtomicInteger();
        CountDownLatch thirdRead = new CountDownLatch(1);
        Iterator<Integer> source = new Iterator<>() {
            @Override
            public boolean hasNext() {
                return reads.get() < 10;
            }

            @Override
            public Integer next() {
                int n = reads.getAndIncrement();
                if (n == 2) {
                    thirdRead.countDown();
                }
                return n;
            }
        };
        ReadAhead<Integer> ahead = new ReadAhead<>(source, thread);
        assertThat(ahead.next()).isZero();
        assertThat(ahead.hasNext()).isTrue();
        // The caller now works on element 0; elements 1 and 2 are read meanwhile, without another call.
        assertThat(thirdRead.await(5, TimeUnit.SECONDS)).as("element 2 read while element 0 is worked on").isTrue();
        assertThat(reads.get()).isEqualTo(ReadAhead.DEPTH + 1);
        List<Integer> rest = new ArrayList<>();
        ahead.forEachRemaining(rest::add);
        assertThat(rest).containsExactlyElementsOf(IntStream.range(1, 10).boxed().toList());
    }

    @Test
    void stopWaitsForEveryReadInFlightAndReadsNothingMore() {
        AtomicInteger reads = new AtomicInteger();
        Iterator<Integer> source = IntStream.range(0, 100).peek(i -> reads.incrementAndGet()).iterator();
        ReadAhead<Integer> ahead = new ReadAhead<>(source, thread);
        assertThat(ahead.next()).isZero();
        assertThat(ahead.stop()).isTrue();
        int read = reads.get();
        assertThat(read).isEqualTo(1 + ReadAhead.DEPTH);
        assertThat(ahead.hasNext()).isFalse();
        assertThat(reads.get()).isEqualTo(read);
        // the source is the caller's again, at the element after the last one read
        assertThat(source.next()).isEqualTo(read);
    }
}
