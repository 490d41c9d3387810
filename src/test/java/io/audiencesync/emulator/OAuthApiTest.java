package io.audiencesync.emulator;

import static io.audiencesync.emulator.EmulatorClient.ACCOUNT;
import static io.audiencesync.emulator.EmulatorClient.LISTS;
import static io.audiencesync.emulator.EmulatorClient.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.audiencesync.emulator.EmulatorClient.Answer;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The emulator's OAuth: authorize page, token endpoint (both grants), expiring and rotating tokens, scopes. */
class OAuthApiTest {

    private static final String REDIRECT = "http://localhost:8085/callback";
    private static final String FORM = "application/x-www-form-urlencoded";

    private PinterestEmulator emu;
    private EmulatorClient client;

    @BeforeEach
    void start() {
        emu = PinterestEmulator.builder().start();
        client = new EmulatorClient(emu);
    }

    @AfterEach
    void stop() {
        emu.close();
    }

    private static String basic(String id, String secret) {
        return "Basic " + Base64.getEncoder().encodeToString((id + ":" + secret).getBytes(StandardCharsets.UTF_8));
    }

    private static final String CLIENT = basic(PinterestEmulator.DEFAULT_CLIENT_ID, PinterestEmulator.DEFAULT_CLIENT_SECRET);

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private Answer authorize(String query) {
        return client.sendTo(emu.authorizeUrl() + "?" + query, "GET", null, null);
    }

    private String code(String scope) {
        Answer answer = authorize("client_id=" + PinterestEmulator.DEFAULT_CLIENT_ID + "&redirect_uri=" + enc(REDIRECT)
                + "&response_type=code&scope=" + enc(scope) + "&state=s1");
        assertThat(answer.status()).isEqualTo(302);
        return query(answer.headers().firstValue("Location").orElseThrow()).get("code");
    }

    private Answer token(String form) {
        return client.postRaw(emu.tokenUrl(), form, FORM, CLIENT);
    }

    private Answer exchange(String code) {
        return token("grant_type=authorization_code&code=" + enc(code) + "&redirect_uri=" + enc(REDIRECT) + "&continuous_refresh=true");
    }

    private Answer refresh(String refreshToken) {
        return token("grant_type=refresh_token&refresh_token=" + enc(refreshToken) + "&continuous_refresh=true");
    }

    private static Map<String, String> query(String location) {
        Map<String, String> out = new HashMap<>();
        for (String pair : URI.create(location).getRawQuery().split("&")) {
            String[] kv = pair.split("=", 2);
            out.put(kv[0], URLDecoder.decode(kv[1], StandardCharsets.UTF_8));
        }
        return out;
    }

    private static void assertError(Answer answer, int status, int code) {
        assertThat(answer.status()).as(answer.json().toString()).isEqualTo(status);
        assertThat(answer.code()).isEqualTo(code);
        assertThat(answer.json().path("message").isTextual()).isTrue();
    }

    @Test
    void theAuthorizePageRedirectsToTheRedirectUriWithACodeAndTheState() {
        Answer answer = authorize("client_id=" + PinterestEmulator.DEFAULT_CLIENT_ID + "&redirect_uri=" + enc(REDIRECT)
                + "&response_type=code&scope=" + enc("ads:read,ads:write") + "&state=" + enc("a b/c"));
        assertThat(answer.status()).isEqualTo(302);
        String location = answer.headers().firstValue("Location").orElseThrow();
        assertThat(location).startsWith(REDIRECT + "?code=");
        assertThat(query(location)).containsEntry("state", "a b/c").hasSize(2);
        assertThat(query(location).get("code")).hasSizeGreaterThan(20);
    }

