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
