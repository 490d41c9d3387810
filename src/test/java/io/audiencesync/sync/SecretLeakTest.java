package io.audiencesync.sync;

import io.audiencesync.emulator.PinterestEmulator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Distinctive secrets in every setting that can hold one, errors forced on the paths where a library echoes them (a
 * JDBC URL with user-info to a host nobody answers on, a refresh token Pinterest refuses, a state database that is
 * down), the real process at the default level and at TRACE for every logger: no secret in the output, the data
 * directory, the reports or the dead letters.
 */
class SecretLeakTest {

    private static final String URL_PASSWORD = "UrlPass-9c3e41";
    private static final String JDBC_PASSWORD = "JdbcPass-77aa0f";
    private static final String CLIENT_SECRET = "ClientSecret-5f1e9a";
    private static final String REFRESH_TOKEN = "RefreshTok-1a2b3c";
    private static final String STATE_URL_PASSWORD = "StateUrlPw-5e6f70";
    private static final String STATE_PASSWORD = "StatePw-8d9e01";
    private static final String WRONG_ACCESS_TOKEN = "WrongAccess-3c4d5e";
    /** The app's credentials as the token endpoint's Authorization header carries them. */
    private static final String BASIC_CREDENTIALS = java.util.Base64.getEncoder().encodeToString(
            (PinterestEmulator.DEFAULT_CLIENT_ID + ":" + CLIENT_SECRET).getBytes(java.nio.charset.StandardCharsets.UTF_8));
    private static final List<String> SECRETS = List.of(URL_PASSWORD, JDBC_PASSWORD, CLIENT_SECRET, REFRESH_TOKEN,
            STATE_URL_PASSWORD, STATE_PASSWORD, WRONG_ACCESS_TOKEN, PinterestEmulator.DEFAULT_ACCESS_TOKEN, BASIC_CREDENTIALS);

    @TempDir
    Path dir;
    private PinterestEmulator emulator;

    @BeforeEach
    void start() {
        emulator = PinterestEmulator.builder().port(0).start();
    }

    @AfterEach
    void stop() {
        emulator.close();
    }

    private ChildSync child(String scenario, String level) {
        ChildSync child = new ChildSync(emulator, dir.resolve(scenario + "-" + level));
        if (level.equals("TRACE")) {
            child.jvm("-Dlogging.level=TRACE", "-Dlogging.level.org.apache.camel=TRACE",
                    "-Dlogging.level.org.apache.camel.component.properties=TRACE", "-Dlogging.level.com.zaxxer=TRACE",
                    "-Dlogging.level.org.postgresql=TRACE", "-Dlogging.level.org.apache.hc=TRACE");
        }
        child.settings.put("pinterest.client-id", PinterestEmulator.DEFAULT_CLIENT_ID);
        child.settings.put("pinterest.client-secret", CLIENT_SECRET);
        return child;
    }

    @ParameterizedTest
    @ValueSource(strings = {"INFO", "TRACE"})
    void noSecretReachesAnyOutput(String level) throws Exception {
        Map<String, Map<String, String>> scenarios = Map.of(
                "jdbc-source-unreachable", Map.of(
                        "source.jdbc.url", "jdbc:postgresql://leakuser:" + URL_PASSWORD + "@127.0.0.1:1/test",
                        "source.jdbc.password", JDBC_PASSWORD,
                        "source.jdbc.query", "SELECT email FROM customers",
                        "source.jdbc.connect-timeout-seconds", "1"),
                "access-token-refused-401", Map.of(
                        "pinterest.access-token", WRONG_ACCESS_TOKEN),
                "refresh-token-refused", Map.of(
                        "pinterest.access-token", "",
                        "pinterest.refresh-token", REFRESH_TOKEN),
                "state-database-down", Map.of(
                        "state.store", "postgres",
                        "state.jdbc-url", "jdbc:postgresql://stateuser:" + STATE_URL_PASSWORD + "@127.0.0.1:1/test",
                        "state.jdbc-password", STATE_PASSWORD));
        for (Map.Entry<String, Map<String, String>> scenario : scenarios.entrySet()) {
            ChildSync child = child(scenario.getKey(), level);
            child.settings.putAll(scenario.getValue());
            Files.createDirectories(child.inbox());
            Files.writeString(child.inbox().resolve("day1.csv"), "email\na@example.com\n");

            assertThat(child.run()).as(scenario.getKey() + " fails: " + child.log()).isNotZero();

            String log = child.log();
            if (level.equals("TRACE")) {
                assertThat(log).as("trace logging was on").contains(" TRACE ");
            }
            for (String secret : SECRETS) {
                assertThat(log).as(scenario.getKey() + ": the output holds " + secret).doesNotContain(secret);
            }
            Path data = child.dir.resolve("data");
            if (Files.exists(data)) {
                try (Stream<Path> files = Files.walk(data)) {
                    for (Path file : files.filter(Files::isRegularFile).toList()) {
                        String content = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
                        for (String secret : SECRETS) {
                            assertThat(content).as(file + " holds " + secret).doesNotContain(secret);
                        }
                    }
                }
            }
        }
    }
}
