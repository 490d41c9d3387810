package io.audiencesync;

import io.audiencesync.pinterest.PinterestOAuth;
import io.audiencesync.pinterest.StoredToken;
import io.audiencesync.pinterest.TokenFile;
import io.audiencesync.pinterest.TokenGrant;
import io.audiencesync.emulator.PinterestEmulator;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;

/** Plays the browser and the app against the emulator: authorize page, redirects, code exchange. */
public final class TestOAuth {

    public static final String REDIRECT = "http://localhost:8085/";
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(5)).build();

    private TestOAuth() {
    }

    /** A GET as a browser sends it, without following redirects. */
    public static HttpResponse<String> get(String url) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Where the emulator's authorize page sends the browser (consent is implied). */
    public static String location(String authorizeUrl) {
        HttpResponse<String> page = get(authorizeUrl);
        if (page.statusCode() != 302) {
            throw new AssertionError("authorize page answered " + page.statusCode() + ": " + page.body());
        }
        return page.headers().firstValue("Location").orElseThrow();
    }

    /** A fresh authorization code for {@code redirectUri}, as the emulator issues it after consent. */
    public static String code(PinterestEmulator emulator, String redirectUri, String scope) {
        String location = location(emulator.authorizeUrl() + "?client_id=" + PinterestEmulator.DEFAULT_CLIENT_ID
                + "&redirect_uri=" + enc(redirectUri) + "&response_type=code&scope=" + enc(scope) + "&state=test");
        return param(location, "code");
    }

    public static String param(String url, String name) {
        for (String pair : URI.create(url).getRawQuery().split("&")) {
            String[] kv = pair.split("=", 2);
            if (kv[0].equals(name)) {
                return URLDecoder.decode(kv[1], StandardCharsets.UTF_8);
            }
        }
        throw new AssertionError("no " + name + " in " + url);
    }

    public static PinterestOAuth oauth(PinterestEmulator emulator) {
        return io.audiencesync.routes.PinterestRoute.oauth(URI.create(emulator.tokenUrl()), PinterestEmulator.DEFAULT_CLIENT_ID,
                PinterestEmulator.DEFAULT_CLIENT_SECRET, Duration.ofSeconds(5), Duration.ofSeconds(10));
    }

    /** Tokens from the full code flow, as 'auth' would get them. */
    public static TokenGrant grant(PinterestEmulator emulator) {
        return oauth(emulator).exchangeCode(code(emulator, REDIRECT, "ads:read,ads:write"), REDIRECT);
    }

    /** Writes a token file as 'auth' would, for the emulator's default ad account. */
    public static StoredToken tokenFile(PinterestEmulator emulator, java.nio.file.Path file) {
        StoredToken token = StoredToken.issued(grant(emulator), Instant.now(), PinterestEmulator.DEFAULT_AD_ACCOUNT_ID);
        new TokenFile(file).save(token);
        return token;
    }

    /** A loopback port free right now. */
    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 0, InetAddress.getByAddress(new byte[] {127, 0, 0, 1}))) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String enc(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
