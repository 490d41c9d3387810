package io.audiencesync.emulator;

import io.audiencesync.identity.Normalizer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The benchmark's membership mode counts exactly as the exact one does, through growth, removals and re-adds. */
class CompactMembershipTest {

    @Test
    void countsLikeASetThroughAddsRemovesAndReAdds() {
        Membership compact = Membership.fingerprints();
        Set<String> exact = new HashSet<>();
        Random random = new Random(17);
        for (int round = 0; round < 6; round++) {
            List<String> adds = new ArrayList<>();
            List<String> removes = new ArrayList<>();
            for (int i = 0; i < 20_000; i++) {
                int n = random.nextInt(60_000);
                String value = n % 3 == 0 ? "user" + n + "@example.com" : Normalizer.sha256("v" + n);
                (random.nextInt(4) == 0 ? removes : adds).add(value);
            }
            compact.addAll(adds);
            exact.addAll(adds);
            compact.removeAll(removes);
            exact.removeAll(removes);
            assertThat(compact.size()).as("round %d", round).isEqualTo(exact.size());
        }
        compact.removeAll(new ArrayList<>(exact));
        assertThat(compact.size()).isZero();
    }

    @Test
    void parsedRecordsCountLikeASetThroughAddsRemovesAndReAdds() {
        Membership compact = Membership.fingerprints();
        Set<String> exact = new HashSet<>();
        Random random = new Random(23);
        // A first batch far beyond the empty table's room: it grows several times over before a single add.
        int[] batchSizes = {100_000, 5000, 5000, 20_000, 5000, 5000};
        for (int batch : batchSizes) {
            StringBuilder adds = new StringBuilder();
            StringBuilder removes = new StringBuilder();
            for (int i = 0; i < batch; i++) {
                int n = random.nextInt(150_000);
                String value = n % 3 == 0 ? "user" + n + "@example.com" : Normalizer.sha256("v" + n);
                (random.nextInt(4) == 0 ? removes : adds).append(value).append(',');
            }
            Records.Values added = Records.parse(adds.toString(), ListType.EMAIL, Integer.MAX_VALUE);
            Records.Values removed = Records.parse(removes.toString(), ListType.EMAIL, Integer.MAX_VALUE);
            compact.addAll(added);
            exact.addAll(added);
            compact.removeAll(removed);
            exact.removeAll(removed);
            assertThat(compact.size()).as("batch of %d", batch).isEqualTo(exact.size());
        }
    }

    /** The digest whose fingerprint's home is {@code slotHash} masked to the table: Fingerprints' mix, undone. */
    private static String digestWithSlotHash(long slotHash) {
        long inverse = 0xff51afd7ed558ccdL;
        for (int i = 0; i < 5; i++) {
            inverse *= 2 - 0xff51afd7ed558ccdL * inverse;
        }
        long h = slotHash ^ slotHash >>> 33;
        h *= inverse;
        h ^= h >>> 33;
        return String.format("%016x", h) + "0".repeat(48);
    }

    @Test
    void runsThatWrapPastTheTableEndSurviveGrowthAndRemoval() {
        // 200 members whose home is the last slot of a table of 2^16, 2^17 or 2^18 slots: their probe run wraps
        // around to the table's start, before and after each growth.
        List<String> wrapping = new ArrayList<>();
        for (long k = 0; k < 200; k++) {
            wrapping.add(digestWithSlotHash(k << 18 | 0x3ffff));
        }
        List<String> others = new ArrayList<>();
        for (int i = 0; i < 150_000; i++) {
            others.add(Normalizer.sha256("o" + i));
        }
        Membership compact = Membership.fingerprints();
        compact.addAll(Records.parse(String.join(",", wrapping), ListType.MAID, Integer.MAX_VALUE));
        for (int from = 0; from < others.size(); from += 5000) {
            compact.addAll(Records.parse(String.join(",", others.subList(from, from + 5000)), ListType.MAID,
                    Integer.MAX_VALUE));
            compact.addAll(wrapping);
        }
        assertThat(compact.size()).isEqualTo(150_200);
        compact.removeAll(wrapping.subList(0, 100));
        compact.addAll(wrapping.subList(50, 200));
        assertThat(compact.size()).isEqualTo(150_150);
        compact.removeAll(others);
        assertThat(compact.size()).isEqualTo(150);
    }

