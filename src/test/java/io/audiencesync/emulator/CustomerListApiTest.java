package io.audiencesync.emulator;

import static io.audiencesync.emulator.EmulatorClient.ACCOUNT;
import static io.audiencesync.emulator.EmulatorClient.LISTS;
import static io.audiencesync.emulator.EmulatorClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.audiencesync.emulator.EmulatorClient.Answer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class CustomerListApiTest {

    private static final String SHA256 = "a".repeat(64);

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

    static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    @Test
    void createAnswersTheCustomerListShape() {
        long before = Instant.now().getEpochSecond();
        Answer answer = client.post(LISTS, json("name", "Leads", "records", "a@x.com,b@x.com," + SHA256 + ","));
        assertThat(answer.status()).isEqualTo(200);
        JsonNode list = answer.json();
        assertThat(fieldNames(list)).containsExactlyInAnyOrder("id", "name", "ad_account_id", "created_time",
                "updated_time", "num_batches", "num_uploaded_user_records", "num_removed_user_records", "status",
                "exceptions", "type", "list_type");
        assertThat(list.get("id").isTextual()).isTrue();
        assertThat(list.get("id").asText()).matches("\\d{1,18}");
        assertThat(list.get("name").asText()).isEqualTo("Leads");
        assertThat(list.get("ad_account_id").asText()).isEqualTo(ACCOUNT);
        assertThat(list.get("created_time").isNumber()).isTrue();
        assertThat(list.get("created_time").asLong()).isBetween(before, before + 60);
        assertThat(list.get("updated_time").asLong()).isEqualTo(list.get("created_time").asLong());
        assertThat(list.get("num_batches").asLong()).isEqualTo(1);
        assertThat(list.get("num_uploaded_user_records").asLong()).isEqualTo(3);
        assertThat(list.get("num_removed_user_records").asLong()).isZero();
        assertThat(list.get("status").asText()).isEqualTo("TOO_SMALL");
        assertThat(list.get("exceptions").isObject()).isTrue();
        assertThat(list.get("exceptions").size()).isZero();
        assertThat(list.get("type").asText()).isEqualTo("customerlist");
        assertThat(list.get("list_type").asText()).isEqualTo("EMAIL");
        assertThat(emu.members(list.get("id").asText())).containsExactly("a@x.com", SHA256, "b@x.com");
    }

    @Test
    void idsAreUniqueAndCountUp() {
        String first = client.createList("one", "a@x.com");
        String second = client.createList("two", "a@x.com");
        assertThat(Long.parseLong(second)).isGreaterThan(Long.parseLong(first));
    }

    @Test
    void explicitListTypeIsKept() {
        Answer answer = client.post(LISTS, json("name", "ids", "records", "ABC-1:x", "list_type", "LR_ID"));
        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.json().get("list_type").asText()).isEqualTo("LR_ID");
        assertThat(emu.customerLists()).singleElement().extracting(EmulatorList::listType).isEqualTo("LR_ID");
    }

    @Test
    void listWithHundredMatchedMembersIsReadyAndUnmatchedOnesDoNotCount() {
        // Was "100 members are READY": since every value no longer matches, it takes 100 matched ones.
        String ready = String.join(",", EmulatorClient.emails(100, true));
        assertThat(client.post(LISTS, json("name", "big", "records", ready)).json().get("status").asText())
                .isEqualTo("READY");
        List<String> tooFew = new ArrayList<>(EmulatorClient.emails(99, true));
        tooFew.addAll(EmulatorClient.emails(60, false));
        Answer answer = client.post(LISTS, json("name", "not quite", "records", String.join(",", tooFew)));
        assertThat(answer.json().get("status").asText()).isEqualTo("TOO_SMALL");
        assertThat(answer.json().get("num_uploaded_user_records").asLong()).isEqualTo(159);
        EmulatorList list = emu.customerLists().get(1);
        assertThat(list.memberCount()).isEqualTo(159);
        assertThat(list.matchedCount()).isEqualTo(99);
    }

    @Test
    void createRefusesMissingOrBadFieldsNamingThem() {
        assertBadRequest(client.post(LISTS, json("records", "a@x.com")), "name");
        assertBadRequest(client.post(LISTS, json("name", "n")), "records");
        assertBadRequest(client.post(LISTS, json("name", "", "records", "a@x.com")), "name");
        assertBadRequest(client.post(LISTS, json("name", 5, "records", "a@x.com")), "name");
        assertBadRequest(client.post(LISTS, json("name", "n", "records", List.of("a@x.com"))), "records");
        assertBadRequest(client.post(LISTS, json("name", "n", "records", "a@x.com", "list_type", "PHONE")),
                "list_type");
        assertBadRequest(client.post(LISTS, json("name", "n", "records", "a@x.com", "list_type", "email")),
                "list_type");
        assertBadRequest(client.post(LISTS, json("name", "n", "records", "a@x.com", "description", "d")),
                "description");
        assertThat(emu.customerLists()).isEmpty();
    }

    @Test
    void adAccountIdOnCreateIsTakenAsPinterestsOwnClientsSendItButNotOnUpdateAndNeverAnotherAccounts() {
        // Pinterest's Python SDK (CustomerList.create) sends ad_account_id with name, records and list_type.
        Answer created = client.post(LISTS, json("ad_account_id", ACCOUNT, "name", "n", "records", "a@x.com", "list_type", "EMAIL"));
        assertThat(created.status()).as(created.json().toString()).isEqualTo(200);
        String id = created.json().get("id").asText();
        assertThat(emu.members(id)).containsExactly("a@x.com");
        assertBadRequest(client.post(LISTS, json("ad_account_id", "42", "name", "m", "records", "a@x.com")),
                "ad_account_id in the body does not match the path");
        // CustomerListUpdateRequest has none, and no client sends one.
        assertBadRequest(client.patch(LISTS + "/" + id, json("operation_type", "ADD", "records", "b@x.com",
                "ad_account_id", ACCOUNT)), "unknown field 'ad_account_id'");
        assertThat(emu.members(id)).containsExactly("a@x.com");
        assertThat(emu.customerLists()).hasSize(1);
    }

    private static void assertBadRequest(Answer answer, String field) {
        assertThat(answer.status()).isEqualTo(400);
        assertThat(answer.code()).isEqualTo(1);
        assertThat(answer.message()).startsWith("Invalid parameters: ").contains(field);
    }

    @Test
    void patchAddAndRemoveChangeMembershipAndCounters() {
        String id = client.createList("l", "a@x.com,b@x.com");
        Answer add = client.patch(LISTS + "/" + id, json("operation_type", "ADD", "records", "b@x.com,c@x.com"));
        assertThat(add.status()).isEqualTo(200);
        assertThat(add.json().get("num_batches").asLong()).isEqualTo(2);
        assertThat(add.json().get("num_uploaded_user_records").asLong()).isEqualTo(4);
        assertThat(emu.members(id)).containsExactly("a@x.com", "b@x.com", "c@x.com");

        Answer remove = client.patch(LISTS + "/" + id,
                json("operation_type", "REMOVE", "records", "a@x.com,zz@x.com,yy@x.com"));
        assertThat(remove.status()).isEqualTo(200);
        assertThat(remove.json().get("num_batches").asLong()).isEqualTo(3);
        assertThat(remove.json().get("num_removed_user_records").asLong()).isEqualTo(3);
        assertThat(remove.json().get("num_uploaded_user_records").asLong()).isEqualTo(4);
        assertThat(remove.json().get("id").asText()).isEqualTo(id);
        assertThat(emu.members(id)).containsExactly("b@x.com", "c@x.com");

        EmulatorList snapshot = emu.customerLists().get(0);
        assertThat(snapshot.memberCount()).isEqualTo(2);
        assertThat(snapshot.numBatches()).isEqualTo(3);
        assertThat(snapshot.numUploadedUserRecords()).isEqualTo(4);
        assertThat(snapshot.numRemovedUserRecords()).isEqualTo(3);
    }

    @Test
    void patchRefusesListTypeMissingFieldsAndBadOperation() {
        String id = client.createList("l", "a@x.com");
        String path = LISTS + "/" + id;
        assertBadRequest(client.patch(path, json("operation_type", "ADD", "records", "b@x.com", "list_type", "EMAIL")),
                "list_type");
        assertBadRequest(client.patch(path, json("records", "b@x.com")), "operation_type");
        assertBadRequest(client.patch(path, json("operation_type", "ADD")), "records");
        assertBadRequest(client.patch(path, json("operation_type", "add", "records", "b@x.com")), "operation_type");
        assertBadRequest(client.patch(path, json("operation_type", "REPLACE", "records", "b@x.com")),
                "operation_type");
        assertThat(emu.members(id)).containsExactly("a@x.com");
        assertThat(emu.customerLists().get(0).numBatches()).isEqualTo(1);
    }

    @Test
    void patchDecodesJsonEscapesInRecordsBeforeCheckingThem() {
        String id = client.createList("l", "a@x.com");
        String path = LISTS + "/" + id;
        // The bodies go as written, with JSON escapes for 'b', '@', a backslash, a quote and a tab.
        Answer added = client.patch(path,
                "{\"operation_type\":\"ADD\",\"records\":\"\\u0062@x.com,c\\u0040x.com,,d\\\\e@x.com\"}");
        assertThat(added.status()).isEqualTo(200);
        assertThat(added.json().get("num_uploaded_user_records").asLong()).isEqualTo(4);
        assertThat(emu.members(id)).containsExactly("a@x.com", "b@x.com", "c@x.com", "d\\e@x.com");

        Answer quoted = client.patch(path, "{\"operation_type\":\"ADD\",\"records\":\"f@x.com,\\\"g\\\"@x.com\"}");
        assertThat(quoted.status()).isEqualTo(400);
        assertThat(quoted.message()).isEqualTo("Invalid parameters: records[1] contains a quote");
        Answer tab = client.patch(path, "{\"operation_type\":\"ADD\",\"records\":\"f@x.com,,g@x.com\\t\"}");
        assertThat(tab.message()).isEqualTo("Invalid parameters: records[2] contains whitespace");
        assertThat(emu.members(id)).hasSize(4);
    }

    @Test
    void patchRefusesRecordsThatAreNotAString() {
        String path = LISTS + "/" + client.createList("l", "a@x.com");
        assertThat(client.patch(path, "{\"operation_type\":\"ADD\",\"records\":[\"b@x.com\"]}").message())
                .isEqualTo("Invalid parameters: records must be a string");
        assertThat(client.patch(path, "{\"records\":5,\"operation_type\":\"ADD\"}").message())
                .isEqualTo("Invalid parameters: records must be a string");
        assertThat(client.patch(path, "{\"operation_type\":\"ADD\",\"records\":null}").message())
                .isEqualTo("Invalid parameters: records is required");
        assertThat(client.patch(path, "{\"operation_type\":\"ADD\",\"records\":\"\"}").message())
                .isEqualTo("Invalid parameters: records must not be empty");
        assertThat(client.patch(path, "{\"operation_type\":\"ADD\",\"records\":\"b@x.com\",\"records\":\"c@x.com\"}")
                .message()).startsWith("Invalid parameters: request body is not valid JSON (line 1, column ");
        assertThat(client.patch(path, "{\"operation_type\":\"ADD\",\"records\":\"b@x.com\"} {}").message())
                .startsWith("Invalid parameters: request body is not valid JSON (line 1, column ");
        assertThat(emu.customerLists().get(0).numBatches()).isEqualTo(1);
    }

    @Test
    void anInjectedRefusalNamesTheIndexAmongTheValuesSent() {
        String id = client.createList("l", "a@x.com");
        emu.faults().refuseValues(List.of("c@x.com"));
        // The index counts values, not comma-separated tokens: the empty token is not one.
        Answer answer = client.patch(LISTS + "/" + id, json("operation_type", "ADD", "records", "b@x.com,,c@x.com"));
        assertThat(answer.status()).isEqualTo(400);
        assertThat(answer.message()).isEqualTo("Invalid parameters: records[1] is not accepted");
        assertThat(emu.members(id)).containsExactly("a@x.com");
    }

    @Test
    void compactMembershipCountsWhatIsSentOverTheApi() {
        try (PinterestEmulator compact = PinterestEmulator.builder().compactMembership(true).start()) {
            EmulatorClient c = new EmulatorClient(compact);
            String first = "0123456789abcdef".repeat(4);
            String second = "f".repeat(40);
            Answer created = c.post(LISTS, json("name", "l", "records", first + ",a@x.com"));
            String path = LISTS + "/" + created.json().get("id").asText();
            // The first digest again, its first digit sent as a JSON escape.
            Answer added = c.patch(path, "{\"operation_type\":\"ADD\",\"records\":\"\\u0030"
                    + first.substring(1) + "," + second + ",,A\\u0040x.com\"}");
            assertThat(added.message()).isEqualTo("Invalid parameters: records[3] must be lowercase");
            added = c.patch(path, "{\"operation_type\":\"ADD\",\"records\":\"\\u0030" + first.substring(1) + ","
                    + second + ",,b\\u0040x.com\"}");
            assertThat(added.status()).isEqualTo(200);
            assertThat(added.json().get("num_uploaded_user_records").asLong()).isEqualTo(5);
            assertThat(compact.customerLists().get(0).memberCount()).isEqualTo(4);
            Answer removed = c.patch(path, json("operation_type", "REMOVE", "records", second + ",a@x.com,z@x.com"));
            assertThat(removed.json().get("num_removed_user_records").asLong()).isEqualTo(3);
            assertThat(compact.customerLists().get(0).memberCount()).isEqualTo(2);
        }
    }

    @Test
    void patchOfUnknownListIs404WithCode2001() {
        Answer answer = client.patch(LISTS + "/999", json("operation_type", "ADD", "records", "a@x.com"));
        assertThat(answer.status()).isEqualTo(404);
        assertThat(answer.code()).isEqualTo(2001);
        assertThat(answer.message()).isEqualTo("Customer list not found.");
    }

    @Test
    void getOneAnswersTheListAndUnknownIs404() {
        String id = client.createList("l", "a@x.com");
        Answer one = client.get(LISTS + "/" + id);
        assertThat(one.status()).isEqualTo(200);
        assertThat(one.json().get("id").asText()).isEqualTo(id);
        assertThat(one.json().get("name").asText()).isEqualTo("l");
        Answer missing = client.get(LISTS + "/" + (Long.parseLong(id) + 1));
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.code()).isEqualTo(2001);
    }

    @Test
    void listsAreInvisibleFromAnotherAdAccount() {
        try (PinterestEmulator two = PinterestEmulator.builder().adAccountId("111").adAccountId("222").start()) {
            EmulatorClient c = new EmulatorClient(two);
            String id = two.seedCustomerList("111", "mine", "EMAIL", List.of("a@x.com"));
            assertThat(c.get("/ad_accounts/222/customer_lists/" + id).status()).isEqualTo(404);
            assertThat(c.patch("/ad_accounts/222/customer_lists/" + id,
                    json("operation_type", "ADD", "records", "b@x.com")).status()).isEqualTo(404);
            assertThat(c.get("/ad_accounts/222/customer_lists").json().get("items")).isEmpty();
            assertThat(c.get("/ad_accounts/111/customer_lists/" + id).status()).isEqualTo(200);
        }
    }
}
