package io.audiencesync.pinterest;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonGenerator;
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
import io.audiencesync.records.WireRecords;

import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.IntConsumer;

/**
 * The Pinterest API v5 calls this tool makes, with the wire format of Pinterest's OpenAPI description:
 * JSON bodies, {@code records} as ONE comma-separated string. Each is made by the {@code pinterest} route
 * ({@link Calls}), which sends it, retries it and refreshes the token. Thread-safe; callers serialize writes
 * to one customer list.
 */
public final class PinterestClient {

    /** How bodies are written and read: Pinterest's snake_case names, unknown answer fields ignored. */
    public static final ObjectMapper JSON = JsonMapper.builder()
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .serializationInclusion(JsonInclude.Include.NON_NULL)
            .build();
    private static final int PAGE_SIZE = 250;

    private final Calls calls;
    private final String adAccountId;

    /**
     * How the route talks: timeouts, retries, a listener told the HTTP status of every answer (0 when none
     * came, for the metrics) and a signal that the process is shutting down (no retry is waited for then).
     */
    public record Options(Duration connectTimeout, Duration requestTimeout, RetrySettings retry, IntConsumer onStatus,
                          BooleanSupplier stopping) {
    }

    public PinterestClient(Calls calls, String adAccountId) {
        this.calls = calls;
        this.adAccountId = adAccountId;
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

    /**
     * {@code GET /ad_accounts}: every ad account the token can use (its own and those shared with it), following
     * {@code bookmark} until the last page. Needs no ad account of this client's.
     */
    public List<AdAccount> listAdAccounts() {
        return allPages("GET ad accounts", "ad_accounts", AdAccount.class);
    }

    /** {@code POST /ad_accounts/{id}/customer_lists}: a list cannot be created empty, so it comes with its first records. */
    public CustomerList createCustomerList(String name, IdentifierType listType, List<String> records) {
        return createCustomerList(name, listType, Records.of(records));
    }

    /** {@link #createCustomerList(String, IdentifierType, List)} with the records already joined. */
    public CustomerList createCustomerList(String name, IdentifierType listType, Records records) {
        return (CustomerList) calls.call(createCustomerListCall(name, listType, records));
    }

    /** The create call, for a route to make; its answer is the {@link CustomerList}. */
    public Call createCustomerListCall(String name, IdentifierType listType, Records records) {
        requireRecords(records);
        return new Call("POST customer list", "POST", accountPath("customer_lists"), null,
                new CreateListBody(name, records, listType), CustomerList.class);
    }

    /** {@code PATCH /ad_accounts/{id}/customer_lists/{list}} with ADD or REMOVE. */
    public CustomerList updateCustomerList(String customerListId, Operation operation, List<String> records) {
        return updateCustomerList(customerListId, operation, Records.of(records));
    }

    /** {@link #updateCustomerList(String, Operation, List)} with the records already joined. */
    public CustomerList updateCustomerList(String customerListId, Operation operation, Records records) {
        return (CustomerList) calls.call(updateCustomerListCall(customerListId, operation, records));
    }

    /** The ADD or REMOVE call, for a route to make; its answer is the {@link CustomerList}. */
    public Call updateCustomerListCall(String customerListId, Operation operation, Records records) {
        requireRecords(records);
        return new Call("PATCH customer list " + customerListId + " " + operation, "PATCH",
                accountPath("customer_lists/" + digits(customerListId)), null,
                new UpdateListBody(operation, records), CustomerList.class);
    }

    public CustomerList getCustomerList(String customerListId) {
        return send("GET customer list " + customerListId, "GET",
                accountPath("customer_lists/" + digits(customerListId)), null, CustomerList.class);
    }

    /** Every customer list of the ad account, following {@code bookmark} until the last page. */
    public List<CustomerList> listCustomerLists() {
        return allPages("GET customer lists", accountPath("customer_lists"), CustomerList.class);
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
        return allPages("GET audiences", accountPath("audiences"), Audience.class);
    }

    private <T> List<T> allPages(String call, String path, Class<T> type) {
        List<T> items = new ArrayList<>();
        String bookmark = null;
        do {
            String query = "page_size=" + PAGE_SIZE
                    + (bookmark == null ? "" : "&bookmark=" + URLEncoder.encode(bookmark, StandardCharsets.UTF_8));
            JsonNode page = (JsonNode) calls.call(new Call(call, "GET", path, query, null, JsonNode.class));
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
        return answerType.cast(calls.call(new Call(call, method, path, null, body, answerType)));
    }

    private static void requireRecords(Records records) {
        if (records.count() == 0) {
            throw new IllegalArgumentException("a customer list call needs at least one value");
        }
    }

    private static String digits(String id) {
        if (id == null || !id.matches("\\d{1,18}")) {
            throw new IllegalArgumentException("Pinterest ids are 1-18 digits");
        }
        return id;
    }
}
