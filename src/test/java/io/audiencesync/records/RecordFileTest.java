package io.audiencesync.records;

import io.audiencesync.identity.IdentifierType;
import io.audiencesync.identity.Normalizer;
import io.audiencesync.state.StateCorruptedException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Every record file carries a seal; whatever damage it suffered is found when it is read, never used. */
class RecordFileTest {

    @TempDir
    Path dir;

    /** 100 SHA-256 values and a few text ones, sorted, written as the stores write them; returns the file. */
    private Path sealed(String name) {
        TreeSet<String> values = new TreeSet<>();
        for (int i = 0; i < 100; i++) {
            values.add(Normalizer.sha256("user" + i + "@example.com"));
        }
        SnapshotCollector collector = new SnapshotCollector(dir.resolve("sort-" + name), 1_000);
        values.forEach(v -> collector.add(v, IdentifierType.EMAIL));
        collector.add("plain@example.com", IdentifierType.EMAIL);
        collector.add("LR-123", IdentifierType.LR_ID);
        Path file = dir.resolve(name);
        try (SortedRecords sorted = collector.finish(); RecordFile.Writer out = new RecordFile.Writer(file)) {
            while (sorted.next()) {
                out.write(sorted.buffer(), sorted.offset());
            }
        }
        return file;
    }

    private static List<String> readAll(Path file) {
        List<String> out = new ArrayList<>();
        try (SortedRecords records = RecordFile.read(file, RecordFile.Order.ASCENDING, -1, "ADVICE")) {
            while (records.next()) {
                out.add(WireRecords.line(records.buffer(), records.offset()));
            }
        }
        return out;
    }

    @Test
    void aSealedFileReadsBackWhole() {
        Path file = sealed("members.bin");
        assertThat(readAll(file)).hasSize(102).contains("plain@example.com\tEMAIL", "LR-123\tLR_ID");
        try (SortedRecords records = RecordFile.read(file, RecordFile.Order.ASCENDING, 102, "ADVICE")) {
            int n = 0;
            while (records.next()) {
                n++;
            }
            assertThat(n).isEqualTo(102);
        }
    }

    @Test
    void aFileCutAtARecordBoundaryIsDamagedNotShorter() throws IOException {
        Path file = sealed("members.bin");
        byte[] bytes = Files.readAllBytes(file);
        // Drop the seal and the two text records at the end ("LR-123": 10 bytes, "plain@example.com": 21): the
        // records left are whole and in order, as in a file copied only in part.
        int records = bytes.length - RecordFile.Seal.LENGTH;
        Files.write(file, Arrays.copyOf(bytes, records - 31));
        assertThatThrownBy(() -> readAll(file)).isInstanceOf(StateCorruptedException.class)
                .hasMessageContaining(file.toString()).hasMessageContaining("ends without its seal")
                .hasMessageContaining("ADVICE");
    }

    @Test
    void anEmptiedFileIsDamaged() throws IOException {
        Path file = sealed("members.bin");
        Files.write(file, new byte[0]);
        assertThatThrownBy(() -> readAll(file)).isInstanceOf(StateCorruptedException.class)
                .hasMessageContaining("the file is empty: its seal is missing");
    }

    @Test
    void aChangedByteAnywhereIsFound() throws IOException {
        Path file = sealed("members.bin");
        byte[] original = Files.readAllBytes(file);
        int found = 0;
        // Every byte of the records, flipped in turn: the seal's checksum, a record's kind, type or order catches it.
        for (int i = 0; i < original.length; i += 7) {
            byte[] bytes = original.clone();
            bytes[i] ^= 0x10;
            Files.write(file, bytes);
            try {
                readAll(file);
            } catch (StateCorruptedException e) {
                assertThat(e.getMessage()).contains(file.toString()).contains("is damaged").contains("(at byte ");
                found++;
                continue;
            }
            throw new AssertionError("a changed byte at " + i + " was not found");
        }
        assertThat(found).isGreaterThan(400);
    }

    @Test
    void bytesAfterTheSealAreDamage() throws IOException {
        Path file = sealed("members.bin");
        byte[] bytes = Files.readAllBytes(file);
        Files.write(file, Arrays.copyOf(bytes, bytes.length + 8)); // zero padding, as a preallocated file has
        assertThatThrownBy(() -> readAll(file)).isInstanceOf(StateCorruptedException.class)
                .hasMessageContaining("bytes follow its seal");
    }

    @Test
    void recordsOutOfOrderAreDamageInASortedFileOnly() {
        Path file = dir.resolve("plan.bin");
        try (RecordFile.Writer out = new RecordFile.Writer(file)) {
            out.write(WireRecords.encode("b@example.com", IdentifierType.EMAIL), 0);
            out.write(WireRecords.encode("a@example.com", IdentifierType.EMAIL), 0);
        }
        assertThat(RecordFile.lines(file)).containsExactly("b@example.com\tEMAIL", "a@example.com\tEMAIL");
        assertThatThrownBy(() -> readAll(file)).isInstanceOf(StateCorruptedException.class)
                .hasMessageContaining("not greater than the one before");
    }

    @Test
    void aCountOtherThanTheOwnerRecordsIsDamage() {
        Path file = sealed("desired-1.bin");
        assertThatThrownBy(() -> {
            try (SortedRecords records = RecordFile.read(file, RecordFile.Order.ASCENDING, 103, "ADVICE")) {
                while (records.next()) {
                    // read to the end
                }
            }
        }).isInstanceOf(StateCorruptedException.class).hasMessageContaining("holds 102 records where 103 are recorded");
    }

    @Test
    void aFileOfTheEarlierReleaseReadsUnsealedOnlyWhereAskedFor() throws IOException {
        Path file = sealed("members.bin");
        byte[] bytes = Files.readAllBytes(file);
        Files.write(file, Arrays.copyOf(bytes, bytes.length - RecordFile.Seal.LENGTH));
        int n = 0;
        try (SortedRecords records = RecordFile.readUnsealed(file, "ADVICE")) {
            while (records.next()) {
                n++;
            }
        }
        assertThat(n).isEqualTo(102);
        assertThatThrownBy(() -> readAll(file)).isInstanceOf(StateCorruptedException.class);
    }
}
