package io.audiencesync.pinterest;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import io.audiencesync.config.RetrySettings;
import io.audiencesync.identity.IdentifierType;
import io.audiencesync.plan.Operation;
import io.audiencesync.plan.WireRecords;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.IntConsumer;

/**
 * The Pinterest API v5 calls this tool makes, with the wire format of Pinterest's OpenAPI description:
 * JSON bodies, {@code records} as ONE comma-separated string, {@code Authorization: Bearer}. Only the
 * headers set here go on the wire. A 401 gets one retry after the {@link TokenProvider} refreshed the token.
 * Thread-safe; callers serialize writes to one customer list.
 */
public final class PinterestClient {

    private static final Logger LOG = LoggerFactory.getLogger(PinterestClient.class);

    static final ObjectMapper JSON = JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .serializationInclusion(JsonInclude.Include.NON_NULL)
            .build();
    private static final int PAGE_SIZE = 250;
    private static final String USER_AGENT = "pinterest-audience-sync";

    private final URI apiUrl;
    private final String adAccountId;
    private final TokenProvider tokens;
    private final HttpClient http;
    private final Duration requestTimeout;
    private final CallPolicy policy;
    private final IntConsumer onStatus;

    /**
     * How the client talks: timeouts, retries, a listener told the HTTP status of every answer (0 when none
     * came, for the metrics) and a signal that the process is shutting down (no retry is waited for then).
     */
    public record Options(Duration connectTimeout, Duration requestTimeout, RetrySettings retry, IntConsumer onStatus,
                          BooleanSupplier stopping) {
    }

