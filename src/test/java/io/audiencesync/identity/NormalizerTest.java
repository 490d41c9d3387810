package io.audiencesync.identity;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fixed vectors for the published normalization table. Expected digests were computed outside Java
 * ({@code printf '%s' VALUE | sha256sum}).
 */
class NormalizerTest {

    private static final String JANE_SHA256 = "86e0b9e56c17cc4d12387e1949b85053fbe73bc3ce5a1188713a9d300cc6133d";
    private static final String MAID_SHA256 = "07a31eda033f9a9283b7890ad162e394cb0c83c6fce38202fb7d0468c33e7980";

    private final Normalizer hashing = new Normalizer(true, true);
    private final Normalizer plainEmails = new Normalizer(true, false);
    private final Normalizer noHashing = new Normalizer(false, false);

    @ParameterizedTest
    @ValueSource(strings = {"jane.doe@example.com", "  Jane.Doe@Example.COM ", "\tJANE.DOE@EXAMPLE.COM\r\n"})
    void emailsAreTrimmedLowercasedAndHashed(String raw) {
        assertThat(hashing.normalize(IdentifierType.EMAIL, raw)).isEqualTo(wire(IdentifierType.EMAIL, JANE_SHA256));
    }

    @Test
    void emailsGoPlainAndLowercaseWhenEmailHashingIsOff() {
        assertThat(plainEmails.normalize(IdentifierType.EMAIL, " Jane.Doe@Example.com"))
                .isEqualTo(wire(IdentifierType.EMAIL, "jane.doe@example.com"));
        assertThat(noHashing.normalize(IdentifierType.EMAIL, "Jane.Doe@Example.com"))
                .isEqualTo(wire(IdentifierType.EMAIL, "jane.doe@example.com"));
    }

    @Test
    void anApostropheIsFineInAHashedEmailButNotInAPlainOne() {
        assertThat(hashing.normalize(IdentifierType.EMAIL, "O'Neil@example.com"))
                .isEqualTo(wire(IdentifierType.EMAIL, "2a8d5bd8ccc1d193de44924a2f9a7dcefaad90a0f240cfff5c8b4b6baf62d5ee"));
        assertThat(plainEmails.normalize(IdentifierType.EMAIL, "O'Neil@example.com"))
                .usingRecursiveComparison().withStrictTypeChecking().ignoringFields("redactedSample").isEqualTo(rejected(IdentifierType.EMAIL, RejectReason.UNSAFE_CHARACTER));
    }

    @ParameterizedTest
    @CsvSource({
        "9f89c84a559f573636a47ff8daed0d33, 9f89c84a559f573636a47ff8daed0d33",
        "BA1A99F0B087784538CAD462BF9B2D7F74D1776A, ba1a99f0b087784538cad462bf9b2d7f74d1776a",
        "86E0B9E56C17CC4D12387E1949B85053FBE73BC3CE5A1188713A9D300CC6133D, 86e0b9e56c17cc4d12387e1949b85053fbe73bc3ce5a1188713a9d300cc6133d",
    })
    void preHashedEmailsAreNeverHashedAgain(String raw, String expected) {
        assertThat(hashing.normalize(IdentifierType.EMAIL, raw)).isEqualTo(wire(IdentifierType.EMAIL, expected));
        assertThat(noHashing.normalize(IdentifierType.EMAIL, raw)).isEqualTo(wire(IdentifierType.EMAIL, expected));
    }

    @ParameterizedTest
    @ValueSource(strings = {"not-an-email", "@example.com", "jane@", "jane@example", "jane@@example.com", "jané@example.com"})
    void malformedEmailsAreRejected(String raw) {
        assertThat(hashing.normalize(IdentifierType.EMAIL, raw)).usingRecursiveComparison().withStrictTypeChecking().ignoringFields("redactedSample").isEqualTo(rejected(IdentifierType.EMAIL, RejectReason.INVALID_EMAIL));
    }

