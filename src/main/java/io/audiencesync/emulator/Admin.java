package io.audiencesync.emulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The calls under {@code /_emulator/}, for people and tests, without authentication: what the lists hold, faults to
 * inject, and Pinterest's size updates made now rather than after the size delay.
 */
final class Admin {

    private final ObjectMapper mapper;
    private final Store store;
    private final Faults faults;

    Admin(ObjectMapper mapper, Store store, Faults faults) {
        this.mapper = mapper;
        this.store = store;
        this.faults = faults;
    }

    /** {@code seg} is the path's segments, {@code _emulator} first. */
    JsonNode handle(String method, String[] seg, HttpExchange exchange) {
        if (seg.length == 2 && seg[1].equals("faults")) {
            return faults(method, exchange);
        }
        if (seg.length == 2 && seg[1].equals("settle")) {
            return settle(method, exchange);
        }
        boolean allLists = seg.length == 2 && seg[1].equals("lists");
        boolean members = seg.length == 4 && seg[1].equals("lists") && seg[3].equals("members");
        if (!allLists && !members) {
            throw ApiException.noRoute();
        }
        if (!method.equals("GET")) {
            throw ApiException.methodNotAllowed("GET");
        }
        return members ? members(seg[2]) : lists(exchange);
    }

    /**
     * {@code POST /_emulator/faults} queues faults for people running the emulator standalone, e.g.
     * {@code {"throttle_writes": {"count": 2, "retry_after_seconds": 1}, "fail_writes": {"count": 1, "status": 503},
     * "slow_writes": {"count": 1, "delay_ms": 5000}, "drop_writes": 1, "refuse_values": ["..."], "unauthorized": 1,
     * "list_gone": "123", "fail_reads": {"kind": "audiences", "count": 1, "status": 503}, "clear": true}}; {@code GET} answers how many were injected.
     */
    private JsonNode faults(String method, HttpExchange exchange) {
        if (method.equals("POST")) {
            ObjectNode body = RequestBody.read(mapper, ApiHandler.readBody(exchange), Set.of("throttle_writes",
                    "fail_writes", "slow_writes", "drop_writes", "refuse_values", "unauthorized", "list_gone", "fail_reads", "clear"));
            if (body.path("clear").asBoolean(false)) {
                faults.clear();
            }
            JsonNode throttle = body.path("throttle_writes");
            if (throttle.isObject()) {
                faults.throttleWrites(throttle.path("count").asInt(1),
                        Duration.ofSeconds(throttle.path("retry_after_seconds").asLong(1)));
            }
            JsonNode fail = body.path("fail_writes");
            if (fail.isObject()) {
                faults.failWrites(fail.path("count").asInt(1), fail.path("status").asInt(503));
            }
            JsonNode slow = body.path("slow_writes");
            if (slow.isObject()) {
                faults.slowWrites(slow.path("count").asInt(1), Duration.ofMillis(slow.path("delay_ms").asLong(5000)));
            }
            JsonNode failReads = body.path("fail_reads");
            if (failReads.isObject()) {
                try {
                    faults.failReads(failReads.path("kind").asText("audiences"), failReads.path("count").asInt(1),
                            failReads.path("status").asInt(503));
                } catch (IllegalArgumentException e) {
                    throw ApiException.invalid("fail_reads: " + e.getMessage());
                }
            }
            faults.dropWrites(body.path("drop_writes").asInt(0));
            List<String> refused = new ArrayList<>();
            body.path("refuse_values").forEach(v -> refused.add(v.asText()));
            faults.refuseValues(refused);
            faults.unauthorized(body.path("unauthorized").asInt(0));
            if (body.hasNonNull("list_gone")) {
                faults.listGone(body.get("list_gone").asText());
            }
        } else if (!method.equals("GET")) {
            throw ApiException.methodNotAllowed("GET, POST");
        }
        ObjectNode out = mapper.createObjectNode();
        out.put("faults_injected", faults.injected());
        return out;
    }

    /**
     * {@code POST /_emulator/settle} makes every pending size update now (lists' counters and statuses, audiences'
     * sizes); with {@code {"seconds": N}} it lets N seconds pass instead, making those due by then. {@code GET}
     * makes only those already due. Both answer what was updated and what is still pending, by id.
     */
    private JsonNode settle(String method, HttpExchange exchange) {
        Duration passed = Duration.ZERO;
        if (method.equals("POST")) {
            byte[] bytes = ApiHandler.readBody(exchange);
            passed = null;
            if (!new String(bytes, StandardCharsets.UTF_8).isBlank()) {
                JsonNode seconds = RequestBody.read(mapper, bytes, Set.of("seconds")).get("seconds");
                if (seconds != null && !seconds.isNull()) {
                    if (!seconds.canConvertToExactIntegral() || seconds.asLong() < 0) {
                        throw ApiException.invalid("seconds must be a whole number of seconds, 0 or more");
                    }
                    passed = Duration.ofSeconds(seconds.asLong());
                }
            }
        } else if (!method.equals("GET")) {
            throw ApiException.methodNotAllowed("GET, POST");
        }
        Store.Settled settled = store.settle(passed);
        ObjectNode out = mapper.createObjectNode();
        settled.customerLists().forEach(out.putArray("updated_customer_lists")::add);
        settled.audiences().forEach(out.putArray("updated_audiences")::add);
        settled.pendingCustomerLists().forEach(out.putArray("pending_customer_lists")::add);
        settled.pendingAudiences().forEach(out.putArray("pending_audiences")::add);
        return out;
    }

    /** Every list with its counts, its status as the API shows it, and where its members are. */
    private JsonNode lists(HttpExchange exchange) {
        String base = "http://127.0.0.1:" + exchange.getLocalAddress().getPort() + "/_emulator/lists/";
        ArrayNode out = mapper.createArrayNode();
        for (EmulatorList list : store.lists(null)) {
            ObjectNode n = out.addObject();
            n.put("id", list.id());
            n.put("ad_account_id", list.adAccountId());
            n.put("name", list.name());
            n.put("list_type", list.listType());
            n.put("member_count", list.memberCount());
            n.put("matched_count", list.matchedCount());
            n.put("status", list.status());
            if (!store.fingerprintsOnly()) {
                n.put("members_url", base + list.id() + "/members");
            }
            ArrayNode audienceIds = n.putArray("audience_ids");
            store.audienceIdsOf(list.id()).forEach(audienceIds::add);
        }
        return out;
    }

    private JsonNode members(String rawListId) {
        if (store.fingerprintsOnly()) {
            throw ApiException.invalid("the emulator keeps fingerprints only (--compact-membership), not the values");
        }
        if (!ApiHandler.ID.matcher(rawListId).matches()) {
            throw ApiException.invalid("customer_list_id must be a numeric id of at most 18 digits");
        }
        ArrayNode out = mapper.createArrayNode();
        store.members(rawListId).orElseThrow(ApiException::listNotFound).forEach(out::add);
        return out;
    }
}
