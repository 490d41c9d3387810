package io.audiencesync.emulator;

import static io.audiencesync.emulator.EmulatorClient.AUDIENCES;
import static io.audiencesync.emulator.EmulatorClient.LISTS;
import static io.audiencesync.emulator.EmulatorClient.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.audiencesync.emulator.EmulatorClient.Answer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code dataDir}: lists, audiences and members outlive the emulator. */
class DataDirTest {

    private static final List<String> MATCHED = EmulatorClient.emails(120, true);

    @TempDir
    Path dir;

    private PinterestEmulator start(Duration sizeDelay) {
        return PinterestEmulator.builder().dataDir(dir).sizeDelay(sizeDelay).start();
    }

    @Test
    void listsAudiencesMembersAndWhatTheApiShowsSurviveARestart() {
        String list;
        String second;
        String audience;
        JsonNode listBefore;
        JsonNode audienceBefore;
        try (PinterestEmulator emu = start(Duration.ZERO)) {
            EmulatorClient client = new EmulatorClient(emu);
            list = client.createList("Customer List-Users", String.join(",", MATCHED.subList(0, 100)) + ",a@x.com");
            client.patch(LISTS + "/" + list, json("operation_type", "ADD", "records", String.join(",", MATCHED.subList(100, 120))));
            client.patch(LISTS + "/" + list, json("operation_type", "REMOVE", "records", "a@x.com,nobody@x.com"));
            second = client.post(LISTS, json("name", "MAIDs", "records", "f".repeat(40), "list_type", "MAID"))
                    .json().get("id").asText();
            audience = client.post(AUDIENCES, json("name", "Audience-Users", "audience_type", "CUSTOMER_LIST",
                    "rule", Map.of("customer_list_id", list), "description", "kept")).json().get("id").asText();
            listBefore = client.get(LISTS + "/" + list).json();
            audienceBefore = client.get(AUDIENCES + "/" + audience).json();
        }

        try (PinterestEmulator emu = start(Duration.ZERO)) {
            EmulatorClient client = new EmulatorClient(emu);
            assertThat(client.get(LISTS + "/" + list).json()).isEqualTo(listBefore);
            assertThat(listBefore.get("num_batches").asLong()).isEqualTo(3);
            assertThat(listBefore.get("num_removed_user_records").asLong()).isEqualTo(2);
            assertThat(client.get(AUDIENCES + "/" + audience).json()).isEqualTo(audienceBefore);
            assertThat(audienceBefore.get("size").asLong()).isEqualTo(120);
            assertThat(emu.members(list)).containsExactlyInAnyOrderElementsOf(MATCHED);
            assertThat(emu.customerLists()).extracting(EmulatorList::id).containsExactly(list, second);
            assertThat(emu.customerLists().get(1).listType()).isEqualTo("MAID");
            assertThat(emu.members(second)).containsExactly("f".repeat(40));

            // Writes go on where they were; new ids come after the old ones.
            client.patch(LISTS + "/" + list, json("operation_type", "REMOVE", "records", MATCHED.get(0)));
            assertThat(client.get(AUDIENCES + "/" + audience).json().get("size").asLong()).isEqualTo(119);
            String third = client.createList("third", "b@x.com");
            assertThat(Long.parseLong(third)).isGreaterThan(Long.parseLong(second));
        }
    }

    @Test
    void aPendingUpdateIsStillPendingAfterARestart() {
        String list;
        try (PinterestEmulator emu = start(Duration.ofHours(1))) {
            list = new EmulatorClient(emu).createList("l", String.join(",", MATCHED));
        }
        try (PinterestEmulator emu = start(Duration.ofHours(1))) {
            EmulatorClient client = new EmulatorClient(emu);
            assertThat(client.get(LISTS + "/" + list).json().get("status").asText()).isEqualTo("PROCESSING");
            emu.settle();
            assertThat(client.get(LISTS + "/" + list).json().get("status").asText()).isEqualTo("READY");
        }
    }

    @Test
    void changesAreWrittenWithinASecondWhileItRuns() throws IOException, InterruptedException {
        try (PinterestEmulator emu = start(Duration.ZERO)) {
            String list = new EmulatorClient(emu).createList("l", "b@x.com");
            Path file = dir.resolve("emulator-state.json");
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (!(Files.exists(file) && Files.readString(file).contains("b@x.com")) && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            JsonNode saved = new ObjectMapper().readTree(file.toFile());
            assertThat(saved.get("format").asInt()).isEqualTo(1);
            assertThat(saved.get("customer_lists").get(0).get("id").asText()).isEqualTo(list);
            assertThat(saved.get("customer_lists").get(0).get("members")).extracting(JsonNode::asText)
                    .containsExactly("b@x.com");
            assertThat(dir.resolve("emulator-state.json.tmp")).doesNotExist();
        }
    }

    @Test
    void aSecondEmulatorOnTheSameDirectoryIsRefusedAndLeavesThePortFree() throws IOException {
        try (PinterestEmulator first = start(Duration.ZERO)) {
            int port;
            try (java.net.ServerSocket probe = new java.net.ServerSocket(0)) {
                port = probe.getLocalPort();
            }
            assertThatThrownBy(() -> PinterestEmulator.builder().port(port).dataDir(dir).start())
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("another emulator uses the data directory " + dir);
            try (PinterestEmulator other = PinterestEmulator.builder().port(port).start()) {
                assertThat(other.port()).isEqualTo(port);
            }
            assertThat(new EmulatorClient(first).get(LISTS).status()).isEqualTo(200);
        }
    }

    @Test
    void aFileItCannotReadIsNamedAndNothingStarts() throws IOException {
        Files.writeString(dir.resolve("emulator-state.json"), "{\"format\": 1, \"customer_lists\": [");
        assertThatThrownBy(() -> start(Duration.ZERO)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("cannot read " + dir.resolve("emulator-state.json"))
                .hasMessageContaining("move it away");
        Files.writeString(dir.resolve("emulator-state.json"), "{\"format\": 2, \"customer_lists\": [], \"audiences\": []}");
        assertThatThrownBy(() -> start(Duration.ZERO)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("format 2");
    }

    @Test
    void compactMembershipKeepsNoValuesToWrite() {
        assertThatThrownBy(() -> PinterestEmulator.builder().dataDir(dir).compactMembership(true).start())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("compact membership");
    }

    @Test
    void withoutADataDirectoryNothingIsWritten() throws IOException {
        try (PinterestEmulator emu = PinterestEmulator.builder().start()) {
            Answer created = new EmulatorClient(emu).post(LISTS, json("name", "l", "records", "b@x.com"));
            assertThat(created.status()).isEqualTo(200);
        }
        try (var files = Files.list(dir)) {
            assertThat(files).isEmpty();
        }
    }
}
