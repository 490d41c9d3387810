package io.audiencesync.emulator;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/**
 * Pinterest's OAuth as the emulator plays it: the authorize page (consent is implied: it answers with the redirect
 * a browser would follow), the token endpoint with both grants, HTTP Basic client authentication, expiring access
 * tokens and rotating refresh tokens (a refresh token works once). Access tokens given to the builder never expire.
 */
final class OAuthServer {

    /** Every scope the spec's pinterest_oauth2 scheme lists; a token for others cannot be asked for. */
    static final Set<String> KNOWN_SCOPES = Set.of("ads:read", "ads:write", "billing:read", "billing:write",
            "biz_access:read", "biz_access:write", "boards:read", "boards:read_secret", "boards:write",
            "boards:write_secret", "catalogs:read", "catalogs:write", "pins:read", "pins:read_secret", "pins:write",
            "pins:write_secret", "user_accounts:read", "user_accounts:write");
    private static final Set<String> AUTHORIZE_PARAMS = Set.of("client_id", "redirect_uri", "response_type", "scope", "state");
    private static final Set<String> TOKEN_PARAMS = Set.of("grant_type", "code", "redirect_uri", "refresh_token", "scope",
            "continuous_refresh");
    private static final Duration CODE_LIFETIME = Duration.ofMinutes(10);

    /** What a token or code was granted for, and until when; a null expiry never expires. */
    private record Grant(Set<String> scopes, String redirectUri, Instant expiresAt) {
        boolean expired() {
            return expiresAt != null && !Instant.now().isBefore(expiresAt);
        }
    }

    private final String clientId;
    private final String clientSecret;
    private final Set<String> staticTokens;
    private final Duration accessTokenLifetime;
    private final Duration refreshTokenLifetime;
    private final ObjectMapper mapper = new ObjectMapper();
    private final SecureRandom random = new SecureRandom();
    private final Map<String, Grant> codes = new ConcurrentHashMap<>();
    private final Map<String, Grant> accessTokens = new ConcurrentHashMap<>();
    private final Map<String, Grant> refreshTokens = new ConcurrentHashMap<>();
    private final AtomicInteger unauthorizedAhead = new AtomicInteger();
    private final AtomicInteger tokensIssued = new AtomicInteger();

    OAuthServer(String clientId, String clientSecret, Set<String> staticTokens, Duration accessTokenLifetime,
            Duration refreshTokenLifetime) {
        this.clientId = clientId;
        this.clientSecret = clientSecret;
        this.staticTokens = Set.copyOf(staticTokens);
        this.accessTokenLifetime = accessTokenLifetime;
        this.refreshTokenLifetime = refreshTokenLifetime;
    }

    /**
     * {@code GET /oauth/?client_id=&redirect_uri=&response_type=code&scope=&state=}: the location the browser is sent
     * to after consent, {@code redirect_uri?code=...&state=...}.
     */
    String authorize(String rawQuery) {
        Map<String, String> query = form(rawQuery, AUTHORIZE_PARAMS, "query parameter");
        if (!clientId.equals(query.get("client_id"))) {
            throw ApiException.invalid("client_id is not the id of an app the emulator knows");
        }
        if (!"code".equals(query.get("response_type"))) {
            throw ApiException.invalid("response_type must be code");
        }
        String redirectUri = query.get("redirect_uri");
        if (redirectUri == null || !absoluteHttp(redirectUri)) {
            throw ApiException.invalid("redirect_uri must be an absolute http(s) URI");
        }
        Set<String> scopes = scopes(query.get("scope"));
        String code = newSecret("");
        codes.put(code, new Grant(scopes, redirectUri, Instant.now().plus(CODE_LIFETIME)));
        String state = query.get("state");
        return redirectUri + (redirectUri.contains("?") ? "&" : "?") + "code=" + encode(code)
                + (state == null ? "" : "&state=" + encode(state));
    }

