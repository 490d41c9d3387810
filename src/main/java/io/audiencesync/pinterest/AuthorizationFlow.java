package io.audiencesync.pinterest;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * The browser half of Pinterest's authorization-code flow: the authorize URL (scopes {@code ads:read,ads:write} and
 * a random {@code state}), and a one-shot HTTP listener on the loopback redirect URI that takes Pinterest's
 * redirect. A redirect whose {@code state} differs from the one sent is refused (it may be forged), so no code from
 * it is ever exchanged. The code never reaches a log or a message.
 */
public final class AuthorizationFlow {

    public static final String SCOPES = "ads:read,ads:write";

    /** How the redirect ended: a code to exchange, or why there is none. */
    public sealed interface Result {
        record Authorized(String code) implements Result {
            @Override
            public String toString() {
                return "Authorized[code=(redacted)]";
            }
        }

        record Refused(String reason) implements Result {
        }
    }

    private final URI authorizeUrl;
    private final String clientId;
    private final URI redirectUri;
    private final String state;

    public AuthorizationFlow(URI authorizeUrl, String clientId, URI redirectUri) {
        this.authorizeUrl = authorizeUrl;
        this.clientId = clientId;
        this.redirectUri = redirectUri;
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        this.state = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
    }

    /** Why {@code redirectUri} cannot be listened on here, or null when it can: plain http on localhost or 127.0.0.1. */
    public static String unusableRedirect(URI redirectUri) {
        if (!"http".equals(redirectUri.getScheme())) {
            return "must be a plain http loopback URL such as http://localhost:8085/ to listen on it (use 'auth --code' otherwise)";
        }
        String host = redirectUri.getHost();
        if (!"localhost".equalsIgnoreCase(host) && !"127.0.0.1".equals(host)) {
            return "must be on localhost or 127.0.0.1 to listen on it, got host '" + host + "' (use 'auth --code' otherwise)";
        }
        return null;
    }

    /** The URL to open in a browser. */
    public URI authorizeUrl() {
        String base = authorizeUrl.toString();
        return URI.create(base + (base.contains("?") ? "&" : "?")
                + "client_id=" + encode(clientId)
                + "&redirect_uri=" + encode(redirectUri.toString())
                + "&response_type=code"
                // ':' and ',' are legal in a query: the scope goes as Pinterest documents it
                + "&scope=" + SCOPES
                + "&state=" + encode(state));
    }

    /**
     * Listens on 127.0.0.1 at the redirect URI's port and path, hands the authorize URL to {@code show} once listening,
     * and waits up to {@code timeout} for Pinterest's redirect.
     */
    public Result awaitRedirect(Consumer<URI> show, Duration timeout) {
        int port = redirectUri.getPort() == -1 ? 80 : redirectUri.getPort();
        String path = redirectUri.getRawPath() == null || redirectUri.getRawPath().isEmpty() ? "/" : redirectUri.getRawPath();
        HttpServer server;
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, 1}), port), 0);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on 127.0.0.1:" + port + " for the redirect (pinterest.redirect-uri "
                    + redirectUri + "): " + e.getMessage(), e);
        }
        CompletableFuture<Result> result = new CompletableFuture<>();
        server.createContext("/", exchange -> {
            try (exchange) {
                if (!exchange.getRequestURI().getRawPath().equals(path) || !"GET".equals(exchange.getRequestMethod())) {
                    reply(exchange, 404, "Not the authorization redirect.");
                    return;
                }
                Result outcome = check(exchange.getRequestURI().getRawQuery());
                if (outcome instanceof Result.Authorized) {
                    reply(exchange, 200, "Pinterest access granted. You can close this tab and return to the terminal.");
                } else {
                    reply(exchange, 400, "Authorization failed: " + ((Result.Refused) outcome).reason());
                }
                result.complete(outcome);
            }
        });
        server.start();
        try {
            show.accept(authorizeUrl());
            return result.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            return new Result.Refused("no redirect from Pinterest within " + timeout.toSeconds() + " seconds");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result.Refused("interrupted while waiting for the redirect");
        } catch (ExecutionException e) {
            return new Result.Refused("the redirect could not be handled: " + e.getCause().getMessage());
        } finally {
            server.stop(0);
        }
    }

    /** Checks a redirect's query: the state must be the one sent, then it carries a code or Pinterest's error. */
    Result check(String rawQuery) {
        Map<String, String> query = query(rawQuery);
        String returned = query.get("state");
        if (returned == null || !MessageDigest.isEqual(returned.getBytes(StandardCharsets.UTF_8), state.getBytes(StandardCharsets.UTF_8))) {
            return new Result.Refused("the redirect's state does not match the one this authorization sent (a stale or forged"
                    + " redirect); no token was requested. Run auth again");
        }
        if (query.containsKey("error")) {
            return new Result.Refused("Pinterest answered " + query.get("error")
                    + (query.containsKey("error_description") ? ": " + query.get("error_description") : ""));
        }
        String code = query.get("code");
        if (code == null || code.isEmpty()) {
            return new Result.Refused("the redirect carries no authorization code");
        }
        return new Result.Authorized(code);
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> params = new HashMap<>();
        if (raw == null) {
            return params;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            try {
                String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                params.putIfAbsent(key, value);
            } catch (IllegalArgumentException e) {
                // a malformed pair is ignored; a missing state or code is reported instead
            }
        }
        return params;
    }

    private static void reply(HttpExchange exchange, int status, String text) throws IOException {
        String html = "<!doctype html><meta charset=\"utf-8\"><title>pinterest-audience-sync</title><p>"
                + text.replace("&", "&amp;").replace("<", "&lt;") + "</p>";
        byte[] bytes = html.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return "AuthorizationFlow[" + authorizeUrl + ", redirect " + redirectUri + "]";
    }
}
