package io.audiencesync.pinterest.emulator;

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
    void theEmulatorInCompactModeCountsMembersButCannotListThem() {
        try (PinterestEmulator emulator = PinterestEmulator.builder().port(0).compactMembership(true).start()) {
            String id = emulator.seedCustomerList(PinterestEmulator.DEFAULT_AD_ACCOUNT_ID, "L", "EMAIL",
                    List.of(Normalizer.sha256("a"), Normalizer.sha256("b"), "c@example.com"));
            assertThat(emulator.customerLists().get(0).memberCount()).isEqualTo(3);
            assertThatThrownBy(() -> emulator.members(id)).isInstanceOf(UnsupportedOperationException.class)
                    .hasMessageContaining("fingerprints only");
        }
    }
}