    /** {@code POST /v5/oauth/token}. */
    ObjectNode token(String authorization, String contentType, byte[] body) {
        if (!clientAuthenticated(authorization)) {
            throw ApiException.unauthenticated();
        }
        if (contentType == null || !contentType.toLowerCase(Locale.ROOT).startsWith("application/x-www-form-urlencoded")) {
            throw ApiException.invalid("the body must be application/x-www-form-urlencoded");
        }
        Map<String, String> form = form(new String(body, StandardCharsets.UTF_8), TOKEN_PARAMS, "field");
        String continuous = form.get("continuous_refresh");
        if (continuous != null && !continuous.equals("true") && !continuous.equals("false")) {
            throw ApiException.invalid("continuous_refresh must be true or false");
        }
        String grantType = form.get("grant_type");
        if (grantType == null) {
            throw ApiException.invalid("grant_type is required");
        }
        return switch (grantType) {
            case "authorization_code" -> exchangeCode(form);
            case "refresh_token" -> refresh(form);
            case "client_credentials" -> throw ApiException.invalid("grant_type client_credentials is not supported by the emulator");
            default -> throw ApiException.invalid("grant_type must be authorization_code, refresh_token or client_credentials");
        };
    }

    private ObjectNode exchangeCode(Map<String, String> form) {
        String code = required(form, "code");
        String redirectUri = required(form, "redirect_uri");
        if (form.containsKey("refresh_token")) {
            throw ApiException.invalid("refresh_token does not belong to grant_type authorization_code");
        }
        // Removed at once: a code works once, whatever the outcome.
        Grant grant = codes.remove(code);
        if (grant == null || grant.expired()) {
            throw ApiException.invalidGrant("Invalid authorization code: unknown, expired or already used.");
        }
        if (!grant.redirectUri().equals(redirectUri)) {
            throw ApiException.invalidGrant("Invalid authorization code: redirect_uri does not match the authorization request.");
        }
        return issue(grant.scopes(), "authorization_code");
    }

    private ObjectNode refresh(Map<String, String> form) {
        String refreshToken = required(form, "refresh_token");
        if (form.containsKey("code") || form.containsKey("redirect_uri")) {
            throw ApiException.invalid("code and redirect_uri do not belong to grant_type refresh_token");
        }
        // Rotation: the refresh token is spent by this call, whatever its outcome.
        Grant grant = refreshTokens.remove(refreshToken);
        if (grant == null || grant.expired()) {
            throw ApiException.invalidGrant("Invalid refresh token.");
        }
        Set<String> scopes = grant.scopes();
        if (form.containsKey("scope")) {
            scopes = scopes(form.get("scope"));
            if (!grant.scopes().containsAll(scopes)) {
                throw ApiException.invalid("scope asks for more than the refresh token was granted");
            }
        }
        return issue(scopes, "refresh_token");
    }

    private ObjectNode issue(Set<String> scopes, String responseType) {
        Instant now = Instant.now();
        String accessToken = newSecret("pina_");
        String refreshToken = newSecret("pinr_");
        Instant refreshExpires = now.plus(refreshTokenLifetime);
        accessTokens.put(accessToken, new Grant(scopes, null, now.plus(accessTokenLifetime)));
        refreshTokens.put(refreshToken, new Grant(scopes, null, refreshExpires));
        tokensIssued.incrementAndGet();
        ObjectNode n = mapper.createObjectNode();
        n.put("access_token", accessToken);
        n.put("token_type", "bearer");
        n.put("expires_in", accessTokenLifetime.toSeconds());
        n.put("scope", scopeText(scopes));
        n.put("refresh_token", refreshToken);
        n.put("refresh_token_expires_in", refreshTokenLifetime.toSeconds());
        n.put("refresh_token_expires_at", refreshExpires.getEpochSecond());
        n.put("response_type", responseType);
        return n;
    }

