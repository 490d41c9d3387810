package io.audiencesync.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.audiencesync.emulator.EmulatorClient.Answer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code GET /v5/ad_accounts} (ad_accounts/list): the ad accounts a token can use, paginated. */
class AdAccountsApiTest {

    private static void assertError(Answer answer, int status, int code) {
        assertThat(answer.status()).isEqualTo(status);
        assertThat(answer.code()).isEqualTo(code);
        assertThat(answer.rid()).isNotNull();
    }

    @Test
    void theDefaultAccountIsListedAsItsOwnPathAnswersIt() {
        try (PinterestEmulator emu = PinterestEmulator.builder().start()) {
            EmulatorClient client = new EmulatorClient(emu);
            Answer answer = client.get("/ad_accounts");
            assertThat(answer.status()).isEqualTo(200);
            assertThat(CustomerListApiTest.fieldNames(answer.json())).containsExactlyInAnyOrder("items", "bookmark");
            assertThat(answer.json().get("bookmark").isNull()).isTrue();
            JsonNode account = answer.json().get("items").get(0);
            assertThat(answer.json().get("items")).hasSize(1);
            // The spec's AdAccount, every field it has.
            assertThat(CustomerListApiTest.fieldNames(account)).containsExactlyInAnyOrder("id", "name", "owner",
                    "country", "currency", "permissions", "created_time", "updated_time");
            assertThat(account.get("id").asText()).isEqualTo(PinterestEmulator.DEFAULT_AD_ACCOUNT_ID);
            assertThat(account.get("name").asText()).isEqualTo("Emulated ad account " + PinterestEmulator.DEFAULT_AD_ACCOUNT_ID);
            assertThat(account.get("owner").get("username").asText()).isEqualTo("emulator");
            assertThat(account.get("permissions")).extracting(JsonNode::asText).containsExactly("OWNER");
            assertThat(account.get("created_time").isIntegralNumber()).isTrue();
            assertThat(account).isEqualTo(client.get("/ad_accounts/" + PinterestEmulator.DEFAULT_AD_ACCOUNT_ID).json());
        }
    }

    @Test
    void everyAccountTheBuilderNamesIsListedAscendingById() {
        try (PinterestEmulator emu = PinterestEmulator.builder().adAccount("222", "Shop B").adAccount("111", "Shop A")
                .adAccountId("3333").start()) {
            EmulatorClient client = new EmulatorClient(emu);
            JsonNode items = client.get("/ad_accounts").json().get("items");
            assertThat(items).extracting(a -> a.get("id").asText()).containsExactly("111", "222", "3333");
            assertThat(items).extracting(a -> a.get("name").asText())
                    .containsExactly("Shop A", "Shop B", "Emulated ad account 3333");
            assertThat(client.get("/ad_accounts/222").json().get("name").asText()).isEqualTo("Shop B");
            assertThat(emu.adAccounts()).containsExactly(Map.entry("111", "Shop A"),
                    Map.entry("222", "Shop B"), Map.entry("3333", "Emulated ad account 3333"));
            // Every account is the token's own: the shared ones add nothing.
            assertThat(client.get("/ad_accounts?include_shared_accounts=false").json().get("items")).hasSize(3);
            assertThat(client.get("/ad_accounts?include_shared_accounts=true").json().get("items")).hasSize(3);
        }
    }

    @Test
    void pagesFollowPageSizeAndBookmarkLikeTheOtherLists() {
        PinterestEmulator.Builder builder = PinterestEmulator.builder();
        for (int i = 1; i <= 30; i++) {
            builder.adAccountId(Integer.toString(1000 + i));
        }
        try (PinterestEmulator emu = builder.start()) {
            EmulatorClient client = new EmulatorClient(emu);
            Answer first = client.get("/ad_accounts");
            assertThat(first.json().get("items")).hasSize(25);
            String bookmark = first.json().get("bookmark").asText();
            Answer second = client.get("/ad_accounts?bookmark=" + bookmark);
            assertThat(second.json().get("items")).hasSize(5);
            assertThat(second.json().get("bookmark").isNull()).isTrue();

            List<String> walked = new ArrayList<>();
            String next = null;
            do {
                Answer page = client.get("/ad_accounts?page_size=7" + (next == null ? "" : "&bookmark=" + next));
                page.json().get("items").forEach(a -> walked.add(a.get("id").asText()));
                next = page.json().get("bookmark").isNull() ? null : page.json().get("bookmark").asText();
            } while (next != null);
            assertThat(walked).hasSize(30).doesNotHaveDuplicates().first().isEqualTo("1001");

            assertError(client.get("/ad_accounts?page_size=0"), 400, 1);
            assertError(client.get("/ad_accounts?page_size=251"), 400, 1);
            assertError(client.get("/ad_accounts?include_shared_accounts=maybe"), 400, 1);
            // A bookmark of the ad accounts is not one of the customer lists'.
            assertError(client.get("/ad_accounts/1001/customer_lists?bookmark=" + bookmark), 400, 1);
        }
    }

    @Test
    void itNeedsATokenAndOnlyGetIsServed() {
        try (PinterestEmulator emu = PinterestEmulator.builder().start()) {
            EmulatorClient client = new EmulatorClient(emu);
            assertError(client.send("GET", "/ad_accounts", null, null), 401, 2);
            assertError(client.send("GET", "/ad_accounts", null, "not-a-token"), 401, 2);
            Answer post = client.post("/ad_accounts", "{\"name\": \"new\"}");
            assertError(post, 405, 405);
            assertThat(post.headers().firstValue("Allow")).hasValue("GET");
            assertThat(emu.writeCalls()).as("the ad accounts are no list or audience write").isZero();
        }
    }
}
