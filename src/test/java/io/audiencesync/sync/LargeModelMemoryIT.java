package io.audiencesync.sync;

import io.audiencesync.emulator.PinterestEmulator;
import io.audiencesync.report.Outcome;
import io.audiencesync.sync.RunHistory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static io.audiencesync.sync.SyncHarness.email;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Memory does not grow with the number of rows: a snapshot that makes ten thousand sorted runs (ten million rows, the
 * smallest sync.sort-buffer-values) syncs in a JVM of 256 MB. Before the merge was bounded it opened every run at
 * once with a buffer of 1 MB each and ran out of heap. A child JVM, as the heap limit is the point.
 */
class LargeModelMemoryIT {

    private static final int ROWS = 10_000_000;
    private static final int DISTINCT = 1_000;

    @TempDir
    Path dir;
    private PinterestEmulator emulator;

    @AfterEach
    void stop() {
        if (emulator != null) {
            emulator.close();
        }
    }

    @Test
    void tenThousandSortedRunsSyncIn256Megabytes() throws Exception {
        emulator = PinterestEmulator.builder().port(0).start();
        ChildSync child = new ChildSync(emulator, dir).jvm("-Xmx256m");
        child.settings.put("sync.identifiers", "email=EMAIL");
        child.settings.put("sync.sort-buffer-values", "1000");
        child.settings.put("pinterest.write-rate-per-minute", "100000");
        Files.createDirectories(child.inbox());
        try (BufferedWriter out = Files.newBufferedWriter(child.inbox().resolve("big.csv"), StandardCharsets.UTF_8)) {
            out.write("email\n");
            for (int i = 0; i < ROWS; i++) {
                out.write("u");
                out.write(Integer.toString(i % DISTINCT));
                out.write("@example.com\n");
            }
        }

        assertThat(child.run()).as(child.log()).isZero();
        assertThat(new RunHistory(dir.resolve("data")).reports()).singleElement().satisfies(r -> {
            assertThat(r.outcome()).isEqualTo(Outcome.SUCCEEDED);
            assertThat(r.rowsRead()).isEqualTo(ROWS);
            assertThat(r.distinctValues()).isEqualTo(DISTINCT);
        });
        Set<String> expected = IntStream.range(0, DISTINCT).mapToObj(i -> email("u" + i + "@example.com"))
                .collect(Collectors.toSet());
        assertThat(emulator.members(emulator.customerLists().get(0).id())).isEqualTo(expected);
    }
}
