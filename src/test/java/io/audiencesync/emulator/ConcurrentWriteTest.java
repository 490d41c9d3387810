package io.audiencesync.emulator;

import static io.audiencesync.emulator.EmulatorClient.ACCOUNT;
import static io.audiencesync.emulator.EmulatorClient.LISTS;
import static io.audiencesync.emulator.EmulatorClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import io.audiencesync.emulator.EmulatorClient.Answer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.IntSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ConcurrentWriteTest {

    private PinterestEmulator emu;
    private EmulatorClient client;

    @BeforeEach
    void start() {
        emu = PinterestEmulator.builder().writeDelay(Duration.ofMillis(1500)).start();
        client = new EmulatorClient(emu);
    }

    @AfterEach
    void stop() {
        emu.close();
    }

    private CompletableFuture<Answer> addLater(String listId, String records) {
        return CompletableFuture.supplyAsync(
                () -> client.patch(LISTS + "/" + listId, json("operation_type", "ADD", "records", records)));
    }

    private static void awaitAtLeast(IntSupplier value, int expected) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (value.getAsInt() < expected && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(value.getAsInt()).isGreaterThanOrEqualTo(expected);
    }

    @Test
    void secondWriteWhileOneIsInFlightIs429Code8() throws Exception {
        String id = emu.seedCustomerList(ACCOUNT, "l", "EMAIL", List.of("a@x.com"));
        CompletableFuture<Answer> first = addLater(id, "b@x.com");
        awaitAtLeast(emu::writesInFlight, 1);

        Answer second = client.patch(LISTS + "/" + id, json("operation_type", "REMOVE", "records", "a@x.com"));
        assertThat(second.status()).isEqualTo(429);
        assertThat(second.code()).isEqualTo(8);
        assertThat(second.message()).containsIgnoringCase("multiple write operations");
        assertThat(second.rid()).matches("[0-9a-f]{16}");
        assertThat(emu.concurrentWriteViolations()).isEqualTo(1);

        assertThat(first.get().status()).isEqualTo(200);
        assertThat(emu.members(id)).containsExactly("a@x.com", "b@x.com");
        assertThat(emu.writesInFlight()).isZero();
    }

    @Test
    void writesToDifferentListsMayOverlap() throws Exception {
        String one = emu.seedCustomerList(ACCOUNT, "one", "EMAIL", List.of("a@x.com"));
        String two = emu.seedCustomerList(ACCOUNT, "two", "EMAIL", List.of("a@x.com"));
        CompletableFuture<Answer> first = addLater(one, "b@x.com");
        CompletableFuture<Answer> second = addLater(two, "c@x.com");
        awaitAtLeast(emu::writesInFlight, 2);
        assertThat(first.get().status()).isEqualTo(200);
        assertThat(second.get().status()).isEqualTo(200);
        assertThat(emu.concurrentWriteViolations()).isZero();
    }

    @Test
    void sequentialWritesToOneListAreFine() {
        try (PinterestEmulator fast = PinterestEmulator.builder().start()) {
            EmulatorClient c = new EmulatorClient(fast);
            String id = fast.seedCustomerList(ACCOUNT, "l", "EMAIL", List.of("a@x.com"));
            for (int i = 0; i < 5; i++) {
                assertThat(c.patch(LISTS + "/" + id, json("operation_type", "ADD", "records", "u" + i + "@x.com"))
                        .status()).isEqualTo(200);
            }
            assertThat(fast.concurrentWriteViolations()).isZero();
            assertThat(fast.members(id)).hasSize(6);
        }
    }

    @Test
    void refusedWriteDoesNotReleaseTheMarkOfTheWriteInFlight() throws Exception {
        String id = emu.seedCustomerList(ACCOUNT, "l", "EMAIL", List.of("a@x.com"));
        CompletableFuture<Answer> first = addLater(id, "b@x.com");
        awaitAtLeast(emu::writesInFlight, 1);
        assertThat(client.patch(LISTS + "/" + id, json("operation_type", "ADD", "records", "c@x.com")).status())
                .isEqualTo(429);
        assertThat(client.patch(LISTS + "/" + id, json("operation_type", "ADD", "records", "d@x.com")).status())
                .isEqualTo(429);
        assertThat(emu.concurrentWriteViolations()).isEqualTo(2);
        assertThat(first.get().status()).isEqualTo(200);
        assertThat(emu.members(id)).containsExactly("a@x.com", "b@x.com");
    }

    @Test
    void aWriteOverlappingALateWriteIsRefusedButNotCountedAsTheClientsFault() throws Exception {
        String id = emu.seedCustomerList(ACCOUNT, "l", "EMAIL", List.of("a@x.com"));
        emu.faults().slowWrites(1, Duration.ofMillis(100));
        CompletableFuture<Answer> late = addLater(id, "b@x.com");
        awaitAtLeast(emu::writesInFlight, 1);

        Answer next = client.patch(LISTS + "/" + id, json("operation_type", "ADD", "records", "c@x.com"));
        assertThat(next.status()).isEqualTo(429);
        assertThat(next.code()).isEqualTo(8);
        assertThat(emu.lateWriteOverlaps()).isEqualTo(1);
        assertThat(emu.concurrentWriteViolations()).isZero();
        assertThat(late.get().status()).isEqualTo(200);
        assertThat(emu.members(id)).containsExactly("a@x.com", "b@x.com");
    }

    @Test
    void aLateWriteArrivingDuringAnotherIsRefusedButNotCountedAsTheClientsFault() throws Exception {
        String id = emu.seedCustomerList(ACCOUNT, "l", "EMAIL", List.of("a@x.com"));
        CompletableFuture<Answer> first = addLater(id, "b@x.com");
        awaitAtLeast(emu::writesInFlight, 1);
        emu.faults().slowWrites(1, Duration.ZERO);

        Answer late = client.patch(LISTS + "/" + id, json("operation_type", "ADD", "records", "c@x.com"));
        assertThat(late.status()).isEqualTo(429);
        assertThat(emu.lateWriteOverlaps()).isEqualTo(1);
        assertThat(emu.concurrentWriteViolations()).isZero();
        assertThat(first.get().status()).isEqualTo(200);
        assertThat(emu.members(id)).containsExactly("a@x.com", "b@x.com");
    }
}
