package io.audiencesync.routes;

import io.audiencesync.config.RetrySettings;
import io.audiencesync.pinterest.Call;
import io.audiencesync.pinterest.CustomerList;
import io.audiencesync.pinterest.PinterestAccessException;
import io.audiencesync.pinterest.PinterestApiException;
import io.audiencesync.pinterest.PinterestClient;
import io.audiencesync.pinterest.TokenProvider;
import io.audiencesync.emulator.PinterestEmulator;
import io.audiencesync.emulator.RecordedCall;
import io.audiencesync.plan.Operation;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.EndpointInject;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.builder.AdviceWithRouteBuilder;
import org.apache.camel.builder.NotifyBuilder;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.component.properties.PropertiesComponent;
import org.apache.camel.test.main.junit5.AdviceRouteMapping;
import org.apache.camel.test.main.junit5.CamelMainTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The {@code pinterest} route as Camel runs it (camel-main, the route file from the jar), against the emulator over
 * loopback HTTP: what is tried again and when, Retry-After, the 401 refresh, the write throttle and the header filter.
 * Every try of a call is counted by a mock endpoint woven in front of the HTTP route.
 */
@CamelMainTest(advices = @AdviceRouteMapping(route = "pinterest-http", advice = PinterestRouteTest.CountTries.class),
        properties = {
                "camel.main.routes-include-pattern=classpath:routes/pinterest.camel.yaml",
                // this test's beans in place of the sync's (application.properties names SyncConfiguration)
                "camel.main.configuration-classes=io.audiencesync.routes.PinterestRouteTest$Beans",
                "pinterest.retry-base-delay-ms=100",
                "pinterest.retry-max-delay-ms=1000"})
public class PinterestRouteTest {

    /** Four tries, 30 s of budget, at most 600 writes a minute (one every 100 ms). */
    static final RetrySettings RETRY = new RetrySettings(4, Duration.ofSeconds(30), Duration.ofMillis(100),
            Duration.ofMillis(1000), 600);
    static final List<Integer> STATUSES = new CopyOnWriteArrayList<>();
    static final AtomicReference<PinterestEmulator> EMULATOR = new AtomicReference<>();
    /** The token the route sends: a stale one until the refresh, as after a token's expiry. */
    static final AtomicReference<String> TOKEN = new AtomicReference<>();

    /** The beans and the emulator's address, as the sync's configuration binds them. */
    public static class Beans implements CamelConfiguration {
        @Override
        public void configure(CamelContext context) {
            PinterestEmulator emulator = PinterestEmulator.builder().port(0).start();
            EMULATOR.set(emulator);
            ((PropertiesComponent) context.getPropertiesComponent()).addOverrideProperty("pinterest.api-url",
                    emulator.baseUrl());
            PinterestRoute.configure(context, new Refreshing(), new PinterestClient.Options(Duration.ofSeconds(2),
                    Duration.ofSeconds(5), RETRY, STATUSES::add, () -> false));
        }
    }

    /** Sees every request as camel-http gets it (each redelivery runs the whole pinterest-http route again). */
    public static class CountTries extends AdviceWithRouteBuilder {
        @Override
        public void configure() {
            weaveById("pinterest-request").before().to("mock:tries");
        }
    }

    static final class Refreshing implements TokenProvider {
        @Override
        public String accessToken() {
            return TOKEN.get();
        }

        @Override
        public Optional<String> refreshAfterUnauthorized(String rejected) {
            TOKEN.set(PinterestEmulator.DEFAULT_ACCESS_TOKEN);
            return Optional.of(PinterestEmulator.DEFAULT_ACCESS_TOKEN);
        }

        @Override
        public Expiry expiry() {
            return new Expiry("test tokens", true, null, null);
        }
    }

    @org.apache.camel.BeanInject
    public CamelContext context;
    @EndpointInject("mock:tries")
    public MockEndpoint tries;
    private ProducerTemplate template;
    private PinterestClient client;
    private String listId;

    @BeforeEach
    void start() {
        TOKEN.set(PinterestEmulator.DEFAULT_ACCESS_TOKEN);
        STATUSES.clear();
        client = new PinterestClient(context.getRegistry().lookupByNameAndType("pinterestRoute", PinterestRoute.class),
                PinterestEmulator.DEFAULT_AD_ACCOUNT_ID);
        listId = emulator().seedCustomerList(PinterestEmulator.DEFAULT_AD_ACCOUNT_ID, "L", "EMAIL", List.of());
        template = context.createProducerTemplate();
    }

    @AfterEach
    void stop() {
        emulator().close();
    }

    private static PinterestEmulator emulator() {
        return EMULATOR.get();
    }

    private List<RecordedCall> patches() {
        return emulator().calls().stream().filter(c -> c.method().equals("PATCH")).toList();
    }

    @Test
    void aServerErrorIsRedeliveredWithExponentialBackoff() throws Exception {
        emulator().faults().failWrites(2, 503);
        tries.expectedMessageCount(3);
        NotifyBuilder done = new NotifyBuilder(context).fromRoute("pinterest").whenCompleted(1).create();
        client.updateCustomerList(listId, Operation.ADD, List.of("a@b.co"));
        assertThat(done.matches(5, TimeUnit.SECONDS)).isTrue();
        tries.assertIsSatisfied();
        assertThat(patches()).extracting(RecordedCall::status).containsExactly(503, 503, 200);
        Duration first = gap(0), second = gap(1);
        // 100 ms within Camel's collision avoidance (±15 %); then Camel doubles the delay it actually waited, and
        // varies that by ±15 % again: at least 200 × 0.85 × 0.85 = 144.5 ms, always more than the first.
        assertThat(first).isBetween(Duration.ofMillis(80), Duration.ofMillis(180));
        assertThat(second).isGreaterThanOrEqualTo(Duration.ofMillis(144)).isGreaterThan(first);
        assertThat(emulator().members(listId)).containsExactly("a@b.co");
        assertThat(STATUSES).containsExactly(503, 503, 200);
    }