    @Test
    void theAuthorizePageRefusesWhatPinterestWouldNotAccept() {
        String good = "&redirect_uri=" + enc(REDIRECT) + "&response_type=code&scope=ads:read";
        assertError(authorize("client_id=999" + good), 400, 1);
        assertError(authorize("client_id=" + PinterestEmulator.DEFAULT_CLIENT_ID + "&redirect_uri=" + enc(REDIRECT)
                + "&response_type=token&scope=ads:read"), 400, 1);
        assertError(authorize("client_id=" + PinterestEmulator.DEFAULT_CLIENT_ID + "&redirect_uri=" + enc(REDIRECT)
                + "&response_type=code&scope=ads:everything"), 400, 1);
        assertError(authorize("client_id=" + PinterestEmulator.DEFAULT_CLIENT_ID + "&redirect_uri=" + enc(REDIRECT)
                + "&response_type=code"), 400, 1);
        assertError(authorize("client_id=" + PinterestEmulator.DEFAULT_CLIENT_ID + "&redirect_uri=ftp%3A%2F%2Fx"
                + "&response_type=code&scope=ads:read"), 400, 1);
        assertError(authorize("client_id=" + PinterestEmulator.DEFAULT_CLIENT_ID + good + "&prompt=none"), 400, 1);
        assertThat(emu.calls()).allSatisfy(c -> assertThat(c.status()).isEqualTo(400));
    }

    @Test
    void aCodeIsExchangedOnceForTokensInTheSpecShape() {
        String code = code("ads:read,ads:write");
        Answer answer = exchange(code);

        assertThat(answer.status()).as(answer.json().toString()).isEqualTo(200);
        var json = answer.json();
        assertThat(json.get("access_token").asText()).startsWith("pina_");
        assertThat(json.get("token_type").asText()).isEqualTo("bearer");
        assertThat(json.get("expires_in").asLong()).isEqualTo(Duration.ofDays(30).toSeconds());
        assertThat(json.get("scope").asText()).isEqualTo("ads:read,ads:write");
        assertThat(json.get("refresh_token").asText()).startsWith("pinr_");
        assertThat(json.get("refresh_token_expires_in").asLong()).isEqualTo(Duration.ofDays(60).toSeconds());
        assertThat(json.get("refresh_token_expires_at").asLong())
                .isCloseTo(Instant.now().plus(Duration.ofDays(60)).getEpochSecond(), within(5L));
        assertThat(json.get("response_type").asText()).isEqualTo("authorization_code");
        assertThat(answer.headers().firstValue("Content-Type")).hasValue("application/json");

        String accessToken = json.get("access_token").asText();
        assertThat(client.send("GET", LISTS, null, accessToken).status()).isEqualTo(200);

        Answer again = exchange(code);
        assertError(again, 400, 283);
        assertThat(emu.tokensIssued()).isEqualTo(1);
    }

    @Test
    void aCodeIsBoundToItsRedirectUriAndSpentByAWrongOne() {
        String code = code("ads:read");
        Answer wrong = token("grant_type=authorization_code&code=" + enc(code) + "&redirect_uri=" + enc("http://localhost:9999/"));
        assertError(wrong, 400, 283);
        assertThat(wrong.message()).contains("redirect_uri");
        assertError(exchange(code), 400, 283);
        assertError(exchange("never-issued"), 400, 283);
        assertThat(emu.tokensIssued()).isZero();
    }

    @Test
    void theTokenEndpointChecksTheAppsBasicCredentials() {
        String code = code("ads:read");
        String form = "grant_type=authorization_code&code=" + enc(code) + "&redirect_uri=" + enc(REDIRECT);
        assertError(client.postRaw(emu.tokenUrl(), form, FORM, null), 401, 2);
        assertError(client.postRaw(emu.tokenUrl(), form, FORM, basic(PinterestEmulator.DEFAULT_CLIENT_ID, "wrong")), 401, 2);
        assertError(client.postRaw(emu.tokenUrl(), form, FORM, "Bearer " + PinterestEmulator.DEFAULT_ACCESS_TOKEN), 401, 2);
        assertError(client.postRaw(emu.tokenUrl(), form, FORM, "Basic %%%"), 401, 2);
        assertThat(emu.tokensIssued()).isZero();
        assertThat(exchange(code).status()).as("a refused client does not spend the code").isEqualTo(200);
    }

