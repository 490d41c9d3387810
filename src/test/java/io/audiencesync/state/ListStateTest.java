package io.audiencesync.state;

import io.audiencesync.plan.Operation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
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
        long firstBlock = Files.size(root.resolve("lists/42/journal.bin"));
        state.commit(Operation.ADD, List.of("c\tEMAIL", "d\tEMAIL"));
        state.finish();
        // finish() folded the journal: commit again to keep one on disk.
        ListState again = ListState.open(root.resolve("again"), "42");
        again.commit(Operation.ADD, List.of("a\tEMAIL", "b\tEMAIL"));
        again.commit(Operation.ADD, List.of("c\tEMAIL", "d\tEMAIL"));
        byte[] full = Files.readAllBytes(root.resolve("again/lists/42/journal.bin"));
        // Every prefix of the second block is a possible torn write: none may be used, the first block always is.
        for (int cut = (int) firstBlock; cut < full.length; cut++) {
            assertThat(foldJournal("cut" + cut, java.util.Arrays.copyOf(full, cut)))
                    .as("cut at byte %d", cut).containsExactly("a\tEMAIL", "b\tEMAIL");
        }
        // A file that grew before its last block reached the disk reads zeros there: torn too.
        byte[] zeroed = full.clone();
        java.util.Arrays.fill(zeroed, (int) firstBlock, zeroed.length, (byte) 0);
        assertThat(foldJournal("zeroed", zeroed)).containsExactly("a\tEMAIL", "b\tEMAIL");
        // The whole journal is read whole.
        assertThat(foldJournal("whole", full)).containsExactly("a\tEMAIL", "b\tEMAIL", "c\tEMAIL", "d\tEMAIL");
    }

    private List<String> foldJournal(String name, byte[] journal) throws IOException {
        ListState state = ListState.open(root.resolve(name), "42");
        Path file = root.resolve(name + "/lists/42/journal.bin");
        Files.createDirectories(file.getParent());
        Files.write(file, journal);
        state.compact();
        return state.lines();
    }

    @Test
    void damageBeforeTheLastBatchIsCorruptionNotATornWrite() throws IOException {
        ListState state = ListState.open(root, "42");
        state.commit(Operation.ADD, List.of("a\tEMAIL", "b\tEMAIL"));
        Path journal = root.resolve("lists/42/journal.bin");
        long firstBlock = Files.size(journal);
        state.commit(Operation.ADD, List.of("c\tEMAIL"));
        byte[] bytes = Files.readAllBytes(journal);
        bytes[(int) firstBlock - 6] ^= 1; // inside the first block's last record
        Files.write(journal, bytes);
        // A journal is read by the process that comes after one that died (the one that wrote it has the batches
        // in hand: a first sync's members file is built from them).
        assertThatThrownBy(ListState.open(root, "42")::compact).isInstanceOf(StateCorruptedException.class)
                .hasMessageContaining("journal.bin is damaged").hasMessageContaining("(at byte 0)")
                .hasMessageContaining("checksum").hasMessageContaining("run --once --reset-state");

        bytes[(int) firstBlock - 6] ^= 1;
        bytes[(int) firstBlock + 1] ^= 1; // the second block's magic
        bytes = java.util.Arrays.copyOf(bytes, bytes.length * 2 - (int) firstBlock);
        System.arraycopy(bytes, 0, bytes, bytes.length - (int) firstBlock, (int) firstBlock); // a whole block after it
        Files.write(journal, bytes);
        assertThatThrownBy(ListState.open(root, "42")::compact).isInstanceOf(StateCorruptedException.class)
                .hasMessageContaining("journal.bin is damaged").hasMessageContaining("(at byte " + firstBlock + ")")
                .hasMessageContaining("header is damaged");
    }

    @Test
    void aBatchMissingFromTheMiddleOfTheJournalIsCorruptionNotASmallerState() throws IOException {
        ListState state = ListState.open(root, "42");
        state.commit(Operation.ADD, List.of("a\tEMAIL"));
        Path journal = root.resolve("lists/42/journal.bin");
        int first = (int) Files.size(journal);
        state.commit(Operation.ADD, List.of("b\tEMAIL"));
        int second = (int) Files.size(journal);
        state.commit(Operation.REMOVE, List.of("a\tEMAIL"));
        byte[] bytes = Files.readAllBytes(journal);
        byte[] without = new byte[bytes.length - (second - first)];
        System.arraycopy(bytes, 0, without, 0, first);
        System.arraycopy(bytes, second, without, first, bytes.length - second);
        Files.write(journal, without);
        // Every block left is whole and its checksum matches: only their numbers say one is missing.
        assertThatThrownBy(ListState.open(root, "42")::compact).isInstanceOf(StateCorruptedException.class)
                .hasMessageContaining("journal.bin is damaged").hasMessageContaining("batches 2 to 2 are missing")
                .hasMessageContaining("(at byte " + first + ")");
    }

    @Test
    void aJournalOfTheEarlierReleaseStillFolds() throws IOException {
        // magic "PASJ" | operation | count | length | records | crc32: the block format before blocks were numbered
        byte[] records = io.audiencesync.records.WireRecords.encode("a@example.com", io.audiencesync.identity.IdentifierType.EMAIL);
        java.nio.ByteBuffer block = java.nio.ByteBuffer.allocate(13 + records.length + 4);
        block.putInt(0x50_41_53_4A).put((byte) Operation.ADD.ordinal()).putInt(1).putInt(records.length).put(records);
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(block.array(), 0, block.position());
        block.putInt((int) crc.getValue());
        assertThat(foldJournal("legacy", block.array())).containsExactly("a@example.com\tEMAIL");
    }

    @Test
    void aBatchIsInTheJournalFileWhenCommitReturns() throws IOException {
        ListState state = ListState.open(root, "11");
        state.commit(Operation.ADD, List.of("a\tEMAIL"));
        Path journal = root.resolve("lists/11/journal.bin");
        long one = Files.size(journal);
        assertThat(one).as("the block is written, not only queued").isPositive();
        state.commit(Operation.REMOVE, List.of("a\tEMAIL", "b\tEMAIL"));
        assertThat(Files.size(journal)).isGreaterThan(one);
        // Another reader (a process started after a kill -9) sees both blocks without this instance's help.
        assertThat(foldJournal("copy", Files.readAllBytes(journal))).isEmpty();
        state.finish();
        assertThat(journal).doesNotExist();
        assertThat(state.lines()).isEmpty();
    }

    @Test
    void aFirstSyncsJournalBecomesTheMembersFileWhateverItsOrder() throws IOException {
        ListState sorted = ListState.open(root, "12");
        sorted.commit(Operation.ADD, List.of("a\tEMAIL", "b\tEMAIL"));
        sorted.commit(Operation.ADD, List.of("b\tEMAIL", "c\tMAID"));
        assertThat(sorted.compact()).isEqualTo(3);
        assertThat(sorted.lines()).containsExactly("a\tEMAIL", "b\tEMAIL", "c\tMAID");
        assertThat(root.resolve("lists/12/compact.tmp")).doesNotExist();

        ListState unsorted = ListState.open(root, "13");
        unsorted.commit(Operation.ADD, List.of("m\tEMAIL", "n\tEMAIL"));
        unsorted.commit(Operation.ADD, List.of("a\tEMAIL"));
        unsorted.commit(Operation.REMOVE, List.of("n\tEMAIL"));
        assertThat(unsorted.compact()).isEqualTo(2);
        assertThat(unsorted.lines()).containsExactly("a\tEMAIL", "m\tEMAIL");
    }

    @Test
    void aFirstSyncBuildsItsMembersFileAsBatchesAreAcknowledged() throws IOException {
        ListState state = ListState.open(root, "14");
        state.commit(Operation.ADD, List.of("a\tEMAIL", "b\tEMAIL"));
        state.commit(Operation.ADD, List.of("b\tEMAIL", "c\tMAID", "d\tEMAIL"));
        state.commit(Operation.ADD, List.of("e\tEMAIL"));
        Path building = root.resolve("lists/14/members.bin.building");
        assertThat(building).as("built beside the journal while the run sends").exists();
        // What folding the journal would give, from a copy of it in a state of its own.
        List<String> folded = foldJournal("fold-14", Files.readAllBytes(root.resolve("lists/14/journal.bin")));

        assertThat(state.compact()).isEqualTo(5);
        assertThat(state.lines()).containsExactly("a\tEMAIL", "b\tEMAIL", "c\tMAID", "d\tEMAIL", "e\tEMAIL")
                .containsExactlyElementsOf(folded);
        assertThat(building).doesNotExist();
        assertThat(root.resolve("lists/14/journal.bin")).doesNotExist();
        assertThat(state.memberCount()).isEqualTo(5);
    }

    @Test
    void aBuiltMembersFileIsNotUsedUnlessEveryBatchWasAnAscendingAdd() throws IOException {
        ListState descending = ListState.open(root, "15");
        descending.commit(Operation.ADD, List.of("m\tEMAIL", "n\tEMAIL"));
        descending.commit(Operation.ADD, List.of("a\tEMAIL"));
        assertThat(descending.compact()).isEqualTo(3);
        assertThat(descending.lines()).containsExactly("a\tEMAIL", "m\tEMAIL", "n\tEMAIL");
        assertThat(root.resolve("lists/15/members.bin.building")).doesNotExist();

        ListState removing = ListState.open(root, "16");
        removing.commit(Operation.ADD, List.of("a\tEMAIL", "b\tEMAIL"));
        removing.commit(Operation.REMOVE, List.of("a\tEMAIL"));
        removing.commit(Operation.ADD, List.of("c\tEMAIL"));
        assertThat(removing.compact()).isEqualTo(2);
        assertThat(removing.lines()).containsExactly("b\tEMAIL", "c\tEMAIL");

        ListState later = ListState.open(root, "16");
        later.commit(Operation.ADD, List.of("d\tEMAIL"));
        assertThat(root.resolve("lists/16/members.bin.building")).as("not a first sync: members exist").doesNotExist();
        assertThat(later.compact()).isEqualTo(3);
    }

    @Test
    void aHalfBuiltFileLeftByADeadProcessIsDeletedAndTheJournalFolded() throws IOException {
        ListState dead = ListState.open(root, "17");
        dead.commit(Operation.ADD, List.of("a\tEMAIL", "b\tEMAIL"));
        dead.commit(Operation.ADD, List.of("c\tEMAIL"));
        // The process dies before compacting: its half-built file stays behind.
        Path building = root.resolve("lists/17/members.bin.building");
        assertThat(building).exists();
        ListState next = ListState.open(root, "17");
        next.commit(Operation.ADD, List.of("d\tEMAIL"));
        assertThat(next.compact()).isEqualTo(4);
        assertThat(next.lines()).containsExactly("a\tEMAIL", "b\tEMAIL", "c\tEMAIL", "d\tEMAIL");
        assertThat(building).doesNotExist();
    }

    @Test
    void replayingAJournalTwiceGivesTheSameState() throws IOException {
        ListState state = ListState.open(root, "7");
        state.commit(Operation.ADD, List.of("a\tEMAIL", "b\tEMAIL", "c\tEMAIL"));
        state.compact();
        state.commit(Operation.ADD, List.of("d\tEMAIL"));
        state.commit(Operation.REMOVE, List.of("a\tEMAIL"));
        Path journal = root.resolve("lists/7/journal.bin");
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
