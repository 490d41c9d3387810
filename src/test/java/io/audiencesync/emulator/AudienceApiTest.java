package io.audiencesync.emulator;

import static io.audiencesync.emulator.EmulatorClient.ACCOUNT;
import static io.audiencesync.emulator.EmulatorClient.AUDIENCES;
import static io.audiencesync.emulator.EmulatorClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.audiencesync.emulator.EmulatorClient.Answer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AudienceApiTest {

    private PinterestEmulator emu;
    private EmulatorClient client;
    private String listId;

    @BeforeEach
    void start() {
        emu = PinterestEmulator.builder().start();
        client = new EmulatorClient(emu);
        // b@x.com has a Pinterest account, a@x.com does not (see MatchingTest).
        listId = client.createList("source", "a@x.com,b@x.com");
    }

    @AfterEach
    void stop() {
        emu.close();
    }

    private Answer create(Object... fields) {
        return client.post(AUDIENCES, json(fields));
    }

    private static void assertBadRequest(Answer answer, String mentioned) {
        assertThat(answer.status()).isEqualTo(400);
        assertThat(answer.code()).isEqualTo(1);
        assertThat(answer.message()).startsWith("Invalid parameters: ").contains(mentioned);
    }

    @Test
    void createAnswersTheAudienceShape() {
        long before = Instant.now().getEpochSecond();
        Answer answer = create("name", "Buyers", "audience_type", "CUSTOMER_LIST",
                "rule", Map.of("customer_list_id", listId), "description", "synced");
        assertThat(answer.status()).isEqualTo(200);
        JsonNode audience = answer.json();
        assertThat(CustomerListApiTest.fieldNames(audience)).containsExactlyInAnyOrder("id", "ad_account_id", "name",
                "audience_type", "rule", "description", "size", "status", "type", "created_timestamp",
                "updated_timestamp");
        assertThat(audience.get("id").asText()).matches("\\d{1,18}");
        assertThat(audience.get("ad_account_id").asText()).isEqualTo(ACCOUNT);
        assertThat(audience.get("name").asText()).isEqualTo("Buyers");
        assertThat(audience.get("audience_type").asText()).isEqualTo("CUSTOMER_LIST");
        assertThat(audience.get("rule").get("customer_list_id").asText()).isEqualTo(listId);
        assertThat(audience.get("description").asText()).isEqualTo("synced");
        // Was null ("until reported"): with the builder's default size delay of zero the size is up to date at once,
        // and counts matched values only.
        assertThat(audience.get("size").asLong()).isEqualTo(1);
        assertThat(audience.get("status").asText()).isEqualTo("TOO_SMALL");
        assertThat(audience.get("type").asText()).isEqualTo("audience");
        assertThat(audience.get("created_timestamp").isIntegralNumber()).isTrue();
        assertThat(audience.get("created_timestamp").asLong()).isBetween(before, before + 60);
        assertThat(audience.get("updated_timestamp").asLong()).isEqualTo(audience.get("created_timestamp").asLong());

        long created = audience.get("created_timestamp").asLong();
        assertThat(emu.audiences()).containsExactly(new EmulatorAudience(audience.get("id").asText(), ACCOUNT,
                "Buyers", "CUSTOMER_LIST", listId, "synced", created, created, 1L, "TOO_SMALL"));
    }

    private String audienceOver(String customerListId) {
        return create("name", "n", "audience_type", "CUSTOMER_LIST", "rule", Map.of("customer_list_id", customerListId))
                .json().get("id").asText();
    }

    private Answer update(String audienceId, Object... fields) {
        return client.patch(AUDIENCES + "/" + audienceId, json(fields));
    }

    @Test
    void updateChangesWhatItNamesAndAnswersTheUpdatedAudience() throws InterruptedException {
        String id = create("name", "Buyers", "audience_type", "CUSTOMER_LIST", "rule",
                Map.of("customer_list_id", listId), "description", "synced").json().get("id").asText();
        long created = client.get(AUDIENCES + "/" + id).json().get("created_timestamp").asLong();
        Thread.sleep(1100); // timestamps are whole seconds

        Answer renamed = update(id, "name", "Buyers 2", "operation_type", "UPDATE", "ad_account_id", ACCOUNT);
        assertThat(renamed.status()).isEqualTo(200);
        assertThat(CustomerListApiTest.fieldNames(renamed.json())).containsExactlyInAnyOrder("id", "ad_account_id",
                "name", "audience_type", "rule", "description", "size", "status", "type", "created_timestamp",
                "updated_timestamp");
        assertThat(renamed.json().get("name").asText()).isEqualTo("Buyers 2");
        assertThat(renamed.json().get("description").asText()).as("not named, not changed").isEqualTo("synced");
        assertThat(renamed.json().get("created_timestamp").asLong()).isEqualTo(created);
        assertThat(renamed.json().get("updated_timestamp").asLong()).isGreaterThan(created);

        String other = client.createList("other", String.join(",", EmulatorClient.emails(3, true)));
        Answer moved = update(id, "description", "moved", "rule", Map.of("customer_list_id", other, "ad_account_id", ACCOUNT));
        assertThat(moved.status()).isEqualTo(200);
        assertThat(moved.json().get("rule").get("customer_list_id").asText()).isEqualTo(other);
        assertThat(moved.json().get("description").asText()).isEqualTo("moved");
        assertThat(moved.json().get("size").asLong()).as("the new list's matched values").isEqualTo(3);
        assertThat(client.get(AUDIENCES + "/" + id).json()).isEqualTo(moved.json());
        assertThat(emu.audiences()).singleElement().satisfies(a -> {
            assertThat(a.name()).isEqualTo("Buyers 2");
            assertThat(a.customerListId()).isEqualTo(other);
        });
        assertThat(update(id).status()).as("an empty update changes nothing").isEqualTo(200);
        assertThat(emu.writeCalls()).as("2 lists, 1 audience, 3 updates").isEqualTo(6);
    }

    @Test
    void updateRefusesWhatTheSpecDoesNotHaveAndChangesNothing() {
        String id = audienceOver(listId);
        JsonNode before = client.get(AUDIENCES + "/" + id).json();
        assertBadRequest(update(id, "audience_type", "CUSTOMER_LIST"), "audience_type");
        assertBadRequest(update(id, "size", 5), "size");
        assertBadRequest(update(id, "name", ""), "name");
        assertBadRequest(update(id, "name", " "), "name");
        assertBadRequest(update(id, "name", 5), "name");
        assertBadRequest(update(id, "description", List.of("d")), "description");
        assertBadRequest(update(id, "operation_type", "DELETE"), "operation_type");
        assertBadRequest(update(id, "operation_type", "remove"), "operation_type");
        assertBadRequest(update(id, "rule", "x"), "rule");
        assertBadRequest(update(id, "rule", Map.of()), "rule.customer_list_id");
        assertBadRequest(update(id, "rule", Map.of("customer_list_id", "999")), "rule.customer_list_id");
        assertBadRequest(update(id, "rule", Map.of("customer_list_id", listId, "seed_id", List.of("1"))),
                "rule.seed_id does not apply to CUSTOMER_LIST audiences");
        assertBadRequest(update(id, "rule", Map.of("customer_list_id", listId, "colour", "red")),
                "unknown field 'rule.colour'");
        assertBadRequest(update(id, "ad_account_id", "42", "name", "x"), "ad_account_id in the body does not match the path");
        assertBadRequest(update(id, "rule", Map.of("customer_list_id", listId, "ad_account_id", "42")),
                "rule.ad_account_id does not match the path");
        assertBadRequest(client.patch(AUDIENCES + "/" + id, ""), "JSON");
        assertThat(client.get(AUDIENCES + "/" + id).json()).isEqualTo(before);

        Answer missing = update(Long.toString(Long.parseLong(id) + 1), "name", "x");
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.code()).isEqualTo(2002);
        try (PinterestEmulator two = PinterestEmulator.builder().adAccountId("111").adAccountId("222").start()) {
            String theirs = two.seedAudience("111", "theirs", two.seedCustomerList("111", "l", "EMAIL", List.of("a@x.com")));
            Answer elsewhere = new EmulatorClient(two).patch("/ad_accounts/222/audiences/" + theirs, json("name", "x"));
            assertThat(elsewhere.status()).as("another ad account's audience is not found").isEqualTo(404);
        }
    }

    @Test
    void removeTakesTheAudienceOutOfTheApi() {
        String kept = audienceOver(listId);
        String id = audienceOver(listId);
        Answer removed = update(id, "operation_type", "REMOVE");
        assertThat(removed.status()).isEqualTo(200);
        assertThat(removed.json().get("id").asText()).isEqualTo(id);
        assertThat(removed.json().get("rule").get("customer_list_id").asText()).isEqualTo(listId);

        assertThat(client.get(AUDIENCES + "/" + id).status()).isEqualTo(404);
        assertThat(client.get(AUDIENCES).json().get("items")).extracting(a -> a.get("id").asText()).containsExactly(kept);
        assertThat(emu.audiences()).extracting(EmulatorAudience::id).containsExactly(kept);
        assertThat(update(id, "operation_type", "REMOVE").status()).isEqualTo(404);
        assertThat(client.get(EmulatorClient.LISTS + "/" + listId).status()).as("its list stays").isEqualTo(200);
    }

    @Test
    void createAcceptsTheRulesAdAccountIdWhenItIsThePathsOne() {
        Answer answer = create("name", "n", "audience_type", "CUSTOMER_LIST",
                "rule", Map.of("customer_list_id", listId, "ad_account_id", ACCOUNT));
        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.json().get("rule")).hasSize(1);
        assertBadRequest(create("name", "n", "audience_type", "CUSTOMER_LIST",
                "rule", Map.of("customer_list_id", listId, "ad_account_id", "42")), "rule.ad_account_id does not match the path");
        assertBadRequest(create("name", "n", "audience_type", "CUSTOMER_LIST",
                "rule", Map.of("customer_list_id", listId, "retention_days", 30)), "rule.retention_days does not apply");
        assertThat(emu.audiences()).hasSize(1);
    }

    @Test
    void descriptionIsOptionalAndBodyAdAccountIdIsTolerated() {
        Answer answer = create("name", "n", "audience_type", "CUSTOMER_LIST",
                "rule", Map.of("customer_list_id", listId), "ad_account_id", ACCOUNT);
        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.json().get("description").isNull()).isTrue();
        assertBadRequest(create("name", "n", "audience_type", "CUSTOMER_LIST", "rule",
                Map.of("customer_list_id", listId), "ad_account_id", "42"), "ad_account_id");
    }

    @Test
    void statusFollowsTheMatchedValuesOfTheList() {
        // Was 100 members: since every value no longer matches, it takes 100 matched ones.
        List<String> values = new ArrayList<>(EmulatorClient.emails(100, true));
        values.addAll(EmulatorClient.emails(30, false));
        String big = client.createList("big", String.join(",", values));
        Answer answer = create("name", "n", "audience_type", "CUSTOMER_LIST", "rule", Map.of("customer_list_id", big));
        assertThat(answer.json().get("status").asText()).isEqualTo("READY");
        assertThat(answer.json().get("size").asLong()).isEqualTo(100);
    }

    @Test
    void ruleMustNameAListOfThisAccount() {
        assertBadRequest(create("name", "n", "audience_type", "CUSTOMER_LIST", "rule",
                Map.of("customer_list_id", "999")), "rule.customer_list_id");
        assertBadRequest(create("name", "n", "audience_type", "CUSTOMER_LIST", "rule",
                Map.of("customer_list_id", "abc")), "rule.customer_list_id");
        assertBadRequest(create("name", "n", "audience_type", "CUSTOMER_LIST", "rule", Map.of()),
                "rule.customer_list_id");
        assertBadRequest(create("name", "n", "audience_type", "CUSTOMER_LIST", "rule",
                Map.of("customer_list_id", listId, "seed_id", List.of("1"))), "rule.seed_id");
        assertBadRequest(create("name", "n", "audience_type", "CUSTOMER_LIST", "rule", "x"), "rule");
        assertThat(emu.audiences()).isEmpty();
    }

    @Test
    void listOfAnotherAdAccountIsRefused() {
        try (PinterestEmulator two = PinterestEmulator.builder().adAccountId("111").adAccountId("222").start()) {
            String other = two.seedCustomerList("111", "theirs", "EMAIL", List.of("a@x.com"));
            Answer answer = new EmulatorClient(two).post("/ad_accounts/222/audiences",
                    json("name", "n", "audience_type", "CUSTOMER_LIST", "rule", Map.of("customer_list_id", other)));
            assertBadRequest(answer, "rule.customer_list_id");
            assertThat(two.audiences()).isEmpty();
        }
    }

    @Test
    void requiredFieldsAreNamed() {
        Map<String, String> rule = Map.of("customer_list_id", listId);
        assertBadRequest(create("audience_type", "CUSTOMER_LIST", "rule", rule), "name");
        assertBadRequest(create("name", "n", "rule", rule), "audience_type");
        assertBadRequest(create("name", "n", "audience_type", "CUSTOMER_LIST"), "rule");
        assertBadRequest(create("name", "n", "audience_type", "CUSTOMER_LIST", "rule", rule, "size", 5), "size");
    }

    @ParameterizedTest
    @ValueSource(strings = {"VISITOR", "ENGAGEMENT", "ACTALIKE", "PERSONA"})
    void otherAudienceTypesAreUnsupported(String type) {
        Answer answer = create("name", "n", "audience_type", type, "rule", Map.of("customer_list_id", listId));
        assertBadRequest(answer, type);
        assertThat(answer.message()).contains("not supported");
    }

    @Test
    void audienceTypeIsCaseSensitive() {
        Answer answer = create("name", "n", "audience_type", "customer_list", "rule",
                Map.of("customer_list_id", listId));
        assertBadRequest(answer, "audience_type");
        assertThat(answer.message()).contains("must be one of");
    }

    @Test
    void getOneAndListAndUnknownIs404() {
        String id = create("name", "n", "audience_type", "CUSTOMER_LIST", "rule", Map.of("customer_list_id", listId))
                .json().get("id").asText();
        Answer one = client.get(AUDIENCES + "/" + id);
        assertThat(one.status()).isEqualTo(200);
        assertThat(one.json().get("id").asText()).isEqualTo(id);
        assertThat(one.json().get("rule").get("customer_list_id").asText()).isEqualTo(listId);
        Answer all = client.get(AUDIENCES);
        assertThat(all.json().get("items")).singleElement()
                .satisfies(a -> assertThat(a.get("id").asText()).isEqualTo(id));
        Answer missing = client.get(AUDIENCES + "/" + (Long.parseLong(id) + 1));
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.code()).isEqualTo(2002);
        assertThat(missing.rid()).isNotNull();
    }
}