    @Test
    void customClientCredentialsReplaceTheDefaults() {
        try (PinterestEmulator custom = PinterestEmulator.builder().clientCredentials("42", "s3cret").start()) {
            EmulatorClient c = new EmulatorClient(custom);
            Answer page = c.sendTo(custom.authorizeUrl() + "?client_id=42&redirect_uri=" + enc(REDIRECT)
                    + "&response_type=code&scope=ads:read", "GET", null, null);
            assertThat(page.status()).isEqualTo(302);
            String code = query(page.headers().firstValue("Location").orElseThrow()).get("code");
            String form = "grant_type=authorization_code&code=" + enc(code) + "&redirect_uri=" + enc(REDIRECT);
            assertError(c.postRaw(custom.tokenUrl(), form, FORM, CLIENT), 401, 2);
            assertThat(c.postRaw(custom.tokenUrl(), form, FORM, basic("42", "s3cret")).status()).isEqualTo(200);
        }
    }

    @Test
    void theTokenEndpointTakesOnlyStrictFormBodies() {
        String code = code("ads:read");
        String form = "grant_type=authorization_code&code=" + enc(code) + "&redirect_uri=" + enc(REDIRECT);
        assertError(client.postRaw(emu.tokenUrl(), json("grant_type", "authorization_code"), "application/json", CLIENT), 400, 1);
        assertError(token(form + "&client_secret=x"), 400, 1);
        assertError(token(form + "&grant_type=refresh_token"), 400, 1);
        assertError(token("code=" + enc(code) + "&redirect_uri=" + enc(REDIRECT)), 400, 1);
        assertError(token("grant_type=client_credentials"), 400, 1);
        assertError(token("grant_type=password"), 400, 1);
        assertError(token(form + "&continuous_refresh=yes"), 400, 1);
        assertError(token("grant_type=authorization_code&redirect_uri=" + enc(REDIRECT)), 400, 1);
        assertError(token(form + "&refresh_token=x"), 400, 1);
        assertError(token("grant_type=authorization_code&code=%zz"), 400, 1);
        Answer get = client.sendTo(emu.tokenUrl(), "GET", null, CLIENT);
        assertError(get, 405, 405);
        assertThat(get.headers().firstValue("Allow")).hasValue("POST");
        assertThat(exchange(code).status()).as("malformed requests do not spend the code").isEqualTo(200);
    }

    @Test
    void aRefreshRotatesTheRefreshTokenAndTheOldOneStopsWorking() {
        var first = exchange(code("ads:read,ads:write")).json();
        String refresh1 = first.get("refresh_token").asText();

        Answer answer = refresh(refresh1);
        assertThat(answer.status()).isEqualTo(200);
        var second = answer.json();
        assertThat(second.get("response_type").asText()).isEqualTo("refresh_token");
        assertThat(second.get("scope").asText()).isEqualTo("ads:read,ads:write");
        String refresh2 = second.get("refresh_token").asText();
        assertThat(refresh2).isNotEqualTo(refresh1);
        assertThat(second.get("access_token").asText()).isNotEqualTo(first.get("access_token").asText());
        assertThat(client.send("GET", LISTS, null, second.get("access_token").asText()).status()).isEqualTo(200);

        Answer reused = refresh(refresh1);
        assertError(reused, 400, 283);
        assertThat(reused.message()).isEqualTo("Invalid refresh token.");
        assertThat(refresh(refresh2).status()).isEqualTo(200);
        assertError(refresh("pinr_made_up"), 400, 283);
    }

    @Test
    void aRefreshCannotWidenTheScope() {
        String refreshToken = exchange(code("ads:read")).json().get("refresh_token").asText();
        assertError(token("grant_type=refresh_token&refresh_token=" + enc(refreshToken) + "&scope=" + enc("ads:read,ads:write")),
                400, 1);
    }

