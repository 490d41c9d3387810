package io.audiencesync.cli;

import io.audiencesync.emulator.PinterestEmulator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a person sees when Pinterest refuses or fails a call: one clear line naming the call and the fix, never
 * Camel's "Failed delivery" lines for a failure that is not tried again; a try that is repeated is one line each.
 */
class PinterestFailureLinesTest {

    private static final String REFUSED = "Pinterest did not accept pinterest.access-token";

    @TempDir
    Path dir;
    private PinterestEmulator emulator;
    private final Map<String, String> settings = new HashMap<>();

    @BeforeEach
    void start() {
        emulator = PinterestEmulator.builder().port(0).start();
        settings.put("pinterest.api-url", emulator.baseUrl());
        settings.put("pinterest.ad-account-id", PinterestEmulator.DEFAULT_AD_ACCOUNT_ID);
        settings.put("pinterest.access-token", "not-the-emulators-token");
        settings.put("sync.name", "Users 1");
        settings.put("sync.data-dir", dir.resolve("data").toString());
        settings.put("source.file.stable-seconds", "0");
        settings.put("pinterest.retry-base-delay-ms", "10");
    }

    @AfterEach
    void stop() {
        emulator.close();
    }

    private static int count(String text, String part) {
        return (int) Pattern.compile(Pattern.quote(part)).matcher(text).results().count();
    }

    @Test
    void aWrongTokenIsOneClearLineInCheckStatusAudiencesAndRunNeverCamelsFailedDeliveryLines() throws IOException {
        CliHarness.Result check = CliHarness.execute(dir, settings, "check");
        assertThat(check.code()).isEqualTo(2);
        assertThat(check.err()).doesNotContain("Failed delivery").isBlank();
        assertThat(count(check.out(), REFUSED)).isOne();
        assertThat(check.out()).contains("PROBLEM: GET ad account " + PinterestEmulator.DEFAULT_AD_ACCOUNT_ID
                + ": Pinterest answered HTTP 401");

        for (String command : new String[] {"status", "audiences"}) {
            CliHarness.Result result = CliHarness.execute(dir, settings, command);
            assertThat(result.code()).as(command).isEqualTo(2);
            assertThat(result.err().strip().lines()).as(command).singleElement().asString().contains(REFUSED)
                    .contains("run 'pinterest-audience-sync auth'");
        }

        Files.createDirectories(dir.resolve("data/inbox"));
        Files.writeString(dir.resolve("data/inbox/day1.csv"), "email\na@example.com\n");
        CliHarness.Result run = CliHarness.execute(dir, settings, "run", "--once");
        assertThat(run.code()).isEqualTo(2);
        assertThat(run.err()).doesNotContain("Failed delivery").doesNotContain("DefaultErrorHandler");
        assertThat(run.out()).contains("STOPPED").contains("Pinterest did");
    }

    @Test
    void aCallThatIsTriedAgainIsOneLineATryNamingTheCallTheAnswerAndTheTry() throws IOException {
        settings.put("pinterest.access-token", PinterestEmulator.DEFAULT_ACCESS_TOKEN);
        emulator.faults().failWrites(2, 503);
        Files.createDirectories(dir.resolve("data/inbox"));
        Files.writeString(dir.resolve("data/inbox/day1.csv"), "email\na@example.com\n");

        CliHarness.Result run = CliHarness.execute(dir, settings, "run", "--once");

        assertThat(run.code()).as(run.out() + run.err()).isZero();
        assertThat(run.err()).doesNotContain("Failed delivery");
        assertThat(run.err().lines().filter(l -> l.contains("trying again"))).hasSize(2)
                .allSatisfy(l -> assertThat(l).contains("WARN").contains("HTTP 503").contains("request id"))
                .anySatisfy(l -> assertThat(l).contains("(try 2 of 6)"))
                .anySatisfy(l -> assertThat(l).contains("(try 3 of 6)"));
    }
}