    @Test
    void triesAreBoundedByMaxAttemptsAndCountedOnTheFailure() throws Exception {
        emulator().faults().failWrites(10, 500);
        tries.expectedMessageCount(4);
        assertThatThrownBy(() -> client.updateCustomerList(listId, Operation.ADD, List.of("a@b.co")))
                .isInstanceOfSatisfying(PinterestApiException.class, e -> {
                    assertThat(e.status()).isEqualTo(500);
                    assertThat(e.attempts()).isEqualTo(4);
                });
        tries.assertIsSatisfied();
    }

    @Test
    void aRetryAfterIsWaitedForInFull() throws Exception {
        emulator().faults().throttleWrites(1, Duration.ofSeconds(1));
        tries.expectedMessageCount(2);
        client.updateCustomerList(listId, Operation.ADD, List.of("a@b.co"));
        tries.assertIsSatisfied();
        assertThat(gap(0)).isGreaterThanOrEqualTo(Duration.ofMillis(950));
    }

    @Test
    void a401IsTriedOnceMoreWithARefreshedToken() throws Exception {
        TOKEN.set("stale-token");
        tries.expectedMessageCount(2);
        tries.message(0).header("Authorization").isEqualTo("Bearer stale-token");
        tries.message(1).header("Authorization").isEqualTo("Bearer " + PinterestEmulator.DEFAULT_ACCESS_TOKEN);
        client.updateCustomerList(listId, Operation.ADD, List.of("a@b.co"));
        tries.assertIsSatisfied();
        assertThat(patches()).extracting(RecordedCall::status).containsExactly(401, 200);
    }

    @Test
    void aRefreshedTokenThatIsStillRefusedStopsTheCall() throws Exception {
        emulator().faults().unauthorized(5);
        tries.expectedMessageCount(2);
        assertThatThrownBy(() -> client.updateCustomerList(listId, Operation.ADD, List.of("a@b.co")))
                .isInstanceOfSatisfying(PinterestAccessException.class, e -> assertThat(e.status()).isEqualTo(401));
        tries.assertIsSatisfied();
    }

    @Test
    void refusalsAreNotRedelivered() throws Exception {
        emulator().faults().refuseValues(List.of("bad@b.co"));
        tries.expectedMessageCount(1);
        assertThatThrownBy(() -> client.updateCustomerList(listId, Operation.ADD, List.of("bad@b.co")))
                .isInstanceOfSatisfying(PinterestApiException.class, e -> assertThat(e.status()).isEqualTo(400));
        tries.assertIsSatisfied();
    }

    @Test
    void writesAreThrottledReadsAreNot() throws Exception {
        for (int i = 0; i < 5; i++) {
            client.updateCustomerList(listId, Operation.ADD, List.of("u" + i + "@b.co"));
        }
        List<RecordedCall> writes = patches();
        assertThat(Duration.between(writes.get(0).at(), writes.get(4).at())).as("4 gaps of ~100 ms")
                .isGreaterThanOrEqualTo(Duration.ofMillis(360));
        Instant before = Instant.now();
        for (int i = 0; i < 5; i++) {
            client.getCustomerList(listId);
        }
        assertThat(Duration.between(before, Instant.now())).isLessThan(Duration.ofMillis(360));
    }

    @Test
    void headersOfTheExchangeNeverReachTheWire() throws Exception {
        tries.expectedMessageCount(1);
        Call call = client.updateCustomerListCall(listId, Operation.ADD, PinterestClient.Records.of(List.of("a@b.co")));
        Exchange done = template.send("direct:pinterest", exchange -> {
            exchange.setProperty(PinterestCalls.CALL, call);
            exchange.getMessage().setHeader("CamelFileName", "day1.csv");
            exchange.getMessage().setHeader("email", "a@b.co");
        });
        assertThat(done.getException()).isNull();
        assertThat(done.getMessage().getBody()).isInstanceOf(CustomerList.class);
        tries.assertIsSatisfied();
        // The filter is what camel-http consults for every header it would send.
        PinterestHeaders filter = context.getRegistry().lookupByNameAndType("pinterestHeaders", PinterestHeaders.class);
        Exchange sent = tries.getReceivedExchanges().get(0);
        assertThat(sent.getMessage().getHeaders().keySet()).contains("CamelFileName", "email");
        assertThat(sent.getMessage().getHeaders().keySet().stream()
                .filter(name -> !filter.applyFilterToCamelHeaders(name, null, sent)))
                .containsExactlyInAnyOrder("Authorization", "Accept", "User-Agent");
    }

    /** The time between the i-th and the next request as camel-http got them. */
    private Duration gap(int i) {
        List<Exchange> received = tries.getReceivedExchanges();
        return Duration.ofMillis(arrival(received.get(i + 1)) - arrival(received.get(i)));
    }

    private static long arrival(Exchange exchange) {
        return exchange.getProperty(Exchange.RECEIVED_TIMESTAMP, 0L, Long.class);
    }
}