    /**
     * Checks a bearer token for a call needing {@code scope}: unknown and expired tokens get 401 code 2, a token
     * without the scope 401 code 3, as Pinterest answers them.
     */
    void authenticate(String authorization, String scope) {
        if (unauthorizedAhead.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            throw ApiException.unauthenticated();
        }
        String prefix = "Bearer ";
        if (authorization == null || !authorization.regionMatches(true, 0, prefix, 0, prefix.length())) {
            throw ApiException.unauthenticated();
        }
        String token = authorization.substring(prefix.length());
        if (staticTokens.contains(token)) {
            return;
        }
        Grant grant = accessTokens.get(token);
        if (grant == null || grant.expired()) {
            throw ApiException.unauthenticated();
        }
        if (!grant.scopes().contains(scope)) {
            throw ApiException.insufficientScope(scope);
        }
    }

    void answerUnauthorized(int calls) {
        unauthorizedAhead.set(calls);
    }

    /** Every access token the token endpoint issued expires now, as tokens do when their time is up. */
    void expireAccessTokens() {
        Instant now = Instant.now();
        accessTokens.replaceAll((token, grant) -> new Grant(grant.scopes(), grant.redirectUri(), now));
    }

    int tokensIssued() {
        return tokensIssued.get();
    }

    private boolean clientAuthenticated(String authorization) {
        String prefix = "Basic ";
        if (authorization == null || !authorization.regionMatches(true, 0, prefix, 0, prefix.length())) {
            return false;
        }
        byte[] given;
        try {
            given = Base64.getDecoder().decode(authorization.substring(prefix.length()).strip());
        } catch (IllegalArgumentException e) {
            return false;
        }
        byte[] expected = (clientId + ":" + clientSecret).getBytes(StandardCharsets.UTF_8);
        return MessageDigest.isEqual(given, expected);
    }

    private static Set<String> scopes(String text) {
        if (text == null || text.isEmpty()) {
            throw ApiException.invalid("scope is required");
        }
        Set<String> scopes = Arrays.stream(text.split(",", -1)).collect(Collectors.toCollection(TreeSet::new));
        for (String scope : scopes) {
            if (!KNOWN_SCOPES.contains(scope)) {
                String shown = scope.length() > 40 ? scope.substring(0, 40) + "..." : scope;
                throw ApiException.invalid("scope '" + shown + "' is not a Pinterest scope (comma-separated, e.g. ads:read,ads:write)");
            }
        }
        return Set.copyOf(scopes);
    }

    private static String scopeText(Set<String> scopes) {
        return scopes.stream().sorted().collect(Collectors.joining(","));
    }

    private static String required(Map<String, String> form, String field) {
        String value = form.get(field);
        if (value == null || value.isEmpty()) {
            throw ApiException.invalid(field + " is required");
        }
        return value;
    }

    /** Strict form or query decoding: known names only, each at most once, proper percent-encoding. */
    private static Map<String, String> form(String raw, Set<String> allowed, String what) {
        Map<String, String> params = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return params;
        }
        for (String pair : raw.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String key;
            String value;
            try {
                key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw ApiException.invalid("the " + what + "s are not properly percent-encoded");
            }
            if (!allowed.contains(key)) {
                String shown = key.length() > 64 ? key.substring(0, 64) + "..." : key;
                throw ApiException.invalid("unknown " + what + " '" + shown + "'");
            }
            if (params.put(key, value) != null) {
                throw ApiException.invalid(what + " '" + key + "' is given more than once");
            }
        }
        return params;
    }

    private static boolean absoluteHttp(String uri) {
        try {
            URI parsed = new URI(uri);
            return ("http".equals(parsed.getScheme()) || "https".equals(parsed.getScheme())) && parsed.getHost() != null
                    && parsed.getFragment() == null;
        } catch (URISyntaxException e) {
            return false;
        }
    }

    private String newSecret(String prefix) {
        byte[] bytes = new byte[24];
        random.nextBytes(bytes);
        return prefix + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
