package io.audiencesync.pinterest;

import io.audiencesync.observe.Secrets;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Pinterest's token endpoint ({@code POST /v5/oauth/token}): form-encoded, the app's credentials as HTTP Basic,
 * {@code continuous_refresh=true} so refresh tokens renew. Called through the {@code pinterest} route ({@link Calls}),
 * never retried (a refresh token may be used up by a try whose answer was lost). Codes, tokens and the secret never
 * reach a message.
 */
public final class PinterestOAuth implements AutoCloseable {

    private final Calls calls;
    private final URI tokenUrl;
    private final String basicCredentials;

    public PinterestOAuth(Calls calls, URI tokenUrl, String clientId, String clientSecret) {
        this.calls = calls;
        this.tokenUrl = tokenUrl;
        String encoded = Base64.getEncoder().encodeToString((clientId + ":" + clientSecret).getBytes(StandardCharsets.UTF_8));
        // The encoded credentials are the secret in another form: masked wherever a library logs the header.
        Secrets.register(encoded);
        this.basicCredentials = "Basic " + encoded;
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
        byte[] body = form.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&")).getBytes(StandardCharsets.UTF_8);
        // The route reads the answer; one it cannot read fails there, named without its content, with the request id.
        TokenGrant grant = (TokenGrant) calls.call(new Call(call, "POST", null, null, body, TokenGrant.class, tokenUrl,
                basicCredentials));
        if (grant == null || grant.accessToken() == null || grant.accessToken().isBlank()) {
            throw new PinterestApiException(call, 200, null, "the answer has no access_token", null, null);
        }
        return grant;
    }

    @Override
    public void close() {
        calls.close();
    }

    @Override
    public String toString() {
        return "PinterestOAuth[" + tokenUrl + "]";
    }
}
