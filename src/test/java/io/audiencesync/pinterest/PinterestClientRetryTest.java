package io.audiencesync.pinterest;

import io.audiencesync.config.RetrySettings;
import io.audiencesync.identity.IdentifierType;
import io.audiencesync.plan.Operation;
import io.audiencesync.emulator.PinterestEmulator;
import io.audiencesync.emulator.RecordedCall;
import io.audiencesync.routes.PinterestRoute;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Retries, backoff and pacing against the emulator's injected faults, over loopback HTTP. */
class PinterestClientRetryTest {

    /** Each client calls through a pinterest route of its own; all are stopped after the test. */
    private final List<PinterestRoute.Standalone> routes = new java.util.concurrent.CopyOnWriteArrayList<>();

    private PinterestClient standalone(URI api, String adAccountId, TokenProvider tokens, PinterestClient.Options options) {
        PinterestRoute.Standalone route = PinterestRoute.standalone(api, adAccountId, tokens, options);
        routes.add(route);
        return route.client();
    }

    private PinterestEmulator emulator;
    private String listId;
    private final java.util.List<Integer> statuses = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final java.util.concurrent.atomic.AtomicBoolean stopping = new java.util.concurrent.atomic.AtomicBoolean();

    @BeforeEach
    void start() {
        emulator = PinterestEmulator.builder().port(0).start();
        listId = emulator.seedCustomerList(PinterestEmulator.DEFAULT_AD_ACCOUNT_ID, "L", "EMAIL", List.of());
    }

    @AfterEach
    void stop() {
        routes.forEach(PinterestRoute.Standalone::close);
        emulator.close();
    }

    private PinterestClient client(int attempts, Duration budget, Duration requestTimeout, int writesPerMinute) {
        return standalone(URI.create(emulator.baseUrl()), PinterestEmulator.DEFAULT_AD_ACCOUNT_ID,
                TokenProvider.fixed(PinterestEmulator.DEFAULT_ACCESS_TOKEN), new PinterestClient.Options(Duration.ofSeconds(2),
                        requestTimeout, new RetrySettings(attempts, budget, Duration.ofMillis(20), Duration.ofMillis(200),
                        writesPerMinute), statuses::add, stopping::get));
    }

    private List<RecordedCall> patches() {
        return emulator.calls().stream().filter(c -> c.method().equals("PATCH")).toList();
    }

    @Test
    void throttlingIsRetriedAfterAtLeastTheRetryAfterPinterestAsksFor() {
        emulator.faults().throttleWrites(2, Duration.ofSeconds(1));
        client(5, Duration.ofSeconds(30), Duration.ofSeconds(5), 60_000).updateCustomerList(listId, Operation.ADD, List.of("a@b.co"));
        List<RecordedCall> calls = patches();
        assertThat(calls).extracting(RecordedCall::status).containsExactly(429, 429, 200);
        assertThat(Duration.between(calls.get(0).at(), calls.get(1).at())).isGreaterThanOrEqualTo(Duration.ofMillis(950));
        assertThat(Duration.between(calls.get(1).at(), calls.get(2).at())).isGreaterThanOrEqualTo(Duration.ofMillis(950));
        assertThat(emulator.members(listId)).containsExactly("a@b.co");
    }

    @Test
    void serverErrorsTimeoutsAndDroppedConnectionsAreRetried() {
        emulator.faults().failWrites(1, 503).failWrites(1, 500).dropWrites(1).slowWrites(1, Duration.ofMillis(1500));
        client(6, Duration.ofSeconds(30), Duration.ofMillis(500), 60_000)
                .updateCustomerList(listId, Operation.ADD, List.of("a@b.co"));
        assertThat(patches()).extracting(RecordedCall::status).startsWith(503, 500, 0);
        assertThat(patches().get(patches().size() - 1).status()).isEqualTo(200);
        assertThat(emulator.faults().injected()).isEqualTo(4);
        assertThat(emulator.members(listId)).containsExactly("a@b.co");
    }

    @Test
    void attemptsAreBoundedAndCountedOnTheFailure() {
        emulator.faults().failWrites(10, 503);
        assertThatThrownBy(() -> client(3, Duration.ofSeconds(30), Duration.ofSeconds(5), 60_000)
                .updateCustomerList(listId, Operation.ADD, List.of("a@b.co")))
                .isInstanceOfSatisfying(PinterestApiException.class, e -> {
                    assertThat(e.status()).isEqualTo(503);
                    assertThat(e.attempts()).isEqualTo(3);
                    assertThat(e.requestId()).isNotBlank();
                });
        assertThat(patches()).hasSize(3);
    }

