package io.audiencesync.cli;

import io.audiencesync.emulator.PinterestEmulator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code check FILE}: a given file read as a run reads it, before anything is sent. */
class CheckFileTest {

    @TempDir
    Path dir;

    private Map<String, String> settings(String identifiers) {
        Map<String, String> settings = new HashMap<>();
        settings.put("pinterest.ad-account-id", PinterestEmulator.DEFAULT_AD_ACCOUNT_ID);
        settings.put("pinterest.access-token", PinterestEmulator.DEFAULT_ACCESS_TOKEN);
        settings.put("sync.name", "Users 1");
        settings.put("sync.identifiers", identifiers);
        settings.put("sync.data-dir", dir.resolve("data").toString());
        return settings;
    }

    private Path file(String name, String content) throws IOException {
        return Files.writeString(dir.resolve(name), content);
    }

    @Test
    void aGoodFileShowsItsHeaderValuesAndRejectsByReasonAndNothingIsSentOrMoved() throws IOException {
        Path csv = file("day1.csv", "customer_id,email,maid\n1,ann@example.com,\n2,not-an-email,\n3,bob@example.com,"
                + "6D92078A-8246-4BA4-AE5B-76104861E7DC\n4,,00000000-0000-0000-0000-000000000000\n");
        try (PinterestEmulator emulator = PinterestEmulator.builder().port(0).start()) {
            Map<String, String> settings = settings("email=EMAIL,maid=MAID");
            settings.put("pinterest.api-url", emulator.baseUrl());

            CliHarness.Result result = CliHarness.execute(dir, settings, "check", csv.toString());

            assertThat(result.code()).as(result.out()).isZero();
            assertThat(result.out()).contains("File " + csv + " (delimiter 'comma', UTF-8):")
                    .contains("  header: names the mapped columns [email, maid]")
                    .contains("  rows: 4, the whole file")
                    .contains("  values: EMAIL 2, MAID 1")
                    .contains("  rejected: 2 (INVALID_EMAIL 1, ZERO_DEVICE_ID 1)")
                    .contains("    INVALID_EMAIL: line 3 email ")
                    .contains("    ZERO_DEVICE_ID: line 5 maid ")
                    .doesNotContain("not-an-email").doesNotContain("ann@example.com")
                    .contains("check: OK");
            assertThat(emulator.writeCalls()).as("nothing is sent").isZero();
            assertThat(emulator.customerLists()).isEmpty();
        }
        assertThat(csv).exists();
        assertThat(dir.resolve("data/runs")).doesNotExist();
    }

    @Test
    void badFilesAreProblemsWithTheRunsMessageNamingTheLine() throws IOException {
        Map<String, String> settings = settings("email=EMAIL");

        CliHarness.Result header = CliHarness.execute(dir, settings, "check", "--offline",
                file("header.csv", "mail\nann@example.com\n").toString());
        assertThat(header.code()).isEqualTo(2);
        assertThat(header.out()).contains("PROBLEM: header.csv: line 1: the header has no column 'email'")
                .doesNotContain("  header: names");

        CliHarness.Result quote = CliHarness.execute(dir, settings, "check", "--offline",
                file("quote.csv", "email\nann@example.com\nbob@example.com\n\"cid@example.com\n").toString());
        assertThat(quote.code()).isEqualTo(2);
        assertThat(quote.out()).containsPattern("  rows: \\d, the whole file up to the fault below")
                .contains("PROBLEM: quote.csv: line 4: a quoted field opens here and is never closed");

        CliHarness.Result typed = CliHarness.execute(dir, settings("device=EMAIL"), "check", "--offline",
                file("typed.csv", "device\n6D92078A-8246-4BA4-AE5B-76104861E7DC\n6D92078A-8246-4BA4-AE5B-76104861E7DD\n").toString());
        assertThat(typed.code()).isEqualTo(2);
        assertThat(typed.out()).contains("rejected: 2 (INVALID_EMAIL 2)")
                .contains("PROBLEM: typed.csv: none of its first 2 rows gives a value to send (every one is rejected):"
                        + " check that sync.identifiers maps the columns that hold the identifiers");

        CliHarness.Result cut = CliHarness.execute(dir, settings, "check", "--offline",
                file("cut.csv", "email\nann@example.com\nbob@exa").toString());
        assertThat(cut.code()).isEqualTo(2);
        assertThat(cut.out()).contains("PROBLEM: cut.csv: line 3: the last line has no line end");

        CliHarness.Result missing = CliHarness.execute(dir, settings, "check", "--offline", dir.resolve("nope.csv").toString());
        assertThat(missing.code()).isEqualTo(2);
        assertThat(missing.out()).contains("PROBLEM: " + dir.resolve("nope.csv") + ": no such file");
    }

    @Test
    void atMostTheFirstThousandRowsAreReadAndAFaultBeyondThemIsLeftToTheRun() throws IOException {
        String rows = IntStream.range(0, 5000).mapToObj(i -> "u" + i + "@example.com\n").collect(Collectors.joining());
        Path csv = file("big.csv", "email\n" + rows + "\"never closed\n");

        CliHarness.Result result = CliHarness.execute(dir, settings("email=EMAIL"), "check", "--offline", csv.toString());

        assertThat(result.code()).as(result.out()).isZero();
        assertThat(result.out()).contains("  rows: the first 1,000 read (check reads at most 1,000; a run reads every row")
                .contains("  values: EMAIL 1000").doesNotContain("PROBLEM");
    }

    @Test
    void inAWorkspaceTheFileIsReadWithTheMappingOfTheSyncNamed() throws IOException {
        Path syncs = Files.createDirectories(dir.resolve("syncs"));
        Files.writeString(syncs.resolve("buyers.properties"), "sync.identifiers=email=EMAIL\n");
        Files.writeString(syncs.resolve("leads.properties"), "sync.identifiers=mail=EMAIL\n");
        Map<String, String> settings = settings("email=EMAIL");
        settings.remove("sync.name");
        settings.put("sync.definitions-dir", syncs.toString());
        Path csv = file("leads.csv", "mail\ncid@example.com\n");

        CliHarness.Result unnamed = CliHarness.execute(dir, settings, "check", "--offline", csv.toString());
        assertThat(unnamed.code()).isEqualTo(2);
        assertThat(unnamed.out()).contains("PROBLEM: check " + csv + ": the workspace has the syncs [buyers, leads]: name"
                + " the one whose mapping reads this file with --sync ID");

        CliHarness.Result named = CliHarness.execute(dir, settings, "check", "--offline", "--sync", "leads", csv.toString());
        assertThat(named.code()).as(named.out()).isZero();
        assertThat(named.out()).contains("File " + csv + " as sync 'leads' reads it").contains("values: EMAIL 1");
        assertThat(CliHarness.execute(dir, settings, "check", "--offline", "--sync", "buyers", csv.toString()).out())
                .contains("PROBLEM: leads.csv: line 1: the header has no column 'email'");
    }
}