    @Test
    void issuedAccessTokensExpireAfterTheirLifetimeButBuilderTokensDoNot() throws InterruptedException {
        try (PinterestEmulator shortLived = PinterestEmulator.builder().accessTokenLifetime(Duration.ofSeconds(1))
                .refreshTokenLifetime(Duration.ofSeconds(1)).start()) {
            EmulatorClient c = new EmulatorClient(shortLived);
            Answer page = c.sendTo(shortLived.authorizeUrl() + "?client_id=" + PinterestEmulator.DEFAULT_CLIENT_ID
                    + "&redirect_uri=" + enc(REDIRECT) + "&response_type=code&scope=ads:read", "GET", null, null);
            String code = query(page.headers().firstValue("Location").orElseThrow()).get("code");
            var tokens = c.postRaw(shortLived.tokenUrl(), "grant_type=authorization_code&code=" + enc(code) + "&redirect_uri="
                    + enc(REDIRECT), FORM, CLIENT).json();
            assertThat(tokens.get("expires_in").asLong()).isEqualTo(1);
            String token = tokens.get("access_token").asText();
            assertThat(c.send("GET", LISTS, null, token).status()).isEqualTo(200);

            Thread.sleep(1_100);

            assertError(c.send("GET", LISTS, null, token), 401, 2);
            assertError(c.postRaw(shortLived.tokenUrl(), "grant_type=refresh_token&refresh_token="
                    + enc(tokens.get("refresh_token").asText()), FORM, CLIENT), 400, 283);
            assertThat(c.send("GET", LISTS, null, PinterestEmulator.DEFAULT_ACCESS_TOKEN).status()).isEqualTo(200);
        }
    }

    @Test
    void aTokenWithoutAdsWriteCanReadButNotWrite() {
        String token = exchange(code("ads:read")).json().get("access_token").asText();
        assertThat(client.send("GET", LISTS, null, token).status()).isEqualTo(200);
        Answer write = client.send("POST", LISTS, json("name", "n", "records", "a@b.co"), token);
        assertError(write, 401, 3);
        assertThat(emu.customerLists()).isEmpty();
    }

    @Test
    void theTestHookMakesExactlyTheNextNAuthenticatedCallsAnswer401() {
        emu.failNextAuthenticatedCalls(2);
        assertThat(exchange(code("ads:read")).status()).as("the token endpoint is not a bearer call").isEqualTo(200);
        assertError(client.get(LISTS), 401, 2);
        assertError(client.get(LISTS), 401, 2);
        assertThat(client.get(LISTS).status()).isEqualTo(200);
        assertThat(client.get(LISTS).status()).isEqualTo(200);
    }

    @Test
    void theAdAccountCanBeReadWithTheFieldsAClientChecks() {
        Answer answer = client.get("/ad_accounts/" + ACCOUNT);
        assertThat(answer.status()).isEqualTo(200);
        var json = answer.json();
        assertThat(json.get("id").asText()).isEqualTo(ACCOUNT);
        assertThat(json.get("name").asText()).isNotBlank();
        assertThat(json.get("owner").get("username").asText()).isEqualTo("emulator");
        assertThat(json.get("country").asText()).isEqualTo("US");
        assertThat(json.get("currency").asText()).isEqualTo("USD");

        assertError(client.get("/ad_accounts/123"), 403, 29);
        assertError(client.send("GET", "/ad_accounts/" + ACCOUNT, null, null), 401, 2);
        Answer post = client.post("/ad_accounts/" + ACCOUNT, "{}");
        assertError(post, 405, 405);
        assertThat(post.headers().firstValue("Allow")).hasValue("GET");
        assertThat(emu.writeCalls()).as("the ad account is not a list or audience write").isZero();
    }

    @Test
    void anAudienceSizeIsNullUntilReported() {
        // Was with the default builder: sizes now come on their own after the size delay, an hour here.
        try (PinterestEmulator lagging = PinterestEmulator.builder().sizeDelay(java.time.Duration.ofHours(1)).start()) {
            EmulatorClient c = new EmulatorClient(lagging);
            String listId = c.createList("l", "a@b.co");
            String audienceId = lagging.seedAudience(ACCOUNT, "Audience-l", listId);
            assertThat(c.get(EmulatorClient.AUDIENCES + "/" + audienceId).json().get("size").isNull()).isTrue();
            lagging.reportAudienceSize(audienceId, 1234);
            assertThat(c.get(EmulatorClient.AUDIENCES + "/" + audienceId).json().get("size").asLong()).isEqualTo(1234);
        }
    }
}
