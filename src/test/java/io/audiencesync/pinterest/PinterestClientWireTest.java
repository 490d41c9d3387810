package io.audiencesync.pinterest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.audiencesync.config.RetrySettings;
import io.audiencesync.identity.IdentifierType;
import io.audiencesync.plan.Operation;
import io.audiencesync.routes.PinterestRoute;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What exactly goes on the wire: captured by a bare HTTP server on loopback, not by the emulator. */
class PinterestClientWireTest {

    /** Each client calls through a pinterest route of its own; all are stopped after the test. */
    private final List<PinterestRoute.Standalone> routes = new java.util.concurrent.CopyOnWriteArrayList<>();

    private PinterestClient standalone(URI api, String adAccountId, TokenProvider tokens, PinterestClient.Options options) {
        PinterestRoute.Standalone route = PinterestRoute.standalone(api, adAccountId, tokens, options);
        routes.add(route);
        return route.client();
    }

    record Captured(String method, String path, Map<String, List<String>> headers, String body) {
    }

    /** One try, no pacing: these tests look at single calls on the wire. */
    private static final PinterestClient.Options OPTIONS = new PinterestClient.Options(Duration.ofSeconds(5),
            Duration.ofSeconds(5), new RetrySettings(1, Duration.ZERO, Duration.ofMillis(1), Duration.ofMillis(1), 60_000),
            status -> { }, () -> false);

