package io.audiencesync.emulator;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Routes, checks and answers every request; also keeps the call log and write counters. */
final class ApiHandler implements HttpHandler {

    private static final Logger LOG = LoggerFactory.getLogger(ApiHandler.class);
    /**
     * Exchange attribute marking a write the emulator answered late (a {@link Faults.Slow} fault): its client has
     * likely timed out and moved on, so the write may still land while the client's next one is in flight. Pinterest
     * would refuse whichever comes second with 429 code 8, and so does the emulator, but it counts the overlap in
     * {@link #lateWriteOverlaps()}, not as a client that failed to serialize its writes.
     */
    private static final String LATE = "io.audiencesync.emulator.late";

    static final Pattern ID = Pattern.compile("\\d{1,18}");
    private static final Set<String> AUDIENCE_TYPES = Set.of("CUSTOMER_LIST", "VISITOR", "ENGAGEMENT", "ACTALIKE",
            "PERSONA");
    /** The spec's AudienceRule, every audience type's fields. */
    private static final Set<String> AUDIENCE_RULE = Set.of("ad_account_id", "ad_id", "campaign_id", "country",
            "customer_list_id", "engagement_domain", "engagement_type", "engager_type", "event", "event_data",
            "event_source", "ingestion_source", "objective_type", "percentage", "pin_id", "prefill", "retention_days",
            "seed_id", "url", "visitor_source_id");
    private static final Set<String> CUSTOMER_LIST_RULE = Set.of("ad_account_id", "customer_list_id");

    private enum Route {
        AD_ACCOUNTS(null, false, "GET"),
        AD_ACCOUNT(null, false, "GET"),
        LISTS("customer_lists", false, "GET, POST"),
        LIST("customer_lists", true, "GET, PATCH"),
        AUDIENCES("audiences", false, "GET, POST"),
        AUDIENCE("audiences", true, "GET, PATCH");

        final String collection;
        final boolean item;
        final String methods;

        Route(String collection, boolean item, String methods) {
            this.collection = collection;
            this.item = item;
            this.methods = methods;
        }

        /** Segments of {@code /v5/ad_accounts[/{id}[/<collection>[/{id}]]]}, or null. */
        static Route match(String[] seg) {
            if (seg.length == 2 && seg[1].equals("ad_accounts")) {
                return AD_ACCOUNTS;
            }
            if (seg.length < 3 || seg.length > 5 || !seg[1].equals("ad_accounts")) {
                return null;
            }
            if (seg.length == 3) {
                return AD_ACCOUNT;
            }
            for (Route r : values()) {
                if (seg[3].equals(r.collection) && r.item == (seg.length == 5)) {
                    return r;
                }
            }
            return null;
        }

        boolean allows(String method) {
            return List.of(methods.split(", ")).contains(method);
        }
    }

    private final ObjectMapper mapper = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    /** What a request gets: JSON with a status, or a redirect (the authorize page's answer). */
    private record Reply(int status, JsonNode body, String location) {
        static Reply ok(JsonNode body) {
            return new Reply(200, body, null);
        }

        static Reply redirect(String location) {
            return new Reply(302, null, location);
        }
    }

    private final Store store;
    private final OAuthServer oauth;
    /** Id to name, of every ad account every token can use. */
    private final Map<String, String> adAccounts;
    private final long accountsCreated = Instant.now().getEpochSecond();
    private final int maxRecordsPerRequest;
    private final Duration writeDelay;
    private final List<RecordedCall> calls = new ArrayList<>();
    private final AtomicLong writeCalls = new AtomicLong();
    private final AtomicInteger concurrentWriteViolations = new AtomicInteger();
    private final AtomicInteger lateWriteOverlaps = new AtomicInteger();
    /** List id to whether the write holding its in-flight mark is a late one (see {@link #LATE}). */
    private final Map<String, Boolean> writesInFlight = new ConcurrentHashMap<>();
    private final Faults faults = new Faults();
    private final Admin admin;

