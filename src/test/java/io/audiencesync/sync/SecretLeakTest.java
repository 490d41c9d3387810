package io.audiencesync.sync;

import io.audiencesync.pinterest.emulator.PinterestEmulator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Distinctive secrets in every setting that can hold one, errors forced where a library echoes them (a JDBC URL with
 * user-info and a host nobody answers on), the real process at TRACE for every logger: no secret in the output,
 * the data directory or the reports.
 */
class SecretLeakTest {

    private static final String URL_PASSWORD = "UrlPass-9c3e41";
    private static final String JDBC_PASSWORD = "JdbcPass-77aa0f";
    private static final String CLIENT_SECRET = "ClientSecret-5f1e9a";

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

    @Test
    void noSecretReachesAnyOutputEvenAtTrace() throws Exception {
        ChildSync child = new ChildSync(emulator, dir)
                .jvm("-Dlogging.level=TRACE", "-Dlogging.level.org.apache.camel=TRACE",
                        "-Dlogging.level.org.apache.camel.component.properties=TRACE", "-Dlogging.level.com.zaxxer=TRACE",
                        "-Dlogging.level.org.postgresql=TRACE");
        child.settings.put("pinterest.client-id", PinterestEmulator.DEFAULT_CLIENT_ID);
        child.settings.put("pinterest.client-secret", CLIENT_SECRET);
        child.settings.put("source.jdbc.url", "jdbc:postgresql://leakuser:" + URL_PASSWORD + "@127.0.0.1:1/test");
        child.settings.put("source.jdbc.password", JDBC_PASSWORD);
        child.settings.put("source.jdbc.query", "SELECT email FROM customers");
        child.settings.put("source.jdbc.connect-timeout-seconds", "1");

        assertThat(child.run()).as(child.log()).isEqualTo(1);

        String log = child.log();
        assertThat(log).as("trace logging was on").contains(" TRACE ");
        List<String> secrets = List.of(URL_PASSWORD, JDBC_PASSWORD, CLIENT_SECRET, PinterestEmulator.DEFAULT_ACCESS_TOKEN);
        for (String secret : secrets) {
            assertThat(log).as("the log holds " + secret).doesNotContain(secret);
        }
        try (Stream<Path> files = Files.walk(dir.resolve("data"))) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                String content = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
                for (String secret : secrets) {
                    assertThat(content).as(file + " holds " + secret).doesNotContain(secret);
                }
            }
        }
    }
}
