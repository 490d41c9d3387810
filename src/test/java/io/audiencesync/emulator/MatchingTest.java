package io.audiencesync.emulator;

import static io.audiencesync.emulator.EmulatorClient.AUDIENCES;
import static io.audiencesync.emulator.EmulatorClient.LISTS;
import static io.audiencesync.emulator.EmulatorClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import io.audiencesync.emulator.EmulatorClient.Answer;
import io.audiencesync.identity.Normalizer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Which values have a Pinterest account, and the sizes and statuses that follow from it. */
class MatchingTest {

    private PinterestEmulator emu;
    private EmulatorClient client;

    @BeforeEach
    void start() {
        emu = PinterestEmulator.builder().start();
        client = new EmulatorClient(emu);
    }

    @AfterEach
    void stop() {
        emu.close();
    }

    @Test
    void theRuleIsTheFirstByteOfADigestOrOfAnyOtherValuesSha256() {
        // printf '%s' VALUE | sha256sum: a@x.com 47..., b@x.com d2..., c@x.com 05..., a@b.co 80...
        assertThat(Matching.UNMATCHED_BELOW).isEqualTo(77);
        assertThat(PinterestEmulator.hasPinterestAccount("a@x.com")).isFalse();
        assertThat(PinterestEmulator.hasPinterestAccount("b@x.com")).isTrue();
        assertThat(PinterestEmulator.hasPinterestAccount("c@x.com")).isFalse();
        assertThat(PinterestEmulator.hasPinterestAccount("a@b.co")).isTrue();
        // 0x4c = 76 is the last unmatched first byte, 0x4d = 77 the first matched one.
        String unmatched = firstWithLeadingByte("4c");
        String matched = firstWithLeadingByte("4d");
        assertThat(PinterestEmulator.hasPinterestAccount(unmatched)).isFalse();
        assertThat(PinterestEmulator.hasPinterestAccount(matched)).isTrue();
        // A hex digest (a hashed value) is judged by its own first byte, not its SHA-256's.
        assertThat(PinterestEmulator.hasPinterestAccount("4c" + "0".repeat(62))).isFalse();
        assertThat(PinterestEmulator.hasPinterestAccount("4d" + "0".repeat(62))).isTrue();
        assertThat(PinterestEmulator.hasPinterestAccount("4d" + "0".repeat(30))).as("MD5").isTrue();
        assertThat(PinterestEmulator.hasPinterestAccount("4D" + "0".repeat(62))).as("upper case: text, by its SHA-256")
                .isEqualTo(Integer.parseInt(Normalizer.sha256("4D" + "0".repeat(62)).substring(0, 2), 16) >= 77);
    }

    /** The first value {@code v0, v1, ...} whose SHA-256 starts with these two hex digits. */
    private static String firstWithLeadingByte(String hex) {
        for (int i = 0; ; i++) {
            if (Normalizer.sha256("v" + i).startsWith(hex)) {
                return "v" + i;
            }
        }
    }

    @Test
    void aboutThirtyPercentOfRandomSha256ValuesAreUnmatched() {
        Random random = new Random(7);
        int unmatched = 0;
        int n = 20_000;
        for (int i = 0; i < n; i++) {
            String value = Normalizer.sha256(Long.toString(random.nextLong()));
            boolean matched = PinterestEmulator.hasPinterestAccount(value);
            assertThat(matched).as(value).isEqualTo(EmulatorClient.hasAccount(value));
            unmatched += matched ? 0 : 1;
        }
        assertThat(unmatched / (double) n).isBetween(0.28, 0.32);
    }

    @Test
    void everyListTypeFollowsTheSameRuleOnItsWireValue() {
        Map<String, List<String>> byType = Map.of(
                "EMAIL", List.of("b@x.com", "a@x.com", "müller@exämple.de", "a".repeat(32), Normalizer.sha256("x")),
                "MAID", List.of("0123456789abcdef".repeat(4), "f".repeat(40), "9".repeat(32)),
                "IDFA", List.of(Normalizer.sha256("idfa-1"), Normalizer.sha256("idfa-2")),
                "LR_ID", List.of("XY1234-ab_cd", "Xi0VNL9Aa6MMwk1m", "ü-ID-1"),
                "HASHED_PINNER_ID", List.of("pinner-1", "pinner-2", "pinner-3"));
        byType.forEach((type, values) -> {
            Answer created = client.post(LISTS, json("name", type, "records", String.join(",", values), "list_type", type));
            assertThat(created.status()).as(type + ": " + created.json()).isEqualTo(200);
            String audience = client.post(AUDIENCES, json("name", type, "audience_type", "CUSTOMER_LIST", "rule",
                    Map.of("customer_list_id", created.json().get("id").asText()))).json().get("id").asText();
            long expected = values.stream().filter(EmulatorClient::hasAccount).count();
            assertThat(client.get(AUDIENCES + "/" + audience).json().get("size").asLong()).as(type).isEqualTo(expected);
        });
        assertThat(byType.values().stream().flatMap(List::stream).filter(EmulatorClient::hasAccount).count())
                .as("both kinds are in the sample").isBetween(1L, 15L);
    }

