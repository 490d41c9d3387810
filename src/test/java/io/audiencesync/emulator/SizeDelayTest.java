package io.audiencesync.emulator;

import static io.audiencesync.emulator.EmulatorClient.AUDIENCES;
import static io.audiencesync.emulator.EmulatorClient.LISTS;
import static io.audiencesync.emulator.EmulatorClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.audiencesync.emulator.EmulatorClient.Answer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Pinterest updates a list's counters and status and its audiences' sizes a while after a write: the emulator after
 * its size delay, or when {@code /_emulator/settle} (or {@link PinterestEmulator#settle()}) says so.
 */
class SizeDelayTest {

    private static final List<String> MATCHED = EmulatorClient.emails(150, true);

    private static Answer admin(PinterestEmulator emu, String method, String path, String body) {
        return new EmulatorClient(emu).sendTo("http://127.0.0.1:" + emu.port() + "/_emulator" + path, method, body, null);
    }

    @Test
    void untilTheDelayPassesAListIsProcessingAndAnAudienceKeepsItsLastSize() {
        try (PinterestEmulator emu = PinterestEmulator.builder().sizeDelay(Duration.ofHours(1)).start()) {
            EmulatorClient client = new EmulatorClient(emu);
            Answer created = client.post(LISTS, json("name", "l", "records", String.join(",", MATCHED)));
            assertThat(created.json().get("status").asText()).isEqualTo("PROCESSING");
            assertThat(created.json().get("num_uploaded_user_records").asLong()).as("not counted yet").isZero();
            assertThat(created.json().get("num_batches").asLong()).as("the call itself is counted").isEqualTo(1);
            String list = created.json().get("id").asText();
            JsonNode audience = client.post(AUDIENCES, json("name", "a", "audience_type", "CUSTOMER_LIST", "rule",
                    Map.of("customer_list_id", list))).json();
            assertThat(audience.get("size").isNull()).isTrue();
            assertThat(audience.get("status").asText()).isEqualTo("INITIALIZING");
            String audienceId = audience.get("id").asText();
            assertThat(emu.customerLists().get(0).matchedCount()).as("the list itself holds them at once").isEqualTo(150);

            Answer settled = admin(emu, "POST", "/settle", null);
            assertThat(settled.status()).isEqualTo(200);
            assertThat(settled.json().get("updated_customer_lists")).extracting(JsonNode::asText).containsExactly(list);
            assertThat(settled.json().get("updated_audiences")).extracting(JsonNode::asText).containsExactly(audienceId);
            assertThat(settled.json().get("pending_customer_lists")).isEmpty();
            assertList(client, list, "READY", 150, 0);
            assertAudience(client, audienceId, 150, "READY");

            client.patch(LISTS + "/" + list, json("operation_type", "REMOVE", "records",
                    String.join(",", MATCHED.subList(0, 60))));
            assertList(client, list, "PROCESSING", 150, 0);
            assertAudience(client, audienceId, 150, "READY");

            // Time passes: not yet due after 59 minutes, due after 60.
            Answer early = admin(emu, "POST", "/settle", "{\"seconds\": 3540}");
            assertThat(early.json().get("updated_customer_lists")).isEmpty();
            assertThat(early.json().get("pending_customer_lists")).extracting(JsonNode::asText).containsExactly(list);
            assertList(client, list, "PROCESSING", 150, 0);
            emu.passTime(Duration.ofSeconds(60));
            assertList(client, list, "TOO_SMALL", 150, 60);
            assertAudience(client, audienceId, 90, "TOO_SMALL");
        }
    }

    @Test
    void eachWritePushesTheUpdateBackAndTheLastWriteCounts() {
        try (PinterestEmulator emu = PinterestEmulator.builder().sizeDelay(Duration.ofMinutes(10)).start()) {
            EmulatorClient client = new EmulatorClient(emu);
            String list = client.createList("l", String.join(",", MATCHED.subList(0, 50)));
            emu.passTime(Duration.ofMinutes(9));
            client.patch(LISTS + "/" + list, json("operation_type", "ADD", "records", String.join(",", MATCHED.subList(50, 150))));
            emu.passTime(Duration.ofMinutes(9));
            assertList(client, list, "PROCESSING", 0, 0);
            emu.passTime(Duration.ofMinutes(1));
            assertList(client, list, "READY", 150, 0);
            assertThat(emu.customerLists().get(0).numBatches()).isEqualTo(2);
        }
    }

    @Test
    void anAudienceOverAnUpdatedListGetsItsSizeAfterItsOwnDelay() {
        try (PinterestEmulator emu = PinterestEmulator.builder().sizeDelay(Duration.ofMinutes(10)).start()) {
            EmulatorClient client = new EmulatorClient(emu);
            String list = client.createList("l", String.join(",", MATCHED));
            emu.passTime(Duration.ofMinutes(10));
            String audience = client.post(AUDIENCES, json("name", "a", "audience_type", "CUSTOMER_LIST", "rule",
                    Map.of("customer_list_id", list))).json().get("id").asText();
            assertThat(client.get(AUDIENCES + "/" + audience).json().get("size").isNull()).isTrue();
            emu.passTime(Duration.ofMinutes(10));
            assertAudience(client, audience, 150, "READY");
        }
    }

    @Test
    void aShortDelayPassesOnItsOwn() throws InterruptedException {
        try (PinterestEmulator emu = PinterestEmulator.builder().sizeDelay(Duration.ofMillis(500)).start()) {
            EmulatorClient client = new EmulatorClient(emu);
            List<String> few = new ArrayList<>(MATCHED.subList(0, 10));
            Answer created = client.post(LISTS, json("name", "l", "records", String.join(",", few)));
            String list = created.json().get("id").asText();
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            String status;
            do {
                Thread.sleep(100);
                status = client.get(LISTS + "/" + list).json().get("status").asText();
            } while (status.equals("PROCESSING") && System.nanoTime() < deadline);
            assertThat(status).isEqualTo("TOO_SMALL");
            assertList(client, list, "TOO_SMALL", 10, 0);
        }
    }

    @Test
    void settleLetsTimePassOnlyForwardAndGetChangesNothingThatIsNotDue() {
        try (PinterestEmulator emu = PinterestEmulator.builder().sizeDelay(Duration.ofHours(1)).start()) {
            String list = new EmulatorClient(emu).createList("l", "b@x.com");
            Answer look = admin(emu, "GET", "/settle", null);
            assertThat(look.status()).isEqualTo(200);
            assertThat(look.json().get("updated_customer_lists")).isEmpty();
            assertThat(look.json().get("pending_customer_lists")).extracting(JsonNode::asText).containsExactly(list);
            for (String bad : List.of("{\"seconds\": -1}", "{\"seconds\": 1.5}", "{\"seconds\": \"60\"}", "{\"days\": 1}", "[]")) {
                Answer refused = admin(emu, "POST", "/settle", bad);
                assertThat(refused.status()).as(bad).isEqualTo(400);
                assertThat(refused.code()).as(bad).isEqualTo(1);
            }
            assertThat(admin(emu, "PUT", "/settle", null).status()).isEqualTo(405);
            assertThat(emu.customerLists().get(0).status()).isEqualTo("PROCESSING");
            assertThat(admin(emu, "POST", "/settle", "{}").json().get("updated_customer_lists")).hasSize(1);
            assertThat(emu.customerLists().get(0).status()).isEqualTo("TOO_SMALL");
        }
    }

    @Test
    void withTheDefaultDelayEveryAnswerIsUpToDate() {
        try (PinterestEmulator emu = PinterestEmulator.builder().start()) {
            EmulatorClient client = new EmulatorClient(emu);
            Answer created = client.post(LISTS, json("name", "l", "records", String.join(",", MATCHED)));
            assertThat(created.json().get("status").asText()).isEqualTo("READY");
            assertThat(created.json().get("num_uploaded_user_records").asLong()).isEqualTo(150);
            assertThat(admin(emu, "GET", "/settle", null).json().get("pending_customer_lists")).isEmpty();
        }
    }

    private static void assertList(EmulatorClient client, String id, String status, long uploaded, long removed) {
        JsonNode list = client.get(LISTS + "/" + id).json();
        assertThat(list.get("status").asText()).isEqualTo(status);
        assertThat(list.get("num_uploaded_user_records").asLong()).isEqualTo(uploaded);
        assertThat(list.get("num_removed_user_records").asLong()).isEqualTo(removed);
    }

    private static void assertAudience(EmulatorClient client, String id, long size, String status) {
        JsonNode audience = client.get(AUDIENCES + "/" + id).json();
        assertThat(audience.get("size").asLong()).isEqualTo(size);
        assertThat(audience.get("status").asText()).isEqualTo(status);
    }
}