    private final List<Captured> captured = new CopyOnWriteArrayList<>();
    private final List<String> answers = new ArrayList<>();
    private int status = 200;
    private HttpServer server;
    private PinterestClient client;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            exchange.getRequestHeaders().forEach(headers::put);
            captured.add(new Captured(exchange.getRequestMethod(), exchange.getRequestURI().toString(), headers,
                    new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)));
            byte[] answer = (answers.isEmpty() ? "{\"id\":\"123\",\"name\":\"n\"}" : answers.remove(0)).getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("x-pinterest-rid", "rid-" + captured.size());
            exchange.sendResponseHeaders(status, answer.length);
            exchange.getResponseBody().write(answer);
            exchange.close();
        });
        server.start();
        client = standalone(URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/v5"), "549755885175",
                TokenProvider.fixed("secret-token"), OPTIONS);
    }

    @AfterEach
    void stop() {
        routes.forEach(PinterestRoute.Standalone::close);
        server.stop(0);
    }

    @Test
    void anUpdateIsAPatchWithOperationTypeAndOneCommaSeparatedRecordsString() throws IOException {
        client.updateCustomerList("777", Operation.REMOVE, List.of("a1", "b2", "c3"));
        Captured call = captured.get(0);
        assertThat(call.method()).isEqualTo("PATCH");
        assertThat(call.path()).isEqualTo("/v5/ad_accounts/549755885175/customer_lists/777");
        JsonNode body = new ObjectMapper().readTree(call.body());
        assertThat(body.properties()).extracting(Map.Entry::getKey).containsExactly("operation_type", "records");
        assertThat(body.get("operation_type").asText()).isEqualTo("REMOVE");
        assertThat(body.get("records").asText()).isEqualTo("a1,b2,c3");
    }

    @Test
    void recordsAreOneStringWhateverTheCharactersAndNeverCorruptTheBody() throws IOException {
        // The fast path copies plain ASCII; anything JSON must escape, or that is not ASCII, goes through Jackson.
        List<String> plain = List.of("e3b0c44298fc1c149afbf4c8996fb924", "jane.o'neil+ads@example.com", "~!#$%&*");
        List<String> escaped = List.of("quote\"d", "back\\slash", "tab\there", "caf\u00e9@example.com", "\ud83d\ude00");
        client.updateCustomerList("777", Operation.ADD, plain);
        client.updateCustomerList("777", Operation.ADD, escaped);
        client.createCustomerList("Customer List-\"Users\" 1", IdentifierType.EMAIL, escaped);
        assertThat(new ObjectMapper().readTree(captured.get(0).body()).get("records").asText()).isEqualTo(String.join(",", plain));
        assertThat(new ObjectMapper().readTree(captured.get(1).body()).get("records").asText()).isEqualTo(String.join(",", escaped));
        JsonNode create = new ObjectMapper().readTree(captured.get(2).body());
        assertThat(create.get("records").asText()).isEqualTo(String.join(",", escaped));
        assertThat(create.get("name").asText()).isEqualTo("Customer List-\"Users\" 1");
    }

    @Test
    void aCreateCarriesNameRecordsAndListType() throws IOException {
        client.createCustomerList("Customer List-Users 1", IdentifierType.MAID, List.of("x"));
        Captured call = captured.get(0);
        assertThat(call.method()).isEqualTo("POST");
        assertThat(call.path()).isEqualTo("/v5/ad_accounts/549755885175/customer_lists");
        JsonNode body = new ObjectMapper().readTree(call.body());
        assertThat(body.properties()).extracting(Map.Entry::getKey).containsExactlyInAnyOrder("name", "records", "list_type");
        assertThat(body.get("list_type").asText()).isEqualTo("MAID");
    }

    @Test
    void a2xxAnswerThatIsNotJsonFailsOnceWithTheRequestIdAndNoContent() {
        answers.add("<html>proxy login for jane@example.com</html>");
        assertThatThrownBy(() -> client.getCustomerList("777"))
                .isExactlyInstanceOf(PinterestApiException.class)
                .hasMessageContaining("unreadable answer")
                .hasMessageNotContaining("jane@example.com")
                .extracting(e -> ((PinterestApiException) e).requestId()).isEqualTo("rid-1");
        assertThat(captured).as("a 2xx is not retried, whatever its body").hasSize(1);
    }

    @Test
    void anAudienceWrapsTheListThroughItsRule() throws IOException {
        client.createAudience("Audience-Users 1", "777", "why");
        JsonNode body = new ObjectMapper().readTree(captured.get(0).body());
        assertThat(body.get("audience_type").asText()).isEqualTo("CUSTOMER_LIST");
        assertThat(body.get("rule").get("customer_list_id").asText()).isEqualTo("777");
        assertThat(body.get("name").asText()).isEqualTo("Audience-Users 1");
    }

    @Test
    void onlyTheHeadersThisClientSetsGoOnTheWire() {
        client.updateCustomerList("777", Operation.ADD, List.of("a1"));
        Map<String, List<String>> headers = captured.get(0).headers();
        assertThat(headers.get("Authorization")).containsExactly("Bearer secret-token");
        assertThat(headers.get("Content-Type")).containsExactly("application/json");
        assertThat(headers.keySet()).allSatisfy(name -> assertThat(name.toLowerCase())
                .isIn("authorization", "content-type", "accept", "user-agent", "host", "content-length", "connection"));
    }

    @Test
    void listingFollowsTheBookmarkToTheLastPage() {
        answers.add("{\"items\":[{\"id\":\"1\",\"name\":\"a\"}],\"bookmark\":\"b+/2=\"}");
        answers.add("{\"items\":[{\"id\":\"2\",\"name\":\"b\"}],\"bookmark\":null}");
        assertThat(client.listCustomerLists()).extracting(CustomerList::id).containsExactly("1", "2");
        assertThat(captured.get(0).path()).endsWith("/customer_lists?page_size=250");
        assertThat(captured.get(1).path()).endsWith("/customer_lists?page_size=250&bookmark=b%2B%2F2%3D");
    }

    @Test
    void theAdAccountsAreListedFromEveryPageAndNeedNoAdAccountOfTheClients() {
        PinterestClient withoutAccount = standalone(URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/v5"),
                null, TokenProvider.fixed("secret-token"), OPTIONS);
        answers.add("{\"items\":[{\"id\":\"1\",\"name\":\"Shop\",\"owner\":{\"username\":\"me\"},"
                + "\"permissions\":[\"OWNER\"]}],\"bookmark\":\"b+/2=\"}");
        answers.add("{\"items\":[{\"id\":\"2\"}],\"bookmark\":null}");
        List<AdAccount> accounts = withoutAccount.listAdAccounts();
        assertThat(accounts).extracting(AdAccount::id).containsExactly("1", "2");
        assertThat(accounts.get(0).name()).isEqualTo("Shop");
        assertThat(accounts.get(1).name()).isNull();
        assertThat(captured.get(0).method()).isEqualTo("GET");
        assertThat(captured.get(0).path()).isEqualTo("/v5/ad_accounts?page_size=250");
        assertThat(captured.get(1).path()).isEqualTo("/v5/ad_accounts?page_size=250&bookmark=b%2B%2F2%3D");
        assertThat(captured.get(0).headers().get("authorization")).containsExactly("Bearer secret-token");
    }

    @Test
    void refusalsCarryStatusCodeMessageAndRequestIdButNeverTheToken() {
        status = 400;
        answers.add("{\"code\":1,\"message\":\"Invalid parameters\"}");
        assertThatThrownBy(() -> client.updateCustomerList("777", Operation.ADD, List.of("a1")))
                .isExactlyInstanceOf(PinterestApiException.class)
                .hasMessage("PATCH customer list 777 ADD: Pinterest answered HTTP 400 code 1: Invalid parameters (request id rid-1)")
                .hasMessageNotContaining("secret-token");
    }

    /** Hands out "token-N"; a refresh moves to the next one. Counts the refreshes. */
    private static final class CountingTokens implements TokenProvider {
        int refreshes;
        final boolean refreshable;

        CountingTokens(boolean refreshable) {
            this.refreshable = refreshable;
        }

        @Override
        public synchronized String accessToken() {
            return "token-" + refreshes;
        }

        @Override
        public synchronized java.util.Optional<String> refreshAfterUnauthorized(String rejected) {
            if (!refreshable) {
                return java.util.Optional.empty();
            }
            refreshes++;
            return java.util.Optional.of(accessToken());
        }

        @Override
        public Expiry expiry() {
            return new Expiry(refreshable ? "test file" : "pinterest.access-token", refreshable, null, null);
        }
    }

    private PinterestClient clientWith(TokenProvider tokens) {
        return standalone(URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/v5"), "549755885175",
                tokens, OPTIONS);
    }

    @Test
    void a401IsRetriedOnceWithARefreshedTokenAndTheSameBody() {
        CountingTokens tokens = new CountingTokens(true);
        PinterestClient refreshing = clientWith(tokens);
        // The first call is refused, the retry succeeds.
        server.removeContext("/");
        server.createContext("/", exchange -> {
            Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            exchange.getRequestHeaders().forEach(headers::put);
            captured.add(new Captured(exchange.getRequestMethod(), exchange.getRequestURI().toString(), headers,
                    new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)));
            int code = captured.size() == 1 ? 401 : 200;
            byte[] answer = (code == 401 ? "{\"code\":2,\"message\":\"Authentication failed.\"}" : "{\"id\":\"777\"}")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(code, answer.length);
            exchange.getResponseBody().write(answer);
            exchange.close();
        });

        refreshing.updateCustomerList("777", Operation.ADD, List.of("a1", "b2"));

        assertThat(captured).hasSize(2);
        assertThat(tokens.refreshes).isEqualTo(1);
        assertThat(captured.get(0).headers().get("Authorization")).containsExactly("Bearer token-0");
        assertThat(captured.get(1).headers().get("Authorization")).containsExactly("Bearer token-1");
        assertThat(captured.get(1).method()).isEqualTo("PATCH");
        assertThat(captured.get(1).body()).isEqualTo(captured.get(0).body());
    }

    @Test
    void aSecond401AfterTheRefreshIsAnAccessErrorAndThereIsNoThirdCall() {
        CountingTokens tokens = new CountingTokens(true);
        status = 401;
        answers.add("{\"code\":2,\"message\":\"Authentication failed.\"}");
        answers.add("{\"code\":3,\"message\":\"Insufficient scope\"}");
        assertThatThrownBy(() -> clientWith(tokens).getCustomerList("777"))
                .isInstanceOf(PinterestAccessException.class)
                .hasMessageContaining("code 3")
                .satisfies(e -> assertThat(((PinterestAccessException) e).advice()).contains("even after a refresh")
                        .contains("auth"));
        assertThat(captured).hasSize(2);
        assertThat(tokens.refreshes).isEqualTo(1);
    }

    @Test
    void aTokenThatCannotBeRefreshedStopsAtTheFirst401AndTheAdviceNamesItsSetting() {
        CountingTokens tokens = new CountingTokens(false);
        status = 401;
        answers.add("{\"code\":2,\"message\":\"Authentication failed.\"}");
        assertThatThrownBy(() -> clientWith(tokens).getCustomerList("777"))
                .isInstanceOf(PinterestAccessException.class)
                .satisfies(e -> assertThat(((PinterestAccessException) e).advice()).contains("pinterest.access-token")
                        .contains("run 'pinterest-audience-sync auth'"));
        assertThat(captured).hasSize(1);
    }

    @Test
    void theAdAccountIsReadFromItsOwnPath() {
        answers.add("{\"id\":\"549755885175\",\"name\":\"Shop\",\"owner\":{\"username\":\"me\"},\"country\":\"US\","
                + "\"currency\":\"USD\"}");
        AdAccount account = client.getAdAccount();
        assertThat(captured.get(0).path()).isEqualTo("/v5/ad_accounts/549755885175");
        assertThat(account.name()).isEqualTo("Shop");
        assertThat(account.owner().username()).isEqualTo("me");
    }

    @Test
    void accessErrorsAreTheirOwnKind() {
        for (int s : new int[] {401, 403, 404}) {
            status = s;
            answers.add("{\"code\":2,\"message\":\"Authentication failed.\"}");
            assertThatThrownBy(() -> client.getCustomerList("777")).isInstanceOf(PinterestAccessException.class)
                    .satisfies(e -> assertThat(((PinterestAccessException) e).status()).isEqualTo(s));
        }
    }
}
