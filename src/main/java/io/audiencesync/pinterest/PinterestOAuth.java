package io.audiencesync.pinterest;


import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Pinterest's token endpoint ({@code POST /v5/oauth/token}): form-encoded, the app's credentials as HTTP Basic,
 * {@code continuous_refresh=true} so refresh tokens renew. Codes, tokens and the secret never reach a message.
 */
public final class PinterestOAuth {

    private static final String USER_AGENT = "pinterest-audience-sync";

    private final URI tokenUrl;
    private final String basicCredentials;
    private final HttpClient http;
    private final Duration requestTimeout;

    public PinterestOAuth(URI tokenUrl, String clientId, String clientSecret, Duration connectTimeout, Duration requestTimeout) {
        this.tokenUrl = tokenUrl;
        this.basicCredentials = "Basic " + Base64.getEncoder()
                .encodeToString((clientId + ":" + clientSecret).getBytes(StandardCharsets.UTF_8));
        this.requestTimeout = requestTimeout;
        this.http = HttpClient.newBuilder()
                .version("http".equals(tokenUrl.getScheme()) ? HttpClient.Version.HTTP_1_1 : HttpClient.Version.HTTP_2)
                .connectTimeout(connectTimeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    /** Exchanges an authorization code; {@code redirectUri} must be the one the authorize URL named. */
    public TokenGrant exchangeCode(String code, String redirectUri) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("grant_type", "authorization_code");
        form.put("code", code);
        form.put("redirect_uri", redirectUri);
        form.put("continuous_refresh", "true");
        return post("POST oauth/token (authorization_code)", form);
    }

    /** Exchanges a refresh token for a new access token and, with continuous refresh, a new refresh token. */
    public TokenGrant refresh(String refreshToken) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("grant_type", "refresh_token");
        form.put("refresh_token", refreshToken);
        form.put("continuous_refresh", "true");
        return post("POST oauth/token (refresh_token)", form);
    }

    private TokenGrant post(String call, Map<String, String> form) {
        String body = form.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        HttpRequest request = HttpRequest.newBuilder(tokenUrl)
                .timeout(requestTimeout)
                .header("Authorization", basicCredentials)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Accept", "application/json")
                .header("User-Agent", USER_AGENT)
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
                .build();
        HttpResponse<byte[]> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new PinterestApiException(call, 0, null, e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()), null, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PinterestApiException(call, 0, null, "interrupted", null, e);
        }
        String requestId = response.headers().firstValue("x-pinterest-rid").orElse(null);
        int status = response.statusCode();
        if (status / 100 == 2) {
            TokenGrant grant;
            try {
                grant = PinterestClient.JSON.readValue(response.body(), TokenGrant.class);
            } catch (IOException e) {
                // The answer holds tokens: name the failure, never the content.
                throw new PinterestApiException(call, status, null, "unreadable answer (" + e.getClass().getSimpleName() + ")",
                        requestId, null);
            }
            if (grant == null || grant.accessToken() == null || grant.accessToken().isBlank()) {
                throw new PinterestApiException(call, status, null, "the answer has no access_token", requestId, null);
            }
            return grant;
        }
        ErrorBody error = ErrorBody.parse(response.body());
        Integer code = error.code();
        String message = error.message();
        if (status == 400 || status == 401 || code != null && code == 283) {
            throw new InvalidGrantException(call, status, code, message, requestId);
        }
        throw new PinterestApiException(call, status, code, message, requestId, null);
    }

    @Override
    public String toString() {
        return "PinterestOAuth[" + tokenUrl + "]";
    }
}