    ApiHandler(Store store, OAuthServer oauth, Map<String, String> adAccounts, int maxRecordsPerRequest,
               Duration writeDelay) {
        this.store = store;
        this.oauth = oauth;
        this.adAccounts = Map.copyOf(adAccounts);
        this.admin = new Admin(mapper, store, faults);
        this.maxRecordsPerRequest = maxRecordsPerRequest;
        this.writeDelay = writeDelay;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        Instant at = Instant.now();
        String requestId = String.format("%016x", ThreadLocalRandom.current().nextLong());
        Faults.Fault fault = isWrite(exchange) ? faults.nextWriteFault() : readFault(exchange);
        if (fault instanceof Faults.Drop) {
            writeCalls.incrementAndGet();
            record(exchange, 0, requestId, at);
            // Closing an exchange before its headers are sent closes the connection: the client gets no answer.
            exchange.close();
            return;
        }
        if (fault instanceof Faults.Slow slow) {
            sleep(slow.delay());
            exchange.setAttribute(LATE, Boolean.TRUE);
        }
        Reply reply;
        String allow = null;
        java.time.Duration retryAfter = null;
        try {
            if (fault instanceof Faults.Answer answer) {
                if (isWrite(exchange)) {
                    writeCalls.incrementAndGet();
                }
                throw ApiException.injected(answer);
            }
            reply = dispatch(exchange);
        } catch (ApiException e) {
            reply = new Reply(e.status(), error(e.code(), e.getMessage()), null);
            allow = e.allow();
            retryAfter = e.retryAfter();
        } catch (RuntimeException e) {
            LOG.error("Emulator failed on {} {} (rid {})", exchange.getRequestMethod(),
                    exchange.getRequestURI().getRawPath(), requestId, e);
            reply = new Reply(500, error(500, "Internal emulator error."), null);
        }
        if (fault instanceof Faults.ApplyThenHold hold) {
            sleep(hold.delay());
        }
        int status = reply.status();
        record(exchange, status, requestId, at);
        Headers headers = exchange.getResponseHeaders();
        headers.set("x-pinterest-rid", requestId);
        if (allow != null) {
            headers.set("Allow", allow);
        }
        if (retryAfter != null) {
            headers.set("Retry-After", Long.toString(retryAfter.toSeconds()));
        }
        try (exchange) {
            if (reply.location() != null) {
                headers.set("Location", reply.location());
                exchange.sendResponseHeaders(status, -1);
                return;
            }
            byte[] bytes = mapper.writeValueAsBytes(reply.body());
            headers.set("Content-Type", "application/json");
            boolean head = exchange.getRequestMethod().equals("HEAD");
            exchange.sendResponseHeaders(status, head ? -1 : bytes.length);
            if (!head) {
                exchange.getResponseBody().write(bytes);
            }
        }
    }

    /** Recorded before answering so a client that has its answer always finds the call in calls(). */
    private void record(HttpExchange exchange, int status, String requestId, Instant at) {
        String query = exchange.getRequestURI().getRawQuery();
        String path = exchange.getRequestURI().getRawPath() + (query == null ? "" : "?" + query);
        synchronized (calls) {
            calls.add(new RecordedCall(exchange.getRequestMethod(), path, status, requestId, at));
        }
        LOG.debug("{} {} -> {} (rid {})", exchange.getRequestMethod(), path, status, requestId);
    }

    /** A fault queued for a GET of one customer list or audience ({@code /v5/ad_accounts/{id}/<kind>/{id}}). */
    private Faults.Fault readFault(HttpExchange exchange) {
        String[] seg = exchange.getRequestURI().getRawPath().split("/");
        if (!exchange.getRequestMethod().equals("GET") || seg.length != 6 || !seg[2].equals("ad_accounts")) {
            return null;
        }
        return Faults.READ_KINDS.contains(seg[4]) ? faults.nextReadFault(seg[4]) : null;
    }

    private static boolean isWrite(HttpExchange exchange) {
        String method = exchange.getRequestMethod();
        String path = exchange.getRequestURI().getRawPath();
        return (method.equals("POST") || method.equals("PATCH")) && path.startsWith("/v5/ad_accounts/");
    }

