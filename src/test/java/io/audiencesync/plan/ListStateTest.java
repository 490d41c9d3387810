package io.audiencesync.plan;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ListStateTest {

    @TempDir
    Path root;

    @Test
    void acknowledgedBatchesFoldIntoTheSortedMembers() throws IOException {
        ListState state = ListState.open(root, "42");
        state.commit(Operation.ADD, List.of("a\tEMAIL", "c\tEMAIL", "e\tMAID"));
        state.commit(Operation.ADD, List.of("f\tEMAIL"));
        assertThat(state.compact()).isEqualTo(4);
        assertThat(state.lines()).containsExactly("a\tEMAIL", "c\tEMAIL", "e\tMAID", "f\tEMAIL");

        state.commit(Operation.ADD, List.of("b\tEMAIL", "c\tEMAIL"));
        state.commit(Operation.REMOVE, List.of("a\tEMAIL", "f\tEMAIL", "zz\tEMAIL"));
        assertThat(state.compact()).isEqualTo(3);
        assertThat(state.lines()).containsExactly("b\tEMAIL", "c\tEMAIL", "e\tMAID");
        assertThat(state.compact()).as("nothing left to fold").isEqualTo(-1);
    }

    @Test
    void aTornLastBatchIsDroppedAndEverythingBeforeItKept() throws IOException {
        ListState state = ListState.open(root, "42");
        state.commit(Operation.ADD, List.of("a\tEMAIL", "b\tEMAIL"));
        state.commit(Operation.ADD, List.of("c\tEMAIL", "d\tEMAIL"));
        Path journal = root.resolve("lists/42/journal.log");
        byte[] full = Files.readAllBytes(journal);
        // Every prefix of the second block is a possible torn write: none may be used, the first block always is.
        int secondBlock = new String(full, StandardCharsets.UTF_8).indexOf("#begin", 1);
        for (int cut = secondBlock; cut < full.length - 1; cut++) {
            ListState torn = ListState.open(root.resolve("cut" + cut), "42");
            Path tornJournal = root.resolve("cut" + cut + "/lists/42/journal.log");
            Files.createDirectories(tornJournal.getParent());
            Files.write(tornJournal, java.util.Arrays.copyOf(full, cut));
            torn.compact();
            assertThat(torn.lines()).as("cut at byte %d", cut).containsExactly("a\tEMAIL", "b\tEMAIL");
        }
    }

    @Test
    void damageBeforeTheLastBatchIsCorruptionNotATornWrite() throws IOException {
        ListState state = ListState.open(root, "42");
        state.commit(Operation.ADD, List.of("a\tEMAIL", "b\tEMAIL"));
        state.commit(Operation.ADD, List.of("c\tEMAIL"));
        Path journal = root.resolve("lists/42/journal.log");
        String text = Files.readString(journal).replaceFirst("b\tEMAIL", "x\tEMAIL");
        Files.writeString(journal, text);
        assertThatThrownBy(state::compact).isInstanceOf(StateCorruptedException.class)
                .hasMessageContaining("journal.log line 4").hasMessageContaining("checksum");
    }

    @Test
    void replayingAJournalTwiceGivesTheSameState() throws IOException {
        ListState state = ListState.open(root, "7");
        state.commit(Operation.ADD, List.of("a\tEMAIL", "b\tEMAIL", "c\tEMAIL"));
        state.compact();
        state.commit(Operation.ADD, List.of("d\tEMAIL"));
        state.commit(Operation.REMOVE, List.of("a\tEMAIL"));
        Path journal = root.resolve("lists/7/journal.log");
        byte[] copy = Files.readAllBytes(journal);
        state.compact();
        // a crash after the rename but before the journal was deleted
        Files.write(journal, copy, StandardOpenOption.CREATE_NEW);
        state.compact();
        assertThat(state.lines()).containsExactly("b\tEMAIL", "c\tEMAIL", "d\tEMAIL");
    }

    @Test
    void outOfOrderJournalsAreSortedBeforeMerging() throws IOException {
        ListState state = ListState.open(root, "9");
        state.commit(Operation.ADD, List.of("m\tEMAIL", "n\tEMAIL"));
        state.commit(Operation.ADD, List.of("a\tEMAIL", "b\tEMAIL"));
        state.compact();
        assertThat(state.lines()).containsExactly("a\tEMAIL", "b\tEMAIL", "m\tEMAIL", "n\tEMAIL");
    }

    @Test
    void aStateFromTheTextFormatIsReadOnceAndReplaced() throws IOException {
        Path dir = root.resolve("lists/5");
        Files.createDirectories(dir);
        Files.write(dir.resolve("members.sorted"), List.of("a\tEMAIL", "c\tEMAIL"));
        ListState state = ListState.open(root, "5");
        state.commit(Operation.ADD, List.of("b\tEMAIL"));
        assertThat(state.compact()).isEqualTo(3);
        assertThat(state.lines()).containsExactly("a\tEMAIL", "b\tEMAIL", "c\tEMAIL");
        assertThat(dir.resolve("members.sorted")).doesNotExist();
    }

    @Test
    void journalsLargerThanTheSortBufferFoldCorrectly() {
        ListState state = ListState.open(root, "8", 1_000);
        java.util.TreeSet<String> expected = new java.util.TreeSet<>();
        for (int batch = 0; batch < 5; batch++) {
            List<String> lines = new java.util.ArrayList<>();
            for (int i = 0; i < 700; i++) {
                lines.add("v" + (i * 7 + batch) % 2_000 + "\tEMAIL");
            }
            state.commit(Operation.ADD, lines);
            lines.forEach(expected::add);
        }
        state.commit(Operation.REMOVE, List.of("v0\tEMAIL", "v1\tEMAIL"));
        expected.remove("v0\tEMAIL");
        expected.remove("v1\tEMAIL");
        state.compact();
        assertThat(state.lines()).containsExactlyInAnyOrderElementsOf(expected).doesNotHaveDuplicates();
    }
}
