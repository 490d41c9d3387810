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
        assertThat(lines(state.members())).containsExactly("a\tEMAIL", "c\tEMAIL", "e\tMAID", "f\tEMAIL");

        state.commit(Operation.ADD, List.of("b\tEMAIL", "c\tEMAIL"));
        state.commit(Operation.REMOVE, List.of("a\tEMAIL", "f\tEMAIL", "zz\tEMAIL"));
        assertThat(state.compact()).isEqualTo(3);
        assertThat(lines(state.members())).containsExactly("b\tEMAIL", "c\tEMAIL", "e\tMAID");
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
            assertThat(lines(torn.members())).as("cut at byte %d", cut).containsExactly("a\tEMAIL", "b\tEMAIL");
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
        assertThat(lines(state.members())).containsExactly("b\tEMAIL", "c\tEMAIL", "d\tEMAIL");
    }

    @Test
    void outOfOrderJournalsAreSortedBeforeMerging() throws IOException {
        ListState state = ListState.open(root, "9");
        state.commit(Operation.ADD, List.of("m\tEMAIL", "n\tEMAIL"));
        state.commit(Operation.ADD, List.of("a\tEMAIL", "b\tEMAIL"));
        state.compact();
        assertThat(lines(state.members())).containsExactly("a\tEMAIL", "b\tEMAIL", "m\tEMAIL", "n\tEMAIL");
    }

    private static List<String> lines(Path file) throws IOException {
        return Files.readAllLines(file, StandardCharsets.UTF_8);
    }
}