    @Test
    void aRetryAfterOnOneWriteHoldsBackTheNextWritesToTheAccount() {
        emulator.faults().throttleWrites(1, Duration.ofSeconds(1));
        PinterestClient client = client(1, Duration.ofSeconds(30), Duration.ofSeconds(5), 60_000);
        assertThatThrownBy(() -> client.updateCustomerList(listId, Operation.ADD, List.of("a@b.co")))
                .isInstanceOf(PinterestApiException.class);
        client.updateCustomerList(listId, Operation.ADD, List.of("c@d.co"));
        List<RecordedCall> calls = patches();
        assertThat(calls).extracting(RecordedCall::status).containsExactly(429, 200);
        assertThat(Duration.between(calls.get(0).at(), calls.get(1).at())).as("the next batch waited too")
                .isGreaterThanOrEqualTo(Duration.ofMillis(950));
    }

    @Test
    void aPauseLongerThanTheBudgetFailsTheNextWritesWithoutCallingPinterest() {
        emulator.faults().throttleWrites(1, Duration.ofSeconds(3600));
        PinterestClient client = client(3, Duration.ofSeconds(2), Duration.ofSeconds(5), 60_000);
        assertThatThrownBy(() -> client.updateCustomerList(listId, Operation.ADD, List.of("a@b.co")))
                .isInstanceOf(PinterestApiException.class);
        assertThatThrownBy(() -> client.updateCustomerList(listId, Operation.ADD, List.of("c@d.co")))
                .isInstanceOfSatisfying(PinterestApiException.class, e -> assertThat(e.getMessage()).contains("Retry-After"));
        assertThat(patches()).as("nothing Pinterest would refuse was sent").hasSize(1);
    }

    @Test
    void aRetryAfterBeyondTheBudgetIsNotWaitedFor() {
        emulator.faults().throttleWrites(1, Duration.ofSeconds(60));
        assertThatThrownBy(() -> client(5, Duration.ofSeconds(2), Duration.ofSeconds(5), 60_000)
                .updateCustomerList(listId, Operation.ADD, List.of("a@b.co")))
                .isInstanceOfSatisfying(PinterestApiException.class, e -> assertThat(e.attempts()).isEqualTo(1));
    }

    @Test
    void refusalsAndAccessErrorsAreNotRetried() {
        emulator.faults().refuseValues(List.of("bad@b.co"));
        PinterestClient client = client(5, Duration.ofSeconds(30), Duration.ofSeconds(5), 60_000);
        assertThatThrownBy(() -> client.updateCustomerList(listId, Operation.ADD, List.of("bad@b.co")))
                .isInstanceOfSatisfying(PinterestApiException.class, e -> assertThat(e.status()).isEqualTo(400));
        emulator.faults().listGone(listId);
        assertThatThrownBy(() -> client.updateCustomerList(listId, Operation.ADD, List.of("a@b.co")))
                .isInstanceOf(PinterestAccessException.class);
        assertThat(patches()).hasSize(2);
    }

    @Test
    void writesArePacedByTheRateLimiterReadsAreNot() {
        PinterestClient client = client(1, Duration.ZERO, Duration.ofSeconds(5), 600); // one write every 100 ms
        for (int i = 0; i < 5; i++) {
            client.updateCustomerList(listId, Operation.ADD, List.of("u" + i + "@b.co"));
        }
        List<RecordedCall> calls = patches();
        Duration span = Duration.between(calls.get(0).at(), calls.get(4).at());
        assertThat(span).as("4 gaps of at least ~100 ms").isGreaterThanOrEqualTo(Duration.ofMillis(360));
        for (int i = 0; i < 5; i++) {
            client.getCustomerList(listId);
        }
        assertThat(emulator.calls()).hasSize(10);
    }

    @Test
    void noRetryIsWaitedForWhenTheProcessIsShuttingDown() {
        emulator.faults().failWrites(5, 503);
        stopping.set(true);
        assertThatThrownBy(() -> client(5, Duration.ofSeconds(30), Duration.ofSeconds(5), 60_000)
                .updateCustomerList(listId, Operation.ADD, List.of("a@b.co")))
                .isInstanceOfSatisfying(PinterestApiException.class, e -> assertThat(e.attempts()).isEqualTo(1));
    }

    @Test
    void everyAnswerIsReportedByStatusAndNoAnswerAsZero() {
        emulator.faults().failWrites(1, 503).dropWrites(1);
        client(5, Duration.ofSeconds(30), Duration.ofSeconds(5), 60_000).updateCustomerList(listId, Operation.ADD, List.of("a@b.co"));
        assertThat(statuses).containsExactly(503, 0, 200);
    }

    @Test
    void aCreateIsAWriteToo() {
        emulator.faults().failWrites(1, 502);
        CustomerList list = client(3, Duration.ofSeconds(30), Duration.ofSeconds(5), 60_000)
                .createCustomerList("New", IdentifierType.EMAIL, List.of("a@b.co"));
        assertThat(emulator.members(list.id())).containsExactly("a@b.co");
    }
}