    private static void sleep(java.time.Duration delay) {
        try {
            Thread.sleep(delay.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    Faults faults() {
        return faults;
    }

    List<RecordedCall> calls() {
        synchronized (calls) {
            return List.copyOf(calls);
        }
    }

    long writeCalls() {
        return writeCalls.get();
    }

    int concurrentWriteViolations() {
        return concurrentWriteViolations.get();
    }

    int lateWriteOverlaps() {
        return lateWriteOverlaps.get();
    }

    int writesInFlight() {
        return writesInFlight.size();
    }

    private Reply dispatch(HttpExchange exchange) {
        String method = exchange.getRequestMethod();
        String[] seg = exchange.getRequestURI().getRawPath().replaceFirst("^/", "").split("/", -1);
        if (seg[0].equals("_emulator")) {
            return Reply.ok(admin.handle(method, seg, exchange));
        }
        if (seg.length == 2 && seg[0].equals("oauth") && seg[1].isEmpty()) {
            // The authorize page lives on www.pinterest.com, outside the API; consent is implied here.
            if (!method.equals("GET")) {
                throw ApiException.methodNotAllowed("GET");
            }
            return Reply.redirect(oauth.authorize(exchange.getRequestURI().getRawQuery()));
        }
        if (!seg[0].equals("v5")) {
            throw ApiException.noRoute();
        }
        if (seg.length == 3 && seg[1].equals("oauth") && seg[2].equals("token")) {
            // The token endpoint authenticates the app (HTTP Basic), not a user token.
            if (!method.equals("POST")) {
                throw ApiException.methodNotAllowed("POST");
            }
            return Reply.ok(oauth.token(exchange.getRequestHeaders().getFirst("Authorization"),
                    exchange.getRequestHeaders().getFirst("Content-Type"), readBody(exchange)));
        }
        Route route = Route.match(seg);
        boolean write = method.equals("POST") || method.equals("PATCH");
        if (route != null && route != Route.AD_ACCOUNT && route != Route.AD_ACCOUNTS && write) {
            writeCalls.incrementAndGet();
        }
        // Authentication comes first so an unauthenticated caller learns nothing about the routes.
        if (faults.takeUnauthorized()) {
            throw ApiException.unauthenticated();
        }
        oauth.authenticate(exchange.getRequestHeaders().getFirst("Authorization"), write ? "ads:write" : "ads:read");
        if (route == null) {
            throw ApiException.noRoute();
        }
        if (!route.allows(method)) {
            throw ApiException.methodNotAllowed(route.methods);
        }
        Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
        if (route == Route.AD_ACCOUNTS) {
            return Reply.ok(listAdAccounts(query));
        }
        String account = pathId(seg[2], "ad_account_id");
        if (!adAccounts.containsKey(account)) {
            throw ApiException.forbidden();
        }
        boolean get = method.equals("GET");
        return Reply.ok(switch (route) {
            case AD_ACCOUNT -> adAccount(account);
            case LISTS -> get ? listLists(account, query) : createList(account, exchange);
            case LIST -> {
                String listId = pathId(seg[4], "customer_list_id");
                if (faults.gone(listId)) {
                    throw ApiException.listNotFound();
                }
                yield get ? render(store.list(account, listId).orElseThrow(ApiException::listNotFound))
                        : updateList(account, listId, exchange);
            }
            case AUDIENCES -> get ? listAudiences(account, query) : createAudience(account, exchange);
            case AUDIENCE -> {
                String audienceId = pathId(seg[4], "audience_id");
                yield get ? render(store.audience(account, audienceId).orElseThrow(ApiException::audienceNotFound))
                        : updateAudience(account, audienceId, exchange);
            }
            case AD_ACCOUNTS -> throw new IllegalStateException("answered above");
        });
    }

    /**
     * {@code GET /v5/ad_accounts}: every account the emulator serves, as every token can use each of them; all
     * are owned by the token's user, so {@code include_shared_accounts} changes nothing. Ascending by id.
     */
    private JsonNode listAdAccounts(Map<String, String> query) {
        String shared = query.get("include_shared_accounts");
        if (shared != null && !shared.equals("true") && !shared.equals("false")) {
            throw ApiException.invalid("include_shared_accounts must be true or false");
        }
        // The operation has no order parameter: ascending by id, whatever a client sends.
        Map<String, String> paging = new HashMap<>(query);
        paging.remove("order");
        List<String> ids = adAccounts.keySet().stream().sorted(Comparator.comparingLong(Long::parseLong)).toList();
        return pageJson(Paging.page(ids, paging, "ad_accounts"), this::adAccount);
    }

    /** The spec's AdAccount: id, name, owner, country, currency, permissions and times. */
    private JsonNode adAccount(String account) {
        ObjectNode n = mapper.createObjectNode();
        n.put("id", account);
        n.put("name", adAccounts.get(account));
        ObjectNode owner = n.putObject("owner");
        owner.put("id", PinterestEmulator.OWNER_USER_ID);
        owner.put("username", PinterestEmulator.OWNER_USERNAME);
        n.put("country", "US");
        n.put("currency", "USD");
        n.putArray("permissions").add("OWNER");
        n.put("created_time", accountsCreated);
        n.put("updated_time", accountsCreated);
        return n;
    }

    static byte[] readBody(HttpExchange exchange) {
        try {
            return RequestBody.readAll(exchange.getRequestBody(),
                    exchange.getRequestHeaders().getFirst("Content-Length"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String pathId(String segment, String name) {
        if (!ID.matcher(segment).matches()) {
            throw ApiException.invalid(name + " must be a numeric id of at most 18 digits");
        }
        return segment;
    }

    private JsonNode createList(String account, HttpExchange exchange) {
        // ad_account_id: not in the spec's CustomerListRequest, but Pinterest's own generated clients send it (the
        // Python SDK's CustomerList.create does), and Pinterest takes it; one naming another account is refused.
        ObjectNode body = body(exchange, Set.of("ad_account_id", "name", "records", "list_type"));
        requireBodyAccount(body, account);
        String name = requiredName(body);
        String records = requiredString(body, "records");
        String typeName = optionalString(body, "list_type");
        ListType type = typeName == null ? ListType.EMAIL : ListType.parse(typeName);
        if (type == null) {
            throw ApiException.invalid("list_type must be one of " + ListType.NAMES);
        }
        List<String> values = Records.parse(records, type, maxRecordsPerRequest);
        refuseInjected(values);
        pauseForWrite();
        return render(store.createList(account, name, type, values));
    }

    private JsonNode updateList(String account, String listId, HttpExchange exchange) {
        EmulatorList list = store.list(account, listId).orElseThrow(ApiException::listNotFound);
        // Pinterest refuses overlapping writes to one object with 429 code 8; clients must serialize them.
        // An overlap with a late write (one its client may have given up on) is not the client's doing.
        boolean late = exchange.getAttribute(LATE) != null;
        Boolean holderLate = writesInFlight.putIfAbsent(listId, late);
        if (holderLate != null) {
            (late || holderLate ? lateWriteOverlaps : concurrentWriteViolations).incrementAndGet();
            throw ApiException.concurrentWrite();
        }
        try {
            ObjectNode body = body(exchange, Set.of("operation_type", "records"));
            String operation = requiredString(body, "operation_type");
            if (!operation.equals("ADD") && !operation.equals("REMOVE")) {
                throw ApiException.invalid("operation_type must be ADD or REMOVE");
            }
            String records = requiredString(body, "records");
            List<String> values = Records.parse(records, ListType.valueOf(list.listType()), maxRecordsPerRequest);
            refuseInjected(values);
            pauseForWrite();
            return render(store.update(listId, operation.equals("ADD"), values));
        } finally {
            writesInFlight.remove(listId);
        }
    }

    private void refuseInjected(List<String> values) {
        int refused = faults.refusedIndex(values);
        if (refused >= 0) {
            throw ApiException.invalid("records[" + refused + "] is not accepted");
        }
    }

    private JsonNode createAudience(String account, HttpExchange exchange) {
        // ad_account_id is accepted because the spec's AudienceCommon carries it (older clients send it).
        ObjectNode body = body(exchange, Set.of("ad_account_id", "name", "audience_type", "rule", "description"));
        String name = requiredName(body);
        String type = requiredString(body, "audience_type");
        JsonNode rule = body.get("rule");
        if (rule == null || rule.isNull()) {
            throw ApiException.invalid("rule is required");
        }
        if (!rule.isObject()) {
            throw ApiException.invalid("rule must be an object");
        }
        if (!AUDIENCE_TYPES.contains(type)) {
            throw ApiException.invalid("audience_type must be one of CUSTOMER_LIST, VISITOR, ENGAGEMENT, ACTALIKE, "
                    + "PERSONA (case-sensitive)");
        }
        if (!type.equals("CUSTOMER_LIST")) {
            throw ApiException.invalid("audience_type " + type + " is not supported by the emulator; "
                    + "only CUSTOMER_LIST is");
        }
        requireBodyAccount(body, account);
        String description = optionalString(body, "description");
        String listId = ruleListId((ObjectNode) rule, account);
        pauseForWrite();
        return render(store.createAudience(account, name, listId, description));
    }

    /**
     * {@code PATCH .../audiences/{id}}, the spec's AudienceUpdateRequest: name, description and rule change what is
     * given; operation_type REMOVE (the default is UPDATE) removes the audience, which is answered as it was
     * removed and no longer served.
     */
    private JsonNode updateAudience(String account, String audienceId, HttpExchange exchange) {
        ObjectNode body = body(exchange, Set.of("ad_account_id", "name", "rule", "description", "operation_type"));
        requireBodyAccount(body, account);
        String name = body.hasNonNull("name") ? requiredName(body) : null;
        String description = optionalString(body, "description");
        String operation = optionalString(body, "operation_type");
        if (operation != null && !operation.equals("UPDATE") && !operation.equals("REMOVE")) {
            throw ApiException.invalid("operation_type must be UPDATE or REMOVE (case-sensitive)");
        }
        JsonNode rule = body.get("rule");
        if (rule != null && !rule.isNull() && !rule.isObject()) {
            throw ApiException.invalid("rule must be an object");
        }
        if (store.audience(account, audienceId).isEmpty()) {
            throw ApiException.audienceNotFound();
        }
        String listId = rule == null || rule.isNull() ? null : ruleListId((ObjectNode) rule, account);
        pauseForWrite();
        return render(store.updateAudience(account, audienceId, name, description, listId, "REMOVE".equals(operation))
                .orElseThrow(ApiException::audienceNotFound));
    }

    /** The spec's request bodies may repeat the path's ad account; one that names another is refused. */
    private static void requireBodyAccount(ObjectNode body, String account) {
        String bodyAccount = optionalString(body, "ad_account_id");
        if (bodyAccount != null && !bodyAccount.equals(account)) {
            throw ApiException.invalid("ad_account_id in the body does not match the path");
        }
    }

    /**
     * A CUSTOMER_LIST rule's customer list, which must be one of the ad account's. The spec's AudienceRule also has
     * the fields of the other audience types: those are refused as not applying, anything else as unknown.
     */
    private String ruleListId(ObjectNode rule, String account) {
        for (var names = rule.fieldNames(); names.hasNext(); ) {
            String field = names.next();
            if (!CUSTOMER_LIST_RULE.contains(field)) {
                if (!AUDIENCE_RULE.contains(field)) {
                    RequestBody.rejectUnknownFields(rule, AUDIENCE_RULE, "rule.");
                }
                throw ApiException.invalid("rule." + field + " does not apply to CUSTOMER_LIST audiences");
            }
        }
        String ruleAccount = optionalString(rule, "ad_account_id", "rule.ad_account_id");
        if (ruleAccount != null && !ruleAccount.equals(account)) {
            throw ApiException.invalid("rule.ad_account_id does not match the path");
        }
        String listId = requiredString(rule, "customer_list_id", "rule.customer_list_id");
        if (!ID.matcher(listId).matches() || store.list(account, listId).isEmpty()) {
            throw ApiException.invalid("rule.customer_list_id is not a customer list of this ad account");
        }
        return listId;
    }

    private JsonNode listLists(String account, Map<String, String> query) {
        return pageJson(Paging.page(store.lists(account), query, "customer_lists|" + account), this::render);
    }

    private JsonNode listAudiences(String account, Map<String, String> query) {
        String ownership = query.getOrDefault("ownership_type", "OWNED");
        if (!ownership.equals("OWNED") && !ownership.equals("RECEIVED")) {
            throw ApiException.invalid("ownership_type must be OWNED or RECEIVED");
        }
        // Nobody shares audiences with an emulated account, so RECEIVED is always empty.
        List<EmulatorAudience> all = ownership.equals("OWNED") ? store.audiences(account) : List.of();
        return pageJson(Paging.page(all, query, "audiences|" + ownership + "|" + account), this::render);
    }

    private <T> JsonNode pageJson(Paging.Slice<T> page, Function<T, JsonNode> render) {
        ObjectNode out = mapper.createObjectNode();
        ArrayNode items = out.putArray("items");
        page.items().forEach(item -> items.add(render.apply(item)));
        out.put("bookmark", page.bookmark());
        return out;
    }

    private ObjectNode render(EmulatorList list) {
        ObjectNode n = mapper.createObjectNode();
        n.put("id", list.id());
        n.put("name", list.name());
        n.put("ad_account_id", list.adAccountId());
        n.put("created_time", list.createdTime());
        n.put("updated_time", list.updatedTime());
        n.put("num_batches", list.numBatches());
        n.put("num_uploaded_user_records", list.numUploadedUserRecords());
        n.put("num_removed_user_records", list.numRemovedUserRecords());
        n.put("status", list.status());
        n.putObject("exceptions");
        n.put("type", "customerlist");
        n.put("list_type", list.listType());
        return n;
    }

    private ObjectNode render(EmulatorAudience audience) {
        ObjectNode n = mapper.createObjectNode();
        n.put("id", audience.id());
        n.put("ad_account_id", audience.adAccountId());
        n.put("name", audience.name());
        n.put("audience_type", audience.audienceType());
        n.putObject("rule").put("customer_list_id", audience.customerListId());
        n.put("description", audience.description());
        // Pinterest fills size in later (24-48 hours; here the size delay), counting only matched users.
        n.put("size", audience.size());
        n.put("status", audience.status());
        n.put("type", "audience");
        n.put("created_timestamp", audience.createdTimestamp());
        n.put("updated_timestamp", audience.updatedTimestamp());
        return n;
    }

    private ObjectNode error(int code, String message) {
        ObjectNode n = mapper.createObjectNode();
        n.put("code", code);
        n.put("message", message);
        return n;
    }

    private ObjectNode body(HttpExchange exchange, Set<String> allowed) {
        return RequestBody.read(mapper, readBody(exchange), allowed);
    }

    private static String requiredName(ObjectNode body) {
        String name = requiredString(body, "name");
        if (name.isBlank()) {
            throw ApiException.invalid("name must not be blank");
        }
        return name;
    }

    private static String requiredString(ObjectNode node, String field) {
        return requiredString(node, field, field);
    }

    private static String requiredString(ObjectNode node, String field, String label) {
        String value = optionalString(node, field, label);
        if (value == null) {
            throw ApiException.invalid(label + " is required");
        }
        if (value.isEmpty()) {
            throw ApiException.invalid(label + " must not be empty");
        }
        return value;
    }

    private static String optionalString(ObjectNode node, String field) {
        return optionalString(node, field, field);
    }

    private static String optionalString(ObjectNode node, String field, String label) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw ApiException.invalid(label + " must be a string");
        }
        return value.asText();
    }

    /** Empty values count as absent, so {@code ?bookmark=} on a first page is harmless. */
    private static Map<String, String> query(String raw) {
        Map<String, String> params = new HashMap<>();
        if (raw == null || raw.isEmpty()) {
            return params;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            try {
                String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                if (!value.isEmpty()) {
                    params.putIfAbsent(key, value);
                }
            } catch (IllegalArgumentException e) {
                throw ApiException.invalid("query string is not properly percent-encoded");
            }
        }
        return params;
    }

    /** Holds a write open for {@code writeDelay}, keeping its in-flight mark, to let tests overlap writes. */
    private void pauseForWrite() {
        if (writeDelay.isZero()) {
            return;
        }
        try {
            Thread.sleep(writeDelay.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Emulator is shutting down", e);
        }
    }
}
