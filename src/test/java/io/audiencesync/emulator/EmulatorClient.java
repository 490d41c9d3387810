package io.audiencesync.emulator;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Test-side HTTP client speaking to the emulator over loopback. */
final class EmulatorClient {

    static final String ACCOUNT = PinterestEmulator.DEFAULT_AD_ACCOUNT_ID;
    static final String LISTS = "/ad_accounts/" + ACCOUNT + "/customer_lists";
    static final String AUDIENCES = "/ad_accounts/" + ACCOUNT + "/audiences";

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    /** An answer: status, parsed JSON body and headers. */
    record Answer(int status, JsonNode json, HttpHeaders headers) {
        int code() {
            return json.path("code").asInt(-1);
        }

        String message() {
            return json.path("message").asText();
        }

        String rid() {
            return headers.firstValue("x-pinterest-rid").orElse(null);
        }
    }

    private final PinterestEmulator emulator;

    EmulatorClient(PinterestEmulator emulator) {
        this.emulator = emulator;
    }

    Answer get(String path) {
        return send("GET", path, null, PinterestEmulator.DEFAULT_ACCESS_TOKEN);
    }

    Answer post(String path, String body) {
        return send("POST", path, body, PinterestEmulator.DEFAULT_ACCESS_TOKEN);
    }

    Answer patch(String path, String body) {
        return send("PATCH", path, body, PinterestEmulator.DEFAULT_ACCESS_TOKEN);
    }

    /** Path is relative to {@code baseUrl()}; a null token sends no Authorization header. */
    Answer send(String method, String path, String body, String token) {
        return sendTo("http://127.0.0.1:" + emulator.port() + "/v5" + path, method, body,
                token == null ? null : "Bearer " + token);
    }

    /** Absolute URL, raw Authorization header value (or null). */
    Answer sendTo(String url, String method, String body, String authorization) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url))
                .timeout(Duration.ofSeconds(10))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        try {
            HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
            JsonNode json = response.body().isEmpty() ? MAPPER.missingNode() : MAPPER.readTree(response.body());
            return new Answer(response.statusCode(), json, response.headers());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** POSTs a raw body with the given Content-Type and Authorization header values (either may be null). */
    Answer postRaw(String url, String body, String contentType, String authorization) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url))
                .timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        try {
            HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
            JsonNode json = response.body().isEmpty() ? MAPPER.missingNode() : MAPPER.readTree(response.body());
            return new Answer(response.statusCode(), json, response.headers());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** JSON object from alternating keys and values. */
    static String json(Object... keysAndValues) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        try {
            return MAPPER.writeValueAsString(map);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Whether the emulator has a Pinterest account for a wire value, worked out here from the README's rule (the
     * first byte of the value's SHA-256 is 77 or more) rather than with the emulator's own code.
     */
    static boolean hasAccount(String value) {
        if (value.matches("[0-9a-f]{32}|[0-9a-f]{40}|[0-9a-f]{64}")) {
            return Integer.parseInt(value.substring(0, 2), 16) >= 77;
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
            return (digest[0] & 0xff) >= 77;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The first {@code count} emails {@code u0@x.com}, {@code u1@x.com}... that the emulator matches, or does not. */
    static List<String> emails(int count, boolean matched) {
        List<String> emails = new ArrayList<>();
        for (int i = 0; emails.size() < count; i++) {
            String email = "u" + i + "@x.com";
            if (hasAccount(email) == matched) {
                emails.add(email);
            }
        }
        return emails;
    }

    /** Creates an EMAIL list over the API and returns its id. */
    String createList(String name, String records) {
        Answer answer = post(LISTS, json("name", name, "records", records));
        if (answer.status() != 200) {
            throw new IllegalStateException("create failed: " + answer.json());
        }
        return answer.json().get("id").asText();
    }
}
