package io.audiencesync.sync;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
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
}