    public PinterestClient(URI apiUrl, String adAccountId, TokenProvider tokens, Options options) {
        String base = apiUrl.toString();
        this.apiUrl = URI.create(base.endsWith("/") ? base : base + "/");
        this.adAccountId = adAccountId;
        this.tokens = tokens;
        this.requestTimeout = options.requestTimeout();
        this.policy = new CallPolicy(options.retry(), Clock.systemUTC(), options.stopping());
        this.onStatus = options.onStatus();
        // Plain http (the emulator) gets HTTP/1.1: no h2c upgrade headers on the wire. TLS negotiates HTTP/2.
        this.http = HttpClient.newBuilder()
                .version("http".equals(this.apiUrl.getScheme()) ? HttpClient.Version.HTTP_1_1 : HttpClient.Version.HTTP_2)
                .connectTimeout(options.connectTimeout())
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    public String adAccountId() {
        return adAccountId;
    }

    record CreateListBody(String name, Records records, IdentifierType listType) {
    }

    record UpdateListBody(Operation operationType, Records records) {
    }

    /**
     * The {@code records} field: ONE string, the values joined by commas, held as UTF-8 bytes. A batch is hundreds
     * of kilobytes, so bytes that need no JSON escape (printable ASCII other than {@code "} and {@code \\}) are
     * copied straight into the request body; any other byte makes Jackson write and escape the string instead.
     *
     * @param utf8     the values joined by commas
     * @param count    how many values they are
     * @param jsonSafe whether every byte is one that needs no escape (the caller knows: hex digests are)
     */
    @JsonSerialize(using = Records.Writer.class)
    public record Records(byte[] utf8, int count, boolean jsonSafe) {

        /** Records whose bytes are looked at to know whether any needs an escape. */
        public Records(byte[] utf8, int count) {
            this(utf8, count, WireRecords.jsonSafe(utf8, 0, utf8.length));
        }

        public static Records of(List<String> values) {
            return new Records(String.join(",", values).getBytes(StandardCharsets.UTF_8), values.size());
        }

        static final class Writer extends StdSerializer<Records> {
            Writer() {
                super(Records.class);
            }

            @Override
            public void serialize(Records records, JsonGenerator out, SerializerProvider provider) throws IOException {
                if (records.jsonSafe) {
                    out.writeRawUTF8String(records.utf8, 0, records.utf8.length);
                } else {
                    out.writeString(new String(records.utf8, StandardCharsets.UTF_8));
                }
            }
        }
    }

    record CreateAudienceBody(String name, String audienceType, Audience.Rule rule, String description) {
    }

    /** {@code GET /ad_accounts/{id}}: the account the token works on; a token without access to it gets 403/404. */
    public AdAccount getAdAccount() {
        return send("GET ad account " + adAccountId, "GET", "ad_accounts/" + digits(adAccountId), null, AdAccount.class);
    }

    /** {@code POST /ad_accounts/{id}/customer_lists}: a list cannot be created empty, so it comes with its first records. */
    public CustomerList createCustomerList(String name, IdentifierType listType, List<String> records) {
        return createCustomerList(name, listType, Records.of(records));
    }

    /** {@link #createCustomerList(String, IdentifierType, List)} with the records already joined. */
    public CustomerList createCustomerList(String name, IdentifierType listType, Records records) {
        requireRecords(records);
        return send("POST customer list", "POST", accountPath("customer_lists"),
                new CreateListBody(name, records, listType), CustomerList.class);
    }

    /** {@code PATCH /ad_accounts/{id}/customer_lists/{list}} with ADD or REMOVE. */
    public CustomerList updateCustomerList(String customerListId, Operation operation, List<String> records) {
        return updateCustomerList(customerListId, operation, Records.of(records));
    }

    /** {@link #updateCustomerList(String, Operation, List)} with the records already joined. */
    public CustomerList updateCustomerList(String customerListId, Operation operation, Records records) {
        requireRecords(records);
        return send("PATCH customer list " + customerListId + " " + operation, "PATCH",
                accountPath("customer_lists/" + digits(customerListId)),
                new UpdateListBody(operation, records), CustomerList.class);
    }

    public CustomerList getCustomerList(String customerListId) {
        return send("GET customer list " + customerListId, "GET",
                accountPath("customer_lists/" + digits(customerListId)), null, CustomerList.class);
    }

    /** Every customer list of the ad account, following {@code bookmark} until the last page. */
    public List<CustomerList> listCustomerLists() {
        return allPages("GET customer lists", "customer_lists", CustomerList.class);
    }

    public Audience createAudience(String name, String customerListId, String description) {
        return send("POST audience", "POST", accountPath("audiences"),
                new CreateAudienceBody(name, "CUSTOMER_LIST", new Audience.Rule(digits(customerListId)), description),
                Audience.class);
    }

    public Audience getAudience(String audienceId) {
        return send("GET audience " + audienceId, "GET", accountPath("audiences/" + digits(audienceId)), null,
                Audience.class);
    }

    /** Every audience the ad account owns, following {@code bookmark} until the last page. */
    public List<Audience> listAudiences() {
        return allPages("GET audiences", "audiences", Audience.class);
    }

    private <T> List<T> allPages(String call, String collection, Class<T> type) {
        List<T> items = new ArrayList<>();
        String bookmark = null;
        do {
            String query = "?page_size=" + PAGE_SIZE
                    + (bookmark == null ? "" : "&bookmark=" + URLEncoder.encode(bookmark, StandardCharsets.UTF_8));
            JsonNode page = send(call, "GET", accountPath(collection) + query, null, JsonNode.class);
            for (JsonNode item : page.path("items")) {
                items.add(JSON.convertValue(item, type));
            }
            JsonNode next = page.get("bookmark");
            bookmark = next == null || next.isNull() || next.asText().isEmpty() ? null : next.asText();
        } while (bookmark != null);
        return items;
    }

    private String accountPath(String rest) {
        return "ad_accounts/" + digits(adAccountId) + "/" + rest;
    }

    private <T> T send(String call, String method, String path, Object body, Class<T> answerType) {
        return policy.call(call, !"GET".equals(method), () -> sendOnce(call, method, path, body, answerType));
    }

    /** One try; a 401 is answered by one token refresh and one more call inside it. */
    private <T> T sendOnce(String call, String method, String path, Object body, Class<T> answerType) {
        byte[] json;
        try {
            json = body == null ? null : JSON.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write the request body for " + call, e);
        }
        String token = tokens.accessToken();
        HttpResponse<byte[]> response = exchange(call, method, path, json, token);
        String unrefreshable = null;
        if (response.statusCode() == 401) {
            Optional<String> refreshed = tokens.refreshAfterUnauthorized(token);
            if (refreshed.isPresent()) {
                LOG.info("{}: Pinterest answered 401; retrying once with a refreshed access token", call);
                response = exchange(call, method, path, json, refreshed.get());
            } else {
                unrefreshable = tokens.expiry().source();
            }
        }
        return answer(call, response, answerType, unrefreshable);
    }

    private HttpResponse<byte[]> exchange(String call, String method, String path, byte[] json, String token) {
        HttpRequest.Builder request = HttpRequest.newBuilder(apiUrl.resolve(path))
                .timeout(requestTimeout)
                .header("Authorization", "Bearer " + token)
                .header("Accept", "application/json")
                .header("User-Agent", USER_AGENT);
        if (json == null) {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            request.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofByteArray(json));
        }
        try {
            HttpResponse<byte[]> response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            onStatus.accept(response.statusCode());
            return response;
        } catch (IOException e) {
            onStatus.accept(0);
            throw new PinterestApiException(call, 0, null, e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()), null, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PinterestApiException(call, 0, null, "interrupted", null, e);
        }
    }

    private static <T> T answer(String call, HttpResponse<byte[]> response, Class<T> answerType, String unrefreshableSource) {
        String requestId = response.headers().firstValue("x-pinterest-rid").orElse(null);
        int status = response.statusCode();
        if (status / 100 == 2) {
            try {
                return JSON.readValue(response.body(), answerType);
            } catch (IOException e) {
                throw new PinterestApiException(call, status, null, "unreadable answer (" + e.getClass().getSimpleName() + ")",
                        requestId, e);
            }
        }
        ErrorBody error = ErrorBody.parse(response.body());
        Integer code = error.code();
        String message = error.message();
        if (status == 401 || status == 403 || status == 404) {
            throw new PinterestAccessException(call, status, code, message, requestId, unrefreshableSource);
        }
        throw new PinterestApiException(call, status, code, message, requestId,
                RetryAfter.from(response.headers(), Instant.now()), null);
    }

    private static void requireRecords(Records records) {
        if (records.count() == 0) {
            throw new IllegalArgumentException("a customer list call needs at least one record");
        }
    }

    private static String digits(String id) {
        if (id == null || !id.matches("\\d{1,18}")) {
            throw new IllegalArgumentException("Pinterest ids are 1-18 digits");
        }
        return id;
    }
}