    @ParameterizedTest
    @ValueSource(strings = {"a,b@example.com", "\"jane\"@example.com", "jane doe@example.com", "jane\u0000@example.com",
        "jane\u00a0doe@example.com"})
    void valuesThatWouldCorruptTheRecordsFieldAreRejected(String raw) {
        assertThat(hashing.normalize(IdentifierType.EMAIL, raw))
                .usingRecursiveComparison().withStrictTypeChecking().ignoringFields("redactedSample").isEqualTo(rejected(IdentifierType.EMAIL, RejectReason.UNSAFE_CHARACTER));
        assertThat(hashing.normalize(IdentifierType.LR_ID, raw))
                .usingRecursiveComparison().withStrictTypeChecking().ignoringFields("redactedSample").isEqualTo(rejected(IdentifierType.LR_ID, RejectReason.UNSAFE_CHARACTER));
    }

    @ParameterizedTest
    @ValueSource(strings = {"6d1f3a2e-9b7c-4e8f-a1d2-3c4b5a6f7e80", "6D1F3A2E-9B7C-4E8F-A1D2-3C4B5A6F7E80", " 6d1f3a2e-9b7c-4e8f-a1d2-3c4b5a6f7e80 "})
    void deviceIdsAreLowercasedAndHashed(String raw) {
        assertThat(hashing.normalize(IdentifierType.MAID, raw)).isEqualTo(wire(IdentifierType.MAID, MAID_SHA256));
        assertThat(hashing.normalize(IdentifierType.IDFA, raw)).isEqualTo(wire(IdentifierType.IDFA, MAID_SHA256));
    }

    @ParameterizedTest
    @ValueSource(strings = {"00000000-0000-0000-0000-000000000000", "12b9377cbe7e5c94e8a70d9d23929523d14afa954793130f8a3959c7b849aca8",
        "9F89C84A559F573636A47FF8DAED0D33", "00000000000000000000000000000000",
        "0000000000000000000000000000000000000000000000000000000000000000", "0000000000000000000000000000000000000000",
        // MD5 and SHA-256 of the dashless zero id
        "cd9e459ea708a948d5c2f5a6ca8838cf", "84e0c0eafaa95a34c293f278ac52e45ce537bab5e752a00e6959a13ae103b65a"})
    void theZeroDeviceIdIsRejectedInEverySpelling(String raw) {
        // 9f89...0d33 is MD5 of the zero UUID
        assertThat(hashing.normalize(IdentifierType.IDFA, raw)).usingRecursiveComparison().withStrictTypeChecking().ignoringFields("redactedSample").isEqualTo(rejected(IdentifierType.IDFA, RejectReason.ZERO_DEVICE_ID));
    }

