package io.audiencesync.emulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** {@link Records#parse} scans the string once and answers what splitting it and checking every value answered. */
class RecordsParseTest {

    private static final String SHA256 = "0123456789abcdef".repeat(4);

    /** How records were parsed before the single scan: split, count, then check value by value. */
    private static List<String> splitAndCheck(String records, ListType type, int maxPerRequest) {
        String[] tokens = records.split(",", -1);
        int count = 0;
        for (String token : tokens) {
            if (!token.isEmpty()) {
                count++;
            }
        }
        if (count == 0) {
            throw ApiException.invalid("records contains no values");
        }
        if (count > maxPerRequest) {
            throw ApiException.invalid("records contains " + count + " values, more than the "
                    + maxPerRequest + " allowed per request");
        }
        List<String> values = new ArrayList<>(count);
        for (int i = 0; i < tokens.length; i++) {
            String token = tokens[i];
            if (token.isEmpty()) {
                continue;
            }
            String problem = Records.problem(token, type);
            if (problem != null) {
                throw ApiException.invalid("records[" + i + "] " + problem);
            }
            values.add(token);
        }
        return values;
    }

    /** The values, copied into a plain list, or the refusal's message. */
    private static Object outcome(Supplier<List<String>> parse) {
        try {
            return List.copyOf(parse.get());
        } catch (ApiException e) {
            return e.getMessage();
        }
    }

    private static String refusal(String records, ListType type, int maxPerRequest) {
        assertThatThrownBy(() -> Records.parse(records, type, maxPerRequest)).isInstanceOf(ApiException.class);
        return (String) outcome(() -> Records.parse(records, type, maxPerRequest));
    }

    @Test
    void emptyTokensAreDroppedButKeepTheirIndex() {
        assertThat(Records.parse(",a@x.com,,b@x.com,", ListType.EMAIL, 5)).containsExactly("a@x.com", "b@x.com");
        assertThat(refusal("a@x.com,,B@x.com", ListType.EMAIL, 5))
                .isEqualTo("Invalid parameters: records[2] must be lowercase");
        assertThat(refusal(",,," + SHA256.toUpperCase(), ListType.MAID, 5))
                .isEqualTo("Invalid parameters: records[3] must be lowercase");
    }

    @Test
    void countsAreCheckedBeforeValuesAndTheFirstBadValueIsNamed() {
        assertThat(refusal(",,,", ListType.EMAIL, 5)).isEqualTo("Invalid parameters: records contains no values");
        assertThat(refusal("A@x.com,b@x.com,c@x.com", ListType.EMAIL, 2))
                .isEqualTo("Invalid parameters: records contains 3 values, more than the 2 allowed per request");
        assertThat(refusal("ok@x.com,Bad@x.com,worse", ListType.EMAIL, 5))
                .isEqualTo("Invalid parameters: records[1] must be lowercase");
    }

    @Test
    void aDigestWithACharacterBeyondLatin1IsNotADigest() {
        // In the bytes the scan looks at, such a character is '?': never a hex digit.
        String hanInDigest = SHA256.substring(0, 63) + "\u4e00";
        assertThat(refusal(SHA256 + "," + hanInDigest, ListType.EMAIL, 5)).isEqualTo(
                "Invalid parameters: records[1] is neither an email nor an MD5, SHA-1 or SHA-256 hex digest");
        assertThat(Records.parse(hanInDigest, ListType.LR_ID, 5)).containsExactly(hanInDigest);
        assertThat(refusal(SHA256.substring(0, 31) + "\u00c9", ListType.EMAIL, 5))
                .isEqualTo("Invalid parameters: records[0] must be lowercase");
    }

    @Test
    void valuesAreAnUnmodifiableListOverTheString() {
        Records.Values values = Records.parse("a@x.com,," + SHA256 + ",\u4e00@x.com", ListType.EMAIL, 5);
        assertThat(values).containsExactly("a@x.com", SHA256, "\u4e00@x.com");
        assertThat(values.start(1)).isEqualTo(9);
        assertThat(values.end(1)).isEqualTo(9 + 64);
        assertThat(values.latin1()[values.start(2)]).isEqualTo((byte) '?');
        assertThatThrownBy(() -> values.get(3)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> values.add("b@x.com")).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void manyValuesGrowTheScanOnce() {
        List<String> digests = new ArrayList<>();
        for (int i = 0; i < 5000; i++) {
            digests.add(String.format("%064x", i));
        }
        assertThat(Records.parse(String.join(",", digests), ListType.MAID, 5000)).isEqualTo(digests);
    }

    @Test
    void randomRecordsParseAsSplittingDid() {
        String[] pool = {
            "", "", SHA256, SHA256.substring(0, 32), SHA256.substring(0, 40), SHA256.substring(0, 31),
            SHA256.substring(0, 33), SHA256.substring(0, 63), SHA256.substring(0, 16), SHA256.toUpperCase(),
            SHA256.substring(0, 40).toUpperCase(), SHA256.substring(0, 63) + "g", SHA256.substring(0, 63) + "?",
            SHA256.substring(0, 63) + "\u00e9", SHA256.substring(0, 63) + "\u4e00", SHA256.substring(0, 31) + "\u0661",
            "\u00e9" + SHA256.substring(0, 31), SHA256.substring(0, 39) + " ", "a@x.com", "A@x.com", "a?b@x.com",
            "ren\u00e9@caf\u00e9.fr", "\u4e00@x.com", "user@localhost", "@x.com", "a@b@x.com", "not-an-email",
            "38400000-8cf0-11bd-b23e-10b96e40000d", "38400000-8CF0-11BD-B23E-10B96E40000D", " a@x.com",
            "a@x.com\u00a0", "\"a@x.com\"", "'a'", "a\u0001@x.com", "x:1", "ABC", "Zed-9"};
        Random random = new Random(11);
        for (ListType type : ListType.values()) {
            for (int i = 0; i < 3000; i++) {
                StringBuilder records = new StringBuilder();
                for (int t = random.nextInt(7); t >= 0; t--) {
                    records.append(pool[random.nextInt(pool.length)]);
                    if (t > 0 || random.nextInt(4) == 0) {
                        records.append(',');
                    }
                }
                String text = records.toString();
                int max = 1 + random.nextInt(8);
                assertThat(outcome(() -> Records.parse(text, type, max))).as("%s %s max %d", type, text, max)
                        .isEqualTo(outcome(() -> splitAndCheck(text, type, max)));
            }
        }
    }
}
