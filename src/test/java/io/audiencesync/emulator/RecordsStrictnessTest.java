package io.audiencesync.emulator;

import static io.audiencesync.emulator.EmulatorClient.LISTS;
import static io.audiencesync.emulator.EmulatorClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import io.audiencesync.emulator.EmulatorClient.Answer;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class RecordsStrictnessTest {

    private static final String MD5 = "0123456789abcdef0123456789abcdef";
    private static final String SHA1 = "0123456789abcdef0123456789abcdef01234567";
    private static final String SHA256 = MD5 + MD5;
    private static final String UUID = "38400000-8cf0-11bd-b23e-10b96e40000d";

    private PinterestEmulator emu;
    private EmulatorClient client;

    @BeforeEach
    void start() {
        emu = PinterestEmulator.builder().maxRecordsPerRequest(5).start();
        client = new EmulatorClient(emu);
    }

    @AfterEach
    void stop() {
        emu.close();
    }

    private Answer create(String listType, String records) {
        return client.post(LISTS, json("name", "n", "records", records, "list_type", listType));
    }

    /** Asserts a 400 naming index and reason, and that the refused value never shows up in the message. */
    private void assertRefused(Answer answer, int index, String reason, String value) {
        assertThat(answer.status()).isEqualTo(400);
        assertThat(answer.code()).isEqualTo(1);
        assertThat(answer.message()).isEqualTo("Invalid parameters: records[" + index + "] " + reason);
        assertThat(answer.message()).doesNotContain(value);
        assertThat(emu.customerLists()).isEmpty();
    }

    @Test
    void uppercaseEmailIsRefusedByIndex() {
        assertRefused(create("EMAIL", "ok@x.com,Jane.Doe@Example.com"), 1, "must be lowercase", "Jane.Doe");
    }

    @Test
    void uppercaseDigestIsRefused() {
        assertRefused(create("MAID", MD5.toUpperCase()), 0, "must be lowercase", MD5.toUpperCase());
    }

    @ParameterizedTest
    @ValueSource(strings = {"MAID", "IDFA", "EMAIL"})
    void plainUuidIsRefusedAsUnhashed(String listType) {
        assertRefused(create(listType, SHA1 + "," + UUID), 1, "MAIDs and IDFAs must be hashed", "38400000");
        assertRefused(create(listType, UUID.toUpperCase()), 0, "MAIDs and IDFAs must be hashed", "38400000");
    }

    static Stream<Arguments> badCharacters() {
        return Stream.of(
                Arguments.of("a@x.com, b@x.com", 1, "contains whitespace", " b@x.com"),
                Arguments.of("a@x.com,b@x.com ", 1, "contains whitespace", "b@x.com "),
                Arguments.of("a@x.com,\tb@x.com", 1, "contains whitespace", "\tb@x.com"),
                Arguments.of("a@x.com,b@x.com\u00a0", 1, "contains whitespace", "b@x.com\u00a0"),
                Arguments.of("\"a@x.com\"", 0, "contains a quote", "\"a@x.com"),
                Arguments.of("a@x.com,'b@x.com'", 1, "contains a quote", "'b@x.com"),
                Arguments.of("a@x.com,b\u0001@x.com", 1, "contains a control character", "b\u0001@x.com"));
    }

    @ParameterizedTest
    @MethodSource("badCharacters")
    void whitespaceQuotesAndControlCharactersAreRefused(String records, int index, String reason, String token) {
        assertRefused(create("EMAIL", records), index, reason, token);
    }

    @Test
    void characterRulesApplyToOpaqueIdListsToo() {
        assertRefused(create("LR_ID", "id1,id 2"), 1, "contains whitespace", "id 2");
        assertRefused(create("HASHED_PINNER_ID", "\"quoted\""), 0, "contains a quote", "quoted");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "not-an-email|is neither an email nor an MD5, SHA-1 or SHA-256 hex digest",
        "user@localhost|is neither an email nor an MD5, SHA-1 or SHA-256 hex digest",
        "a@b@x.com|is neither an email nor an MD5, SHA-1 or SHA-256 hex digest",
        "@x.com|is neither an email nor an MD5, SHA-1 or SHA-256 hex digest",
        "0123456789abcdef0123456789abcde|is a hex string of length 31; MD5, SHA-1 and SHA-256 digests have 32, 40 or "
            + "64 characters"})
    void neitherEmailNorDigestIsRefused(String value, String reason) {
        assertRefused(create("EMAIL", "ok@x.com," + value), 1, reason, value);
    }

    @Test
    void emailsAndAllDigestLengthsAreAccepted() {
        Answer answer = create("MAID", String.join(",", MD5, SHA1, SHA256, "jane.doe+tag@mail.example.co.uk"));
        assertThat(answer.status()).isEqualTo(200);
        assertThat(emu.members(answer.json().get("id").asText())).hasSize(4);
    }

    @Test
    void opaqueIdListsAcceptAnyCleanToken() {
        Answer answer = create("DLX_ID", "ABC,x:1,Zed-9");
        assertThat(answer.status()).isEqualTo(200);
        assertThat(emu.members(answer.json().get("id").asText())).containsExactly("ABC", "Zed-9", "x:1");
    }

    @Test
    void trailingCommaAndEmptyTokensAreIgnoredButCountForIndexes() {
        Answer ok = create("EMAIL", "a@x.com,b@x.com,");
        assertThat(ok.status()).isEqualTo(200);
        assertThat(emu.members(ok.json().get("id").asText())).containsExactly("a@x.com", "b@x.com");
        assertThat(ok.json().get("num_uploaded_user_records").asLong()).isEqualTo(2);

        Answer refused = client.post(LISTS, json("name", "n", "records", "a@x.com,,B@x.com"));
        assertThat(refused.message()).isEqualTo("Invalid parameters: records[2] must be lowercase");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", ",", ",,,"})
    void recordsWithoutValuesAreRefused(String records) {
        Answer answer = create("EMAIL", records);
        assertThat(answer.status()).isEqualTo(400);
        assertThat(answer.code()).isEqualTo(1);
        assertThat(answer.message()).contains("records");
        assertThat(emu.customerLists()).isEmpty();
    }

    @Test
    void moreRecordsThanTheMaximumAreRefused() {
        String six = IntStream.range(0, 6).mapToObj(i -> "u" + i + "@x.com").collect(Collectors.joining(","));
        Answer tooMany = create("EMAIL", six);
        assertThat(tooMany.status()).isEqualTo(400);
        assertThat(tooMany.message()).contains("6").contains("5").doesNotContain("u0@x.com");
        assertThat(create("EMAIL", six.substring(six.indexOf(',') + 1) + ",").status()).isEqualTo(200);
    }

    @Test
    void patchChecksRecordsAgainstTheListTypeAndLeavesTheListUnchanged() {
        String id = emu.seedCustomerList(EmulatorClient.ACCOUNT, "maids", "MAID", List.of(SHA256));
        Answer answer = client.patch(LISTS + "/" + id, json("operation_type", "ADD", "records", MD5 + "," + UUID));
        assertThat(answer.status()).isEqualTo(400);
        assertThat(answer.message()).isEqualTo("Invalid parameters: records[1] MAIDs and IDFAs must be hashed");
        assertThat(emu.members(id)).containsExactly(SHA256);
        assertThat(emu.customerLists().get(0).numBatches()).isEqualTo(1);
        assertThat(emu.customerLists().get(0).numUploadedUserRecords()).isEqualTo(1);
    }
}