    @Test
    void parsedValuesHaveTheFingerprintOfTheirString() {
        String hex = "0123456789abcdef";
        // Digest lengths (32, 40, 64) whose first 16 characters are, or are not, lowercase hex; other lengths.
        List<String> values = List.of(
                hex.repeat(2), hex.repeat(4), hex.repeat(2) + hex.substring(0, 8), "ffffffffffffffff" + hex,
                "0000000000000000" + hex, hex + "Z".repeat(16), hex + "Z".repeat(24), hex + "Z".repeat(48),
                hex + "\u4e00".repeat(16), hex.substring(0, 15) + "\u4e00" + hex, hex.substring(0, 15) + "?" + hex,
                hex.substring(0, 15) + "G" + hex, hex.substring(0, 15) + "\u00e9" + hex, hex.toUpperCase().repeat(2),
                hex.repeat(3), hex, "a@x.com", "ren\u00e9@caf\u00e9.fr", "\u4e00", "x:1", "?");
        Records.Values parsed = Records.parse(String.join(",", values), ListType.LR_ID, Integer.MAX_VALUE);
        assertThat(parsed).isEqualTo(values);
        for (int i = 0; i < parsed.size(); i++) {
            assertThat(Membership.Fingerprints.fingerprint(parsed, i)).as(values.get(i))
                    .isEqualTo(Membership.Fingerprints.fingerprint(values.get(i)));
        }
        assertThat(Membership.Fingerprints.fingerprint(hex.repeat(4))).isEqualTo(0x0123456789abcdefL);
        Random random = new Random(29);
        StringBuilder digests = new StringBuilder();
        for (int i = 0; i < 10_000; i++) {
            int length = new int[] {32, 40, 64}[random.nextInt(3)];
            digests.append(Normalizer.sha256("d" + i), 0, length).append(',');
        }
        Records.Values many = Records.parse(digests.toString(), ListType.MAID, Integer.MAX_VALUE);
        for (int i = 0; i < many.size(); i++) {
            assertThat(Membership.Fingerprints.fingerprint(many, i))
                    .isEqualTo(Long.parseUnsignedLong(many.get(i).substring(0, 16), 16));
        }
    }

    @Test
    void theEmulatorInCompactModeCountsMembersButCannotListThem() {
        try (PinterestEmulator emulator = PinterestEmulator.builder().port(0).compactMembership(true).start()) {
            String id = emulator.seedCustomerList(PinterestEmulator.DEFAULT_AD_ACCOUNT_ID, "L", "EMAIL",
                    List.of(Normalizer.sha256("a"), Normalizer.sha256("b"), "c@example.com"));
            assertThat(emulator.customerLists().get(0).memberCount()).isEqualTo(3);
            assertThatThrownBy(() -> emulator.members(id)).isInstanceOf(UnsupportedOperationException.class)
                    .hasMessageContaining("fingerprints only");
        }
    }

    @Test
    void writesAppliedAfterTheirAnswerAreAppliedInOrderBeforeAnyRead() {
        // Compact membership applies a write's fingerprints on a thread of its own once the write is answered:
        // adds and removes of the same values must still land in the order they were accepted, and every read
        // (the member count, the list) must see all of them.
        Random random = new Random(31);
        Set<String> exact = new HashSet<>();
        try (Store store = new Store(true)) {
            List<String> first = List.of(Normalizer.sha256("v0"));
            String id = store.createList("549755885175", "l", ListType.EMAIL, first).id();
            exact.addAll(first);
            for (int i = 0; i < 2_000; i++) {
                List<String> values = new ArrayList<>();
                for (int j = 0; j < 1 + random.nextInt(50); j++) {
                    values.add(Normalizer.sha256("v" + random.nextInt(300)));
                }
                boolean add = random.nextBoolean();
                store.update(id, add, values);
                if (add) {
                    exact.addAll(values);
                } else {
                    exact.removeAll(values);
                }
                if (i % 500 == 499) {
                    assertThat(store.memberCount(id)).as("after write %d", i).isEqualTo(exact.size());
                }
            }
            assertThat(store.memberCount(id)).isEqualTo(exact.size());
            assertThat(store.list(id).orElseThrow().memberCount()).isEqualTo(exact.size());
        }
    }
}
