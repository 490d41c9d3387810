package io.audiencesync.pinterest;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The token endpoint calls exactly as they go on the wire, captured by a bare loopback server. */
class PinterestOAuthWireTest {

    private static final String ANSWER = "{\"access_token\":\"pina_new\",\"token_type\":\"bearer\",\"expires_in\":2592000,"
            + "\"scope\":\"ads:read,ads:write\",\"refresh_token\":\"pinr_new\",\"refresh_token_expires_in\":5184000,"
            + "\"refresh_token_expires_at\":1900000000,\"response_type\":\"refresh_token\"}";

    record Captured(String method, String path, Map<String, List<String>> headers, String body) {
    }

    private final List<Captured> captured = new CopyOnWriteArrayList<>();
    private volatile int status = 200;
    private volatile String answer = ANSWER;
    private HttpServer server;
    private PinterestOAuth oauth;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            exchange.getRequestHeaders().forEach(headers::put);
            captured.add(new Captured(exchange.getRequestMethod(), exchange.getRequestURI().toString(), headers,
                    new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)));
            byte[] bytes = answer.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("x-pinterest-rid", "rid-1");
            exchange.sendResponseHeaders(status, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        server.start();
        oauth = io.audiencesync.routes.PinterestRoute.oauth(URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/v5/oauth/token"),
                "1234567", "app-secret", Duration.ofSeconds(5), Duration.ofSeconds(5));
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Test
    void aCodeExchangeIsAFormPostWithBasicCredentialsAndContinuousRefresh() {
        TokenGrant grant = oauth.exchangeCode("the/code+1", "http://localhost:8085/");

        Captured call = captured.get(0);
        assertThat(call.method()).isEqualTo("POST");
        assertThat(call.path()).isEqualTo("/v5/oauth/token");
        assertThat(call.body()).isEqualTo("grant_type=authorization_code&code=the%2Fcode%2B1"
                + "&redirect_uri=http%3A%2F%2Flocalhost%3A8085%2F&continuous_refresh=true");
        assertThat(call.headers().get("Authorization")).containsExactly("Basic "
                + Base64.getEncoder().encodeToString("1234567:app-secret".getBytes(StandardCharsets.UTF_8)));
        assertThat(call.headers().get("Content-Type")).containsExactly("application/x-www-form-urlencoded");
        assertThat(call.headers().keySet()).allSatisfy(name -> assertThat(name.toLowerCase())
                .isIn("authorization", "content-type", "accept", "user-agent", "host", "content-length", "connection"));
        assertThat(grant.accessToken()).isEqualTo("pina_new");
        assertThat(grant.refreshToken()).isEqualTo("pinr_new");
        assertThat(grant.expiresIn()).isEqualTo(2592000L);
        assertThat(grant.refreshTokenExpiresAt()).isEqualTo(1900000000L);
    }

    @Test
    void aRefreshSendsTheRefreshTokenWithContinuousRefresh() {
        oauth.refresh("pinr_old");
        assertThat(captured.get(0).body()).isEqualTo("grant_type=refresh_token&refresh_token=pinr_old&continuous_refresh=true");
    }

    @Test
    void anInvalidGrantIsAnAccessErrorThatSaysToRunAuthAndNamesNoSecret() {
        status = 400;
        answer = "{\"code\":283,\"message\":\"Invalid refresh token.\"}";
        assertThatThrownBy(() -> oauth.refresh("pinr_old"))
                .isInstanceOf(InvalidGrantException.class)
                .isInstanceOf(PinterestAccessException.class)
                .hasMessageContaining("HTTP 400 code 283: Invalid refresh token.")
                .hasMessageNotContaining("pinr_old").hasMessageNotContaining("app-secret")
                .satisfies(e -> assertThat(((InvalidGrantException) e).advice()).contains("run 'pinterest-audience-sync auth' again"));
    }

    @Test
    void refusedAppCredentialsPointAtTheClientSettings() {
        status = 401;
        answer = "{\"code\":2,\"message\":\"Authentication failed.\"}";
        assertThatThrownBy(() -> oauth.exchangeCode("c", "http://localhost:8085/"))
                .isInstanceOf(InvalidGrantException.class)
                .satisfies(e -> assertThat(((InvalidGrantException) e).advice())
                        .contains("pinterest.client-id").contains("pinterest.client-secret"));
    }

    @Test
    void aServerErrorIsNotAnInvalidGrant() {
        status = 503;
        answer = "{\"code\":0,\"message\":\"busy\"}";
        assertThatThrownBy(() -> oauth.refresh("pinr_old"))
                .isExactlyInstanceOf(PinterestApiException.class);
    }

    @Test
    void anUnreadableAnswerIsReportedWithoutItsContent() {
        answer = "{\"access_token\":\"pina_leak\",";
        assertThatThrownBy(() -> oauth.refresh("pinr_old"))
                .isExactlyInstanceOf(PinterestApiException.class)
                .hasMessageContaining("unreadable answer")
                .hasMessageNotContaining("pina_leak")
                .hasNoCause()
                .extracting(e -> ((PinterestApiException) e).requestId()).as("Pinterest's request id, to quote to them")
                .isEqualTo("rid-1");
    }

    @Test
    void tokensNeverShowInToString() {
        TokenGrant grant = oauth.refresh("pinr_old");
        assertThat(grant.toString()).doesNotContain("pina_new").doesNotContain("pinr_new");
        assertThat(oauth.toString()).doesNotContain("app-secret");
    }
}
