package io.audiencesync.records;

import io.audiencesync.identity.IdentifierType;
import io.audiencesync.identity.Normalizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

class SnapshotCollectorTest {

    @TempDir
    Path dir;

    @Test
    void farMoreRunsThanAMergeOpensAreMergedInPassesIntoOneSortedDistinctStream() throws IOException {
        // 1,000 values a run and 120,000 values with repeats: 120 sorted runs, four times what one merge opens.
        Random random = new Random(11);
        TreeMap<String, IdentifierType> expected = new TreeMap<>();
        SnapshotCollector collector = new SnapshotCollector(dir, 1_000);
        for (int i = 0; i < 120_000; i++) {
            String value = Normalizer.sha256("user" + random.nextInt(40_000));
            IdentifierType type = i % 7 == 0 ? IdentifierType.MAID : IdentifierType.EMAIL;
            expected.putIfAbsent(value, type);
            collector.add(value, type);
        }
        List<String> read = new ArrayList<>();
        try (SortedRecords records = collector.finish()) {
            while (records.next()) {
                read.add(WireRecords.value(records.buffer(), records.offset()));
            }
        }
        assertThat(read).as("sorted, each value once").containsExactlyElementsOf(expected.keySet());
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.filter(p -> p.getFileName().toString().contains("-run-")))
                    .as("the runs merged in a pass are deleted; what is left is at most one merge wide")
                    .hasSizeLessThanOrEqualTo(SnapshotCollector.FAN_IN);
        }
    }
}
