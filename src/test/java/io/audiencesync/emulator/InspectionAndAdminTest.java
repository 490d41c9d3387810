package io.audiencesync.emulator;

import static io.audiencesync.emulator.EmulatorClient.ACCOUNT;
import static io.audiencesync.emulator.EmulatorClient.AUDIENCES;
import static io.audiencesync.emulator.EmulatorClient.LISTS;
import static io.audiencesync.emulator.EmulatorClient.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.audiencesync.emulator.EmulatorClient.Answer;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class InspectionAndAdminTest {

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

    private Answer admin(String method, String path) {
        return client.sendTo("http://127.0.0.1:" + emu.port() + "/_emulator" + path, method, null, null);
    }

    @Test
    void baseUrlPointsAtLoopbackAndTheChosenPort() {
        assertThat(emu.port()).isPositive();
        assertThat(emu.baseUrl()).isEqualTo("http://127.0.0.1:" + emu.port() + "/v5");
    }

    @Test
    void callsRecordEveryRequestWithoutBodies() {
        Instant before = Instant.now();
        String id = client.createList("l", "secret@x.com");
        client.get(LISTS + "?page_size=5&order=DESCENDING");
        client.send("GET", LISTS, null, null);
        client.patch(LISTS + "/" + id, json("operation_type", "REMOVE", "records", "secret@x.com"));

        List<RecordedCall> calls = emu.calls();
        assertThat(calls).extracting(RecordedCall::method).containsExactly("POST", "GET", "GET", "PATCH");
        assertThat(calls).extracting(RecordedCall::path).containsExactly("/v5" + LISTS,
                "/v5" + LISTS + "?page_size=5&order=DESCENDING", "/v5" + LISTS, "/v5" + LISTS + "/" + id);
        assertThat(calls).extracting(RecordedCall::status).containsExactly(200, 200, 401, 200);
        assertThat(calls).allSatisfy(c -> {
            assertThat(c.requestId()).matches("[0-9a-f]{16}");
            assertThat(c.at()).isBetween(before, Instant.now());
        });
        assertThat(calls.toString()).doesNotContain("secret");
    }

    @Test
    void writeCallsCountPostAndPatchAttemptsOnly() {
        String id = client.createList("l", "a@x.com");
        client.get(LISTS);
        client.get(LISTS + "/" + id);
        client.post(LISTS, json("name", "bad"));
        client.send("POST", LISTS, json("name", "n", "records", "a@x.com"), null);
        client.patch(LISTS + "/" + id, json("operation_type", "ADD", "records", "b@x.com"));
        client.post(AUDIENCES, json("name", "a", "audience_type", "CUSTOMER_LIST", "rule",
                Map.of("customer_list_id", id)));
        client.get(AUDIENCES);
        admin("GET", "/lists");
        assertThat(emu.writeCalls()).isEqualTo(5);
    }

    @Test
    void seededListsAndAudiencesAreServedByTheApi() {
        String listId = emu.seedCustomerList(ACCOUNT, "existing", "MAID", List.of("a".repeat(40), "b".repeat(40)));
        String audienceId = emu.seedAudience(ACCOUNT, "existing audience", listId);

        Answer list = client.get(LISTS + "/" + listId);
        assertThat(list.status()).isEqualTo(200);
        assertThat(list.json().get("name").asText()).isEqualTo("existing");
        assertThat(list.json().get("list_type").asText()).isEqualTo("MAID");
        assertThat(list.json().get("num_uploaded_user_records").asLong()).isEqualTo(2);
        assertThat(list.json().get("num_batches").asLong()).isEqualTo(1);

        Answer audience = client.get(AUDIENCES + "/" + audienceId);
        assertThat(audience.status()).isEqualTo(200);
        assertThat(audience.json().get("rule").get("customer_list_id").asText()).isEqualTo(listId);

        assertThat(emu.customerLists()).singleElement().satisfies(l -> {
            assertThat(l.id()).isEqualTo(listId);
            assertThat(l.adAccountId()).isEqualTo(ACCOUNT);
            assertThat(l.memberCount()).isEqualTo(2);
            assertThat(l.status()).isEqualTo("TOO_SMALL");
        });
        assertThat(emu.audiences()).extracting(EmulatorAudience::customerListId).containsExactly(listId);
        assertThat(emu.members(listId)).containsExactly("a".repeat(40), "b".repeat(40));
    }

    @Test
    void seedingChecksItsArguments() {
        assertThatThrownBy(() -> emu.seedCustomerList("42", "n", "EMAIL", List.of()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> emu.seedCustomerList(ACCOUNT, "n", "PHONE", List.of()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> emu.seedCustomerList(ACCOUNT, "n", "EMAIL", List.of("a@x.com", "Upper@x.com")))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("members[1] must be lowercase");
        assertThatThrownBy(() -> emu.seedAudience(ACCOUNT, "n", "999")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> emu.members("999")).isInstanceOf(IllegalArgumentException.class);
        assertThat(emu.customerLists()).isEmpty();
    }

    @Test
    void inspectionResultsAreCopies() {
        String id = emu.seedCustomerList(ACCOUNT, "l", "EMAIL", List.of("a@x.com"));
        var members = emu.members(id);
        var lists = emu.customerLists();
        client.patch(LISTS + "/" + id, json("operation_type", "ADD", "records", "b@x.com"));
        assertThat(members).containsExactly("a@x.com");
        assertThat(lists.get(0).memberCount()).isEqualTo(1);
        assertThatThrownBy(() -> members.add("x")).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void adminListsShowsListsWithoutAuthentication() {
        String id = emu.seedCustomerList(ACCOUNT, "existing", "EMAIL", List.of("b@x.com", "a@x.com"));
        String audienceId = emu.seedAudience(ACCOUNT, "aud", id);
        Answer answer = admin("GET", "/lists");
        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.rid()).matches("[0-9a-f]{16}");
        JsonNode list = answer.json().get(0);
        assertThat(answer.json()).hasSize(1);
        assertThat(list.get("id").asText()).isEqualTo(id);
        assertThat(list.get("name").asText()).isEqualTo("existing");
        assertThat(list.get("list_type").asText()).isEqualTo("EMAIL");
        assertThat(list.get("member_count").asInt()).isEqualTo(2);
        assertThat(list.get("audience_ids")).hasSize(1);
        assertThat(list.get("audience_ids").get(0).asText()).isEqualTo(audienceId);
        // b@x.com has a Pinterest account, a@x.com has none.
        assertThat(list.get("matched_count").asInt()).isEqualTo(1);
        assertThat(list.get("status").asText()).isEqualTo("TOO_SMALL");
        // The values are one link away, as the README promises.
        String membersUrl = list.get("members_url").asText();
        assertThat(membersUrl).isEqualTo("http://127.0.0.1:" + emu.port() + "/_emulator/lists/" + id + "/members");
        assertThat(client.sendTo(membersUrl, "GET", null, null).json()).extracting(JsonNode::asText)
                .containsExactly("a@x.com", "b@x.com");
    }

    @Test
    void compactMembershipHasNoMembersUrlAndSaysWhy() {
        try (PinterestEmulator compact = PinterestEmulator.builder().compactMembership(true).start()) {
            String id = compact.seedCustomerList(ACCOUNT, "l", "EMAIL", List.of("a@x.com"));
            EmulatorClient c = new EmulatorClient(compact);
            JsonNode list = c.sendTo("http://127.0.0.1:" + compact.port() + "/_emulator/lists", "GET", null, null).json().get(0);
            assertThat(list.get("member_count").asInt()).isEqualTo(1);
            assertThat(list.has("members_url")).isFalse();
            Answer members = c.sendTo("http://127.0.0.1:" + compact.port() + "/_emulator/lists/" + id + "/members", "GET",
                    null, null);
            assertThat(members.status()).isEqualTo(400);
            assertThat(members.message()).contains("fingerprints only");
        }
    }

    @Test
    void adminMembersAreSortedAndUnknownListIs404() {
        String id = emu.seedCustomerList(ACCOUNT, "l", "EMAIL", List.of("c@x.com", "a@x.com", "b@x.com"));
        Answer members = admin("GET", "/lists/" + id + "/members");
        assertThat(members.status()).isEqualTo(200);
        assertThat(members.json()).extracting(JsonNode::asText).containsExactly("a@x.com", "b@x.com", "c@x.com");
        assertThat(admin("GET", "/lists/999/members").status()).isEqualTo(404);
        assertThat(admin("GET", "/lists/999/members").code()).isEqualTo(2001);
        assertThat(admin("GET", "/nothing").status()).isEqualTo(404);
        Answer post = admin("POST", "/lists");
        assertThat(post.status()).isEqualTo(405);
        assertThat(post.code()).isEqualTo(405);
    }

    @Test
    void closeStopsPromptlyEvenWithAWriteInFlight() throws Exception {
        PinterestEmulator slow = PinterestEmulator.builder().writeDelay(Duration.ofSeconds(30)).start();
        EmulatorClient c = new EmulatorClient(slow);
        String id = slow.seedCustomerList(ACCOUNT, "l", "EMAIL", List.of("a@x.com"));
        Thread writer = new Thread(() -> {
            try {
                c.patch(LISTS + "/" + id, json("operation_type", "ADD", "records", "b@x.com"));
            } catch (RuntimeException expected) {
                // the connection is cut by close(); that is the point
            }
        });
        writer.start();
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (slow.writesInFlight() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(slow.writesInFlight()).isEqualTo(1);

        long started = System.nanoTime();
        slow.close();
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(3));
        assertThatThrownBy(() -> c.get(LISTS)).isInstanceOf(UncheckedIOException.class)
                .hasCauseInstanceOf(ConnectException.class);
        writer.join(5_000);
        assertThat(writer.isAlive()).isFalse();
        slow.close();
    }

    @Test
    void readFaultsFailReadsOfOneAudienceOrListButNotTheirListingsNorWrites() {
        String listId = emu.seedCustomerList(ACCOUNT, "l", "EMAIL", List.of("a@x.com"));
        String audienceId = emu.seedAudience(ACCOUNT, "aud", listId);
        Answer queued = client.sendTo("http://127.0.0.1:" + emu.port() + "/_emulator/faults", "POST",
                json("fail_reads", Map.of("kind", "audiences", "count", 1, "status", 503)), null);
        assertThat(queued.status()).isEqualTo(200);

        assertThat(client.get(AUDIENCES).status()).as("a listing is not a read of one audience").isEqualTo(200);
        assertThat(client.get(LISTS + "/" + listId).status()).as("another kind").isEqualTo(200);
        Answer failed = client.get(AUDIENCES + "/" + audienceId);
        assertThat(failed.status()).isEqualTo(503);
        assertThat(failed.json().get("code").asInt()).isEqualTo(503);
        assertThat(client.get(AUDIENCES + "/" + audienceId).status()).as("one fault, used once").isEqualTo(200);
        assertThat(emu.writeCalls()).as("a failed read is no write").isZero();

        emu.faults().failReads("customer_lists", 1, 404);
        assertThat(client.get(LISTS + "/" + listId).status()).isEqualTo(404);
        Answer unknown = client.sendTo("http://127.0.0.1:" + emu.port() + "/_emulator/faults", "POST",
                json("fail_reads", Map.of("kind", "pins")), null);
        assertThat(unknown.status()).isEqualTo(400);
        assertThat(unknown.json().get("message").asText()).contains("fail_reads: a read fault is of customer_lists or"
                + " audiences, not 'pins'");
    }
}