    @Test
    void theSizeCountsMatchedMembersWhileTheCountersCountEveryValueSent() {
        List<String> matched = EmulatorClient.emails(120, true);
        List<String> unmatched = EmulatorClient.emails(50, false);
        List<String> first = new ArrayList<>(matched.subList(0, 99));
        first.addAll(unmatched);
        String list = client.post(LISTS, json("name", "l", "records", String.join(",", first))).json().get("id").asText();
        String audience = client.post(AUDIENCES, json("name", "a", "audience_type", "CUSTOMER_LIST", "rule",
                Map.of("customer_list_id", list))).json().get("id").asText();
        assertAudience(audience, 99, "TOO_SMALL");
        assertList(list, "TOO_SMALL", 149, 0);

        // Values already in the list count as uploaded again, and add nothing to the size.
        Answer again = patch(list, "ADD", first.subList(0, 10));
        assertThat(again.json().get("num_uploaded_user_records").asLong()).isEqualTo(159);
        assertAudience(audience, 99, "TOO_SMALL");

        patch(list, "ADD", matched.subList(99, 101));
        assertAudience(audience, 101, "READY");
        assertList(list, "READY", 161, 0);

        // Removing values not in the list counts as removed, and takes nothing from the size.
        patch(list, "REMOVE", List.of("nobody@x.com", matched.get(110)));
        assertAudience(audience, 101, "READY");
        assertList(list, "READY", 161, 2);
        patch(list, "REMOVE", unmatched.subList(0, 20));
        assertAudience(audience, 101, "READY");
        patch(list, "REMOVE", matched.subList(0, 2));
        assertAudience(audience, 99, "TOO_SMALL");
        assertList(list, "TOO_SMALL", 161, 24);
        assertThat(emu.customerLists()).singleElement().satisfies(l -> {
            assertThat(l.memberCount()).isEqualTo(129);
            assertThat(l.matchedCount()).isEqualTo(99);
        });
    }

    @Test
    void compactMembershipCountsTheSameMatchedValuesAsExact() {
        Random random = new Random(3);
        Membership exact = Membership.exact();
        Membership compact = Membership.fingerprints();
        Set<String> members = new HashSet<>();
        for (int i = 0; i < 300; i++) {
            List<String> values = new ArrayList<>();
            for (int j = 0; j < 1 + random.nextInt(40); j++) {
                int v = random.nextInt(500);
                values.add(v % 7 == 0 ? "u" + v + "@x.com" : Normalizer.sha256("v" + v));
            }
            String records = String.join(",", values);
            if (random.nextBoolean()) {
                exact.addAll(values);
                compact.addAll(Records.parse(records, ListType.EMAIL, 1000));
                members.addAll(values);
            } else {
                exact.removeAll(values);
                compact.removeAll(Records.parse(records, ListType.EMAIL, 1000));
                members.removeAll(values);
            }
            long expected = members.stream().filter(EmulatorClient::hasAccount).count();
            assertThat(exact.matched()).isEqualTo(expected);
            assertThat(compact.matched()).isEqualTo(expected);
        }
    }

    private Answer patch(String list, String operation, List<String> values) {
        Answer answer = client.patch(LISTS + "/" + list, json("operation_type", operation, "records", String.join(",", values)));
        assertThat(answer.status()).as(answer.json().toString()).isEqualTo(200);
        return answer;
    }

    private void assertAudience(String id, long size, String status) {
        Answer audience = client.get(AUDIENCES + "/" + id);
        assertThat(audience.json().get("size").asLong()).isEqualTo(size);
        assertThat(audience.json().get("status").asText()).isEqualTo(status);
    }

    private void assertList(String id, String status, long uploaded, long removed) {
        Answer list = client.get(LISTS + "/" + id);
        assertThat(list.json().get("status").asText()).isEqualTo(status);
        assertThat(list.json().get("num_uploaded_user_records").asLong()).isEqualTo(uploaded);
        assertThat(list.json().get("num_removed_user_records").asLong()).isEqualTo(removed);
    }
}
