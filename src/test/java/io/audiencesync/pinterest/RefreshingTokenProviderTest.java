package io.audiencesync.pinterest;

import io.audiencesync.TestOAuth;
import io.audiencesync.emulator.PinterestEmulator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The token lifecycle against the emulator's token endpoint over loopback HTTP; the provider's clock is moved by hand. */
class RefreshingTokenProviderTest {

    @TempDir
    Path dir;
    private PinterestEmulator emulator;
    private PinterestOAuth oauth;
    private TokenFile file;

    /** A clock a test moves forward; the emulator keeps real time. */
    private static final class MovableClock extends Clock {
        Instant now = Instant.now();

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }

    @BeforeEach
    void start() {
        emulator = PinterestEmulator.builder().start();
        oauth = TestOAuth.oauth(emulator);
        file = new TokenFile(dir.resolve("pinterest-token.json"));
    }

    @AfterEach
    void stop() {
        emulator.close();
    }

    @Test
    void theAccessTokenIsRefreshedOnlyWhenItExpiresWithinFiveMinutes() {
        StoredToken first = TestOAuth.tokenFile(emulator, file.path());
        MovableClock clock = new MovableClock();
        RefreshingTokenProvider tokens = new RefreshingTokenProvider(oauth, file, clock);

        clock.now = first.expiresAt().minus(Duration.ofMinutes(6));
        assertThat(tokens.accessToken()).isEqualTo(first.accessToken());
        assertThat(emulator.tokensIssued()).isEqualTo(1);

        clock.now = first.expiresAt().minus(Duration.ofMinutes(4));
        String refreshed = tokens.accessToken();

        assertThat(refreshed).isNotEqualTo(first.accessToken());
        assertThat(emulator.tokensIssued()).isEqualTo(2);
        StoredToken saved = file.load();
        assertThat(saved.accessToken()).isEqualTo(refreshed);
        assertThat(saved.expiresAt()).isEqualTo(clock.now.plus(Duration.ofDays(30)).truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
        assertThat(saved.adAccountId()).isEqualTo(PinterestEmulator.DEFAULT_AD_ACCOUNT_ID);
        assertThat(tokens.accessToken()).as("no second refresh for a fresh token").isEqualTo(refreshed);
        assertThat(emulator.tokensIssued()).isEqualTo(2);
    }

    @Test
    void everyRefreshPersistsTheNewRefreshTokenAndTheOldOneIsSpent() throws java.io.IOException {
        StoredToken first = TestOAuth.tokenFile(emulator, file.path());
        RefreshingTokenProvider tokens = new RefreshingTokenProvider(oauth, file, Clock.systemUTC());

        assertThat(tokens.refreshAfterUnauthorized(first.accessToken())).isPresent();
        StoredToken second = file.load();
        assertThat(second.refreshToken()).isNotEqualTo(first.refreshToken());
        assertThat(second.refreshTokenExpiresAt()).isAfter(Instant.now().plus(Duration.ofDays(59)));

        tokens.refreshAfterUnauthorized(second.accessToken());
        StoredToken third = file.load();
        assertThat(third.refreshToken()).isNotIn(first.refreshToken(), second.refreshToken());

        assertThatThrownBy(() -> oauth.refresh(second.refreshToken())).isInstanceOf(InvalidGrantException.class);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file.path()))).isEqualTo("rw-------");
    }

    @Test
    void a401ForATokenAlreadyReplacedDoesNotRefreshAgain() {
        StoredToken first = TestOAuth.tokenFile(emulator, file.path());
        RefreshingTokenProvider tokens = new RefreshingTokenProvider(oauth, file, Clock.systemUTC());
        String second = tokens.refreshAfterUnauthorized(first.accessToken()).orElseThrow();
        // A call that went out with the first token and came back 401 after another call refreshed.
        assertThat(tokens.refreshAfterUnauthorized(first.accessToken())).hasValue(second);
        assertThat(emulator.tokensIssued()).isEqualTo(2);
    }

    @Test
    void anotherProcessThatRefreshedMeanwhileIsFollowedNotRaced() {
        StoredToken first = TestOAuth.tokenFile(emulator, file.path());
        RefreshingTokenProvider processA = new RefreshingTokenProvider(oauth, file, Clock.systemUTC());
        RefreshingTokenProvider processB = new RefreshingTokenProvider(oauth, file, Clock.systemUTC());

        String fromA = processA.refreshAfterUnauthorized(first.accessToken()).orElseThrow();
        // B still holds the first tokens; spending its refresh token again would fail with code 283.
        String fromB = processB.refreshAfterUnauthorized(first.accessToken()).orElseThrow();

        assertThat(fromB).isEqualTo(fromA);
        assertThat(emulator.tokensIssued()).isEqualTo(2);
    }

    @Test
    void aRevokedRefreshTokenIsAnInvalidGrantThatSaysToRunAuth() {
        StoredToken first = TestOAuth.tokenFile(emulator, file.path());
        oauth.refresh(first.refreshToken());
        file.save(new StoredToken(first.accessToken(), first.refreshToken(), Instant.now().minusSeconds(1),
                first.refreshTokenExpiresAt(), first.scope(), first.adAccountId()));
        RefreshingTokenProvider tokens = new RefreshingTokenProvider(oauth, file, Clock.systemUTC());

        assertThatThrownBy(tokens::accessToken)
                .isInstanceOf(InvalidGrantException.class)
                .hasMessageContaining("code 283")
                .hasMessageNotContaining(first.refreshToken())
                .satisfies(e -> assertThat(((InvalidGrantException) e).advice()).contains("auth' again"));
        assertThat(file.load().refreshToken()).as("a failed refresh leaves the file alone").isEqualTo(first.refreshToken());
    }

    @Test
    void aRefreshTokenFromTheSettingsIsExchangedAtOnceAndTheTokenFileTakesOver() {
        String setting = TestOAuth.grant(emulator).refreshToken();

        RefreshingTokenProvider tokens = RefreshingTokenProvider.start(oauth, file, setting, "549755885175", Clock.systemUTC());

        assertThat(file.exists()).isTrue();
        StoredToken saved = file.load();
        assertThat(saved.refreshToken()).isNotEqualTo(setting);
        assertThat(saved.adAccountId()).isEqualTo("549755885175");
        assertThat(tokens.accessToken()).isEqualTo(saved.accessToken());
        assertThatThrownBy(() -> oauth.refresh(setting)).as("rotated away").isInstanceOf(InvalidGrantException.class);
        assertThat(tokens.expiry().refreshable()).isTrue();
        assertThat(tokens.expiry().refreshTokenExpiresAt()).isEqualTo(saved.refreshTokenExpiresAt());
        assertThat(tokens.toString()).doesNotContain(saved.accessToken());
    }

    @Test
    void theRefreshTokenWarningStartsSevenDaysBeforeItsExpiry() {
        Instant now = Instant.parse("2030-01-01T00:00:00Z");
        TokenProvider.Expiry far = new TokenProvider.Expiry("f", true, now, now.plus(Duration.ofDays(8)));
        TokenProvider.Expiry near = new TokenProvider.Expiry("f", true, now, now.plus(Duration.ofDays(6)));
        TokenProvider.Expiry past = new TokenProvider.Expiry("f", true, now, now.minusSeconds(1));
        assertThat(far.refreshTokenWarning(now)).isEmpty();
        assertThat(near.refreshTokenWarning(now)).hasValueSatisfying(w -> assertThat(w).contains("expires at 2030-01-07")
                .contains("in 6 days").contains("auth"));
        assertThat(past.refreshTokenWarning(now)).hasValueSatisfying(w -> assertThat(w).contains("expired"));
        assertThat(TokenProvider.fixed("pina_x").expiry().refreshTokenWarning(now)).isEmpty();
    }

    @Test
    void aRefreshTokenWhoseAnswerGivesNoExpiryIsKeptWithSixtyDaysFromItsRefreshAndWhatTheAnswerGivesWins() {
        Instant now = Instant.parse("2030-01-01T00:00:00Z");
        TokenGrant silent = new TokenGrant("pina_a", "bearer", 2592000L, "ads:read,ads:write", "pinr_r", null, null);
        assertThat(StoredToken.issued(silent, now, null).refreshTokenExpiresAt()).isEqualTo(now.plus(Duration.ofDays(60)));
        StoredToken renewed = StoredToken.issued(silent, now, null).renewedBy(silent, now.plus(Duration.ofDays(10)));
        assertThat(renewed.refreshTokenExpiresAt()).as("continuous refresh: 60 days from the last refresh")
                .isEqualTo(now.plus(Duration.ofDays(70)));
        TokenGrant in = new TokenGrant("pina_a", "bearer", 2592000L, "s", "pinr_r", 86400L, null);
        assertThat(StoredToken.issued(in, now, null).refreshTokenExpiresAt()).isEqualTo(now.plus(Duration.ofDays(1)));
        TokenGrant at = new TokenGrant("pina_a", "bearer", 2592000L, "s", "pinr_r", 86400L, now.plusSeconds(5).getEpochSecond());
        assertThat(StoredToken.issued(at, now, null).refreshTokenExpiresAt()).isEqualTo(now.plusSeconds(5));
        TokenGrant none = new TokenGrant("pina_a", "bearer", 2592000L, "s", null, null, null);
        assertThat(StoredToken.issued(none, now, null).refreshTokenExpiresAt()).as("no refresh token, no expiry").isNull();
    }
}
