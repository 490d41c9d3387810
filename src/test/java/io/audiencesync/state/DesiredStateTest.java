package io.audiencesync.state;

import io.audiencesync.identity.IdentifierType;
import io.audiencesync.observe.SyncMetrics;
import io.audiencesync.records.SnapshotCollector;
import io.audiencesync.records.SortedRecords;
import io.audiencesync.records.WireRecords;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

class DesiredStateTest {

    @TempDir
    Path dir;

    private SortedRecords snapshot(String... emails) {
        SnapshotCollector collector = new SnapshotCollector(dir.resolve("work-" + System.nanoTime()), 1_000);
        for (String email : emails) {
            collector.add(email, IdentifierType.EMAIL);
        }
        return collector.finish();
    }

    private static List<String> lines(SortedRecords records) {
        List<String> out = new java.util.ArrayList<>();
        try (records) {
            while (records.next()) {
                out.add(WireRecords.line(records.buffer(), records.offset()));
            }
        }
        return out;
    }

    @Test
    void aKeptSnapshotIsOwedUntilARunSettlesIt() {
        DesiredState desired = DesiredState.of(dir, "549755885175/Customer List-Users 1");
        assertThat(desired.status()).isEmpty();

        DesiredState.Status kept = desired.keep(snapshot("b@x.com", "a@x.com", "a@x.com"), "day1.csv", Instant.now());
        assertThat(kept.values()).isEqualTo(2);
        assertThat(kept.previousValues()).isEqualTo(-1);
        assertThat(kept.owed()).isTrue();
        assertThat(kept.convergence()).isEqualTo("behind");
        assertThat(lines(desired.read())).containsExactly("a@x.com\tEMAIL", "b@x.com\tEMAIL");

        DesiredState.Status failed = desired.settle(true, 2, 0, "Pinterest could not be reached", Instant.now());
        assertThat(failed.attempts()).isEqualTo(1);
        assertThat(desired.settle(true, 2, 0, "again", Instant.now()).convergence()).isEqualTo("failing");

        DesiredState.Status done = desired.settle(false, 0, 0, "ignored when converged", Instant.now());
        assertThat(done.converged()).isTrue();
        assertThat(done.reason()).isNull();
        assertThat(done.attempts()).isZero();

        SyncMetrics metrics = new SyncMetrics("users-1");
        metrics.desiredState(done);
        assertThat(metrics.scrape()).contains("pinterest_sync_convergence{state=\"converged\",sync=\"users-1\"} 1.0")
                .contains("pinterest_sync_convergence{state=\"failing\",sync=\"users-1\"} 0.0")
                .contains("pinterest_sync_values_owed{sync=\"users-1\"} 0.0");
    }

    @Test
    void aNewSnapshotReplacesTheOldGenerationAndKeepsTheLastConfirmedBaseline() throws IOException {
        DesiredState desired = DesiredState.of(dir, "k");
        desired.keep(snapshot("a@x.com", "b@x.com", "c@x.com", "d@x.com"), "day1.csv", Instant.now());
        desired.settle(false, 0, 0, null, Instant.now());

        DesiredState.Status shrunk = desired.keep(snapshot("a@x.com"), "day2.csv", Instant.now());
        assertThat(shrunk.previousValues()).isEqualTo(4);
        desired.settle(false, 0, 3, "withheld: shrink", Instant.now());

        // The same cut-off export again: the baseline stays the last snapshot whose removals went out.
        DesiredState.Status again = desired.keep(snapshot("a@x.com"), "day3.csv", Instant.now());
        assertThat(again.previousValues()).isEqualTo(4);
        assertThat(lines(desired.read())).containsExactly("a@x.com\tEMAIL");
        try (Stream<Path> files = Files.list(dir.resolve("desired"))) {
            assertThat(files.filter(p -> p.toString().endsWith(".bin"))).as("old generations are deleted").hasSize(1);
        }
    }

    @Test
    void aDamagedOrMissingDesiredStateIsRefusedNamingTheFileAndTheFix() throws IOException {
        StateFormat.upgrade(dir);
        DesiredState desired = DesiredState.of(dir, "k");
        DesiredState.Status kept = desired.keep(snapshot("a@x.com", "b@x.com", "c@x.com"), "day1.csv", Instant.now());
        Path status = Path.of(desired.statusFile());
        Path records = status.resolveSibling(kept.records());
        byte[] json = Files.readAllBytes(status);

        // One digit of a count changed: still JSON, still the same fields, not what was written.
        Files.writeString(status, new String(json, java.nio.charset.StandardCharsets.UTF_8)
                .replace("\"values\" : 3", "\"values\" : 2"));
        org.assertj.core.api.Assertions.assertThatThrownBy(desired::status).isInstanceOf(StateCorruptedException.class)
                .hasMessageContaining(status.toString()).hasMessageContaining("does not match its seal")
                .hasMessageContaining("run --once --reset-state");
        Files.write(status, java.util.Arrays.copyOf(json, json.length / 2));
        org.assertj.core.api.Assertions.assertThatThrownBy(desired::status).isInstanceOf(StateCorruptedException.class)
                .hasMessageContaining("is damaged: it is not JSON");
        Files.write(status, json);
        assertThat(desired.status()).contains(kept);

        byte[] bin = Files.readAllBytes(records);
        Files.write(records, java.util.Arrays.copyOf(bin, bin.length - 1));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> lines(desired.read()))
                .isInstanceOf(StateCorruptedException.class).hasMessageContaining(records.toString());
        Files.delete(records);
        org.assertj.core.api.Assertions.assertThatThrownBy(desired::read).isInstanceOf(StateCorruptedException.class)
                .hasMessageContaining(records + " is missing").hasMessageContaining("3 values");
    }
}
