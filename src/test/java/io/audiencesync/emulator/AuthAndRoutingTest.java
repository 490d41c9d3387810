package io.audiencesync.emulator;

import static io.audiencesync.emulator.EmulatorClient.LISTS;
import static io.audiencesync.emulator.EmulatorClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import io.audiencesync.emulator.EmulatorClient.Answer;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AuthAndRoutingTest {

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

    private static void assertError(Answer answer, int status, int code) {
        assertThat(answer.status()).isEqualTo(status);
        assertThat(answer.code()).isEqualTo(code);
        assertThat(answer.json().path("message").isTextual()).isTrue();
        assertThat(answer.rid()).matches("[0-9a-f]{16}");
        assertThat(answer.headers().firstValue("Content-Type")).hasValue("application/json");
    }

    @Test
    void missingAuthorizationIs401WithCode2() {
        Answer answer = client.send("GET", LISTS, null, null);
        assertError(answer, 401, 2);
        assertThat(answer.message()).isEqualTo("Authentication failed.");
    }

    @Test
    void unknownTokenAndWrongSchemeAre401() {
        assertError(client.send("GET", LISTS, null, "not-the-token"), 401, 2);
        assertError(client.sendTo(emu.baseUrl() + LISTS, "GET", null, "Basic emulator-token"), 401, 2);
        assertError(client.sendTo(emu.baseUrl() + LISTS, "GET", null, "emulator-token"), 401, 2);
    }

    @Test
    void writeWithoutTokenCreatesNothing() {
        Answer answer = client.send("POST", LISTS, json("name", "n", "records", "a@b.co"), null);
        assertError(answer, 401, 2);
        assertThat(emu.customerLists()).isEmpty();
    }

    @Test
    void successfulAnswersCarryRidAndJsonContentType() {
        Answer answer = client.get(LISTS);
        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.rid()).matches("[0-9a-f]{16}");
        assertThat(answer.headers().firstValue("Content-Type")).hasValue("application/json");
    }

    @Test
    void requestIdsDifferPerRequestAndMatchTheCallLog() {
        List<String> rids = List.of(client.get(LISTS).rid(), client.send("GET", LISTS, null, null).rid(),
                client.get("/nope").rid());
        assertThat(rids).doesNotHaveDuplicates();
        assertThat(emu.calls().stream().map(RecordedCall::requestId).collect(Collectors.toList()))
                .containsExactlyElementsOf(rids);
    }

    @Test
    void unknownAdAccountIs403WithCode29() {
        Answer answer = client.get("/ad_accounts/123456/customer_lists");
        assertError(answer, 403, 29);
        assertThat(answer.message()).isEqualTo("You are not permitted to access that resource.");
        assertError(client.post("/ad_accounts/123456/customer_lists", json("name", "n", "records", "a@b.co")),
                403, 29);
        assertThat(emu.customerLists()).isEmpty();
    }

    @Test
    void malformedPathIdsAre400WithCode1() {
        assertError(client.get("/ad_accounts/abc/customer_lists"), 400, 1);
        assertError(client.get("/ad_accounts/1234567890123456789/customer_lists"), 400, 1);
        Answer badList = client.get(LISTS + "/12x");
        assertError(badList, 400, 1);
        assertThat(badList.message()).contains("customer_list_id");
        assertError(client.get("/ad_accounts/" + EmulatorClient.ACCOUNT + "/audiences/-1"), 400, 1);
    }

    @Test
    void unknownPathIs404WithErrorBody() {
        assertError(client.get("/ad_accounts/" + EmulatorClient.ACCOUNT + "/campaigns"), 404, 404);
        assertError(client.get("/user_account"), 404, 404);
        assertError(client.sendTo("http://127.0.0.1:" + emu.port() + "/v4/whatever", "GET", null, null), 404, 404);
    }

    @Test
    void unknownPathStillNeedsAuthentication() {
        assertError(client.send("GET", "/user_account", null, null), 401, 2);
    }

    @Test
    void wrongMethodOnKnownPathIs405WithAllowHeader() {
        Answer delete = client.send("DELETE", LISTS, null, PinterestEmulator.DEFAULT_ACCESS_TOKEN);
        assertError(delete, 405, 405);
        assertThat(delete.headers().firstValue("Allow")).hasValue("GET, POST");
        assertError(client.patch(LISTS, json("operation_type", "ADD", "records", "a@b.co")), 405, 405);
        assertError(client.post(LISTS + "/5497558859000", json("name", "n")), 405, 405);
        // An audience is now PATCHed (audiences/update); DELETE is no operation of the spec's.
        Answer audience = client.send("DELETE", "/ad_accounts/" + EmulatorClient.ACCOUNT + "/audiences/1", null,
                PinterestEmulator.DEFAULT_ACCESS_TOKEN);
        assertError(audience, 405, 405);
        assertThat(audience.headers().firstValue("Allow")).hasValue("GET, PATCH");
    }

    @Test
    void invalidJsonIs400WithoutEchoingTheBody() {
        Answer answer = client.post(LISTS, "{\"name\": \"x\", \"records\": \"secret@example.com\"");
        assertError(answer, 400, 1);
        assertThat(answer.message()).contains("not valid JSON").doesNotContain("secret");
        assertError(client.post(LISTS, "[]"), 400, 1);
        assertError(client.post(LISTS, ""), 400, 1);
        assertError(client.post(LISTS, "{\"name\":\"a\",\"name\":\"b\",\"records\":\"a@b.co\"}"), 400, 1);
        assertError(client.post(LISTS, "{\"name\":\"a\",\"records\":\"a@b.co\"} {}"), 400, 1);
        assertThat(emu.customerLists()).isEmpty();
    }

    @Test
    void builderAcceptsSeveralTokensAndAccountsAndDropsTheDefaults() {
        try (PinterestEmulator multi = PinterestEmulator.builder()
                .accessToken("t1").accessToken("t2").adAccountId("111").adAccountId("222").start()) {
            EmulatorClient c = new EmulatorClient(multi);
            assertThat(c.send("GET", "/ad_accounts/111/customer_lists", null, "t1").status()).isEqualTo(200);
            assertThat(c.send("GET", "/ad_accounts/222/customer_lists", null, "t2").status()).isEqualTo(200);
            assertThat(c.send("GET", "/ad_accounts/111/customer_lists", null, "emulator-token").status())
                    .isEqualTo(401);
            assertThat(c.send("GET", LISTS, null, "t1").status()).isEqualTo(403);
        }
    }
}