    @Test
    void thirtyTwoHexDigitsAreAmbiguousUnlessTheSettingSaysWhatTheyAre() {
        String digits = "6D1F3A2E9B7C4E8FA1D23C4B5A6F7E80";
        assertThat(hashing.normalize(IdentifierType.MAID, digits)).as("an MD5 digest or a raw id without dashes")
                .usingRecursiveComparison().withStrictTypeChecking().ignoringFields("redactedSample")
                .isEqualTo(rejected(IdentifierType.MAID, RejectReason.AMBIGUOUS_DEVICE_ID));
        assertThat(new Normalizer(true, true, DeviceIdDigits.MD5).normalize(IdentifierType.IDFA, digits))
                .isEqualTo(wire(IdentifierType.IDFA, digits.toLowerCase(java.util.Locale.ROOT)));
        assertThat(new Normalizer(true, true, DeviceIdDigits.RAW).normalize(IdentifierType.MAID, digits))
                .as("the dashes back, then hashed as the UUID").isEqualTo(wire(IdentifierType.MAID, MAID_SHA256));
        assertThat(new Normalizer(false, false, DeviceIdDigits.RAW).normalize(IdentifierType.MAID, digits))
                .usingRecursiveComparison().withStrictTypeChecking().ignoringFields("redactedSample")
                .isEqualTo(rejected(IdentifierType.MAID, RejectReason.MUST_BE_HASHED));
        assertThat(hashing.normalize(IdentifierType.EMAIL, digits)).as("an email of 32 hex digits can only be a digest")
                .isEqualTo(wire(IdentifierType.EMAIL, digits.toLowerCase(java.util.Locale.ROOT)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"\u0663", "\uff41", "\u0665"})
    void unicodeLookAlikesOfHexDigitsAreNoDigest(String lookAlike) {
        String value = lookAlike.repeat(64);
        assertThat(Normalizer.isHexDigest(value)).isFalse();
        assertThat(hashing.normalize(IdentifierType.MAID, value))
                .usingRecursiveComparison().withStrictTypeChecking().ignoringFields("redactedSample")
                .isEqualTo(rejected(IdentifierType.MAID, RejectReason.INVALID_DEVICE_ID));
        assertThat(noHashing.normalize(IdentifierType.EMAIL, value)).isInstanceOf(Identifier.Rejected.class);
    }

    @Test
    void deviceIdsMustBeUuidsOrDigests() {
        assertThat(hashing.normalize(IdentifierType.MAID, "6d1f3a2e-9b7c-4e8f-a1d2"))
                .usingRecursiveComparison().withStrictTypeChecking().ignoringFields("redactedSample").isEqualTo(rejected(IdentifierType.MAID, RejectReason.INVALID_DEVICE_ID));
        assertThat(hashing.normalize(IdentifierType.MAID, "g d1f"))
                .usingRecursiveComparison().withStrictTypeChecking().ignoringFields("redactedSample").isEqualTo(rejected(IdentifierType.MAID, RejectReason.UNSAFE_CHARACTER));
    }

    @Test
    void withPiiHashingOffDeviceIdsMustArriveHashed() {
        assertThat(noHashing.normalize(IdentifierType.MAID, "6d1f3a2e-9b7c-4e8f-a1d2-3c4b5a6f7e80"))
                .usingRecursiveComparison().withStrictTypeChecking().ignoringFields("redactedSample").isEqualTo(rejected(IdentifierType.MAID, RejectReason.MUST_BE_HASHED));
        assertThat(noHashing.normalize(IdentifierType.MAID, MAID_SHA256.toUpperCase()))
                .isEqualTo(wire(IdentifierType.MAID, MAID_SHA256));
    }

    @ParameterizedTest
    @CsvSource({"LR_ID, ' Xi1234-AbC '", "DLX_ID, dlx:ABC123", "HASHED_PINNER_ID, AbCdEf0123"})
    void partnerIdsAreTrimmedAndSentAsTheyAre(IdentifierType type, String raw) {
        assertThat(hashing.normalize(type, raw)).isEqualTo(wire(type, raw.strip()));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   ", "\t"})
    void emptyCellsAreNotRejects(String raw) {
        for (IdentifierType type : IdentifierType.values()) {
            assertThat(hashing.normalize(type, raw)).isEqualTo(Identifier.EMPTY);
        }
        assertThat(hashing.normalize(IdentifierType.EMAIL, null)).isEqualTo(Identifier.EMPTY);
    }

    @Test
    void overlongValuesAreRejected() {
        assertThat(hashing.normalize(IdentifierType.LR_ID, "x".repeat(257)))
                .usingRecursiveComparison().withStrictTypeChecking().ignoringFields("redactedSample").isEqualTo(rejected(IdentifierType.LR_ID, RejectReason.TOO_LONG));
        assertThat(hashing.normalize(IdentifierType.LR_ID, "x".repeat(256))).isInstanceOf(Identifier.Wire.class);
    }

    @Test
    void rejectsCarryARedactedSampleNeverTheValue() {
        Identifier.Rejected r = (Identifier.Rejected) hashing.normalize(IdentifierType.EMAIL, "jane.doe@example");
        assertThat(r.redactedSample()).isEqualTo("j***@***").doesNotContain("jane").doesNotContain("example");
        Identifier.Rejected d = (Identifier.Rejected) hashing.normalize(IdentifierType.MAID, "6d1f3a2e-9b7c-4e8f");
        assertThat(d.redactedSample()).isEqualTo("6***f (18 chars)");
    }

    private static Identifier wire(IdentifierType type, String value) {
        return new Identifier.Wire(type, value);
    }

    private static Identifier rejected(IdentifierType type, RejectReason reason) {
        return new Identifier.Rejected(type, reason, "");
    }
}
