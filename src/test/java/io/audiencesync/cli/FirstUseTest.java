package io.audiencesync.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.audiencesync.emulator.PinterestEmulator;
import io.audiencesync.sync.ChildSync;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The mistakes a new user makes, run as the user runs them (the command line, in-process), each answered with a
 * message that names the problem and the fix, and the exit code; and what a first good run shows.
 */
class FirstUseTest {

    @TempDir
    Path dir;

    private PinterestEmulator emulator;
    private final Map<String, String> settings = new LinkedHashMap<>();

    @BeforeEach
    void start() {
        emulator = PinterestEmulator.builder().port(0).start();
        settings.put("pinterest.api-url", emulator.baseUrl());
        settings.put("pinterest.ad-account-id", PinterestEmulator.DEFAULT_AD_ACCOUNT_ID);
        settings.put("pinterest.access-token", PinterestEmulator.DEFAULT_ACCESS_TOKEN);
        settings.put("sync.name", "First use");
        settings.put("sync.data-dir", dir.resolve("data").toString());
        settings.put("sync.identifiers", "email=EMAIL");
        settings.put("source.file.stable-seconds", "0");
        settings.put("source.file.poll-delay-ms", "100");
        settings.put("camel.management.enabled", "false");
    }

    @AfterEach
    void stop() {
        emulator.close();
    }

    @Test
    void misspelledKeysAreAllNamedWithTheNearestSettingAndNothingIsCalled() throws IOException {
        settings.put("sync.identifer", "email=EMAIL");
        settings.put("sync.batchsize", "100");
        drop("day1.csv", "email\na@example.com\n");
        CliHarness.Result result = CliHarness.execute(dir, settings, "run", "--once");
        assertThat(result.code()).isEqualTo(2);
        assertThat(result.err()).contains("2 problems in the configuration")
                .contains("sync.identifer: is not a setting").contains("did you mean sync.identifiers?")
                .contains("sync.batchsize: is not a setting").contains("did you mean sync.batch-size?");
        assertThat(emulator.calls()).as("stopped before any call").isEmpty();
        assertThat(dir.resolve("data/inbox/day1.csv")).as("and before the file was read").exists();
    }

    @Test
    void invalidValuesAreReportedTogether() {
        settings.put("sync.batch-size", "0");
        settings.put("sync.mode", "mirror");
        settings.put("source.file.delimiter", "colon");
        CliHarness.Result result = CliHarness.execute(dir, settings, "run", "--once");
        assertThat(result.code()).isEqualTo(2);
        assertThat(result.err()).contains("3 problems").contains("sync.batch-size: must be a whole number from 1")
                .contains("sync.mode:").contains("source.file.delimiter: must be comma, semicolon, tab, pipe");
    }

    @Test
    void aConfigFileThatIsNotThereIsAnErrorNotAnEmptyConfiguration() {
        Path missing = dir.resolve("no-such.properties");
        CliHarness.Result result = CliHarness.execute("run", "--once", "--config", missing.toString());
        assertThat(result.code()).isEqualTo(2);
        assertThat(result.err()).contains("--config: no such file: " + missing.toAbsolutePath());
    }

    @Test
    void everyCommandThatReadsSettingsRefusesAConfigFileThatIsNotThere() {
        Path missing = dir.resolve("typo.properties");
        for (String command : java.util.List.of("audiences", "status", "runs", "check")) {
            CliHarness.Result result = CliHarness.execute(command, "--config", missing.toString());
            assertThat(result.code()).as(command).isEqualTo(2);
            assertThat(result.err() + result.out()).as(command).contains("--config: no such file: " + missing.toAbsolutePath());
        }
    }

    @Test
    void aColumnTheFileLacksStopsTheRunBeforeAnyCallNamingTheColumnsAndTheFix() throws IOException {
        settings.put("sync.identifiers", "mail=EMAIL");
        drop("day1.csv", "customer_id,email\n1,a@example.com\n");
        CliHarness.Result result = CliHarness.execute(dir, settings, "run", "--once");
        assertThat(result.code()).isEqualTo(2);
        assertThat(flat(result.out())).contains("day1.csv: STOPPED").contains("no column 'mail'")
                .contains("[customer_id, email]").contains("Set sync.identifiers");
        assertThat(emulator.calls()).as("no call for a file these settings cannot read").isEmpty();
        assertThat(dir.resolve("data/inbox/.failed")).isDirectory();
    }

    @Test
    void aSemicolonFileIsNamedAsSuchAndSyncsExactlyOnceTheDelimiterIsSet() throws IOException {
        String csv = "customer_id;email\n1;a@example.com\n2;\"b@example.com\"\n3;c@example.com\n";
        drop("day1.csv", csv);
        CliHarness.Result wrong = CliHarness.execute(dir, settings, "run", "--once");
        assertThat(wrong.code()).isEqualTo(2);
        assertThat(flat(wrong.out())).contains("not separated by ','").contains("set source.file.delimiter=semicolon");

        settings.put("source.file.delimiter", "semicolon");
        drop("day2.csv", csv);
        CliHarness.Result right = CliHarness.execute(dir, settings, "run", "--once");
        assertThat(right.code()).isZero();
        assertThat(members()).hasSize(3);
    }

    @Test
    void aWindows1252FileIsNamedAsNotUtf8AndSyncsExactlyOnceItsEncodingIsSet() throws IOException {
        byte[] csv = "name,email\nJos\u00e9,a@example.com\nRen\u00e9e,b@example.com\n".getBytes(java.nio.charset.Charset.forName("windows-1252"));
        Files.write(inbox().resolve("day1.csv"), csv);
        CliHarness.Result wrong = CliHarness.execute(dir, settings, "run", "--once");
        assertThat(wrong.code()).isEqualTo(1);
        assertThat(flat(wrong.out())).contains("line 2: the file is not valid UTF-8 from this line on")
                .contains("set source.file.encoding");

        settings.put("source.file.encoding", "windows-1252");
        Files.write(inbox().resolve("day2.csv"), csv);
        CliHarness.Result right = CliHarness.execute(dir, settings, "run", "--once");
        assertThat(right.code()).as(right.out()).isZero();
        assertThat(members()).hasSize(2);
    }

    @Test
    void aGzipFileSyncsExactlyAsItsCsvWould() throws IOException {
        StringBuilder csv = new StringBuilder("email\n");
        for (int i = 0; i < 2_000; i++) {
            csv.append("user").append(i).append("@example.com\n");
        }
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(inbox().resolve("day1.csv.gz")))) {
            out.write(csv.toString().getBytes(StandardCharsets.UTF_8));
        }
        CliHarness.Result result = CliHarness.execute(dir, settings, "run", "--once");
        assertThat(result.code()).isZero();
        assertThat(result.out()).contains("day1.csv.gz: SUCCEEDED").contains("2,000 rows");
        assertThat(members()).hasSize(2_000);
        try (var done = Files.list(inbox().resolve(".done"))) {
            assertThat(done.map(p -> p.getFileName().toString())).singleElement().asString().endsWith("-day1.csv.gz");
        }
    }

    @Test
    void aFileThatIsNoSnapshotIsNamedOnceNotIgnoredInSilence() throws IOException {
        drop("day1.xlsx", "not a csv");
        try (io.audiencesync.LogCapture logs = new io.audiencesync.LogCapture()) {
            CliHarness.Result result = CliHarness.execute(dir, settings, "run", "--once");
            assertThat(result.code()).isZero();
            assertThat(logs.warnings()).contains("day1.xlsx in the inbox is not read: only *.csv and *.csv.gz files are snapshots");
        }
    }

    @Test
    void nothingListeningAtTheApiUrlIsNamedWithTheUrlAndWhatToCheck() throws IOException {
        int port;
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort();
        }
        settings.put("pinterest.api-url", "http://127.0.0.1:" + port + "/v5");
        settings.put("pinterest.max-attempts", "2");
        settings.put("pinterest.retry-base-delay-ms", "10");
        drop("day1.csv", "email\na@example.com\n");
        CliHarness.Result result = CliHarness.execute(dir, settings, "run", "--once");
        assertThat(result.code()).isEqualTo(1);
        assertThat(flat(result.out())).contains("no answer from http://127.0.0.1:" + port + "/v5/")
                .contains("check pinterest.api-url");
    }

    @Test
    void aManagementPortInUseNamesTheKeyToChangeWithoutAStackTrace() throws IOException {
        settings.put("camel.management.enabled", "true");
        settings.put("camel.management.host", "127.0.0.1");
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            settings.put("camel.management.port", Integer.toString(taken.getLocalPort()));
            CliHarness.Result result = CliHarness.execute(dir, settings, "run");
            assertThat(result.code()).isEqualTo(2);
            assertThat(result.err()).contains("camel.management.port: port " + taken.getLocalPort() + " on 127.0.0.1 is in use")
                    .contains("set camel.management.port to a free port").doesNotContain("\tat ");
        }
    }

    @Test
    void runOnceEndsWithASummaryOnStdoutWithinEightyColumnsOrTheReportWithJson() throws IOException {
        drop("day1.csv", "email\na@example.com\nnot-an-email\nb@example.com\n");
        CliHarness.Result result = CliHarness.execute(dir, settings, "run", "--once");
        assertThat(result.code()).isZero();
        assertThat(flat(result.out())).contains("day1.csv: SUCCEEDED").contains("3 rows").contains("EMAIL 2")
                .contains("rejected 1 (INVALID_EMAIL 1), listed in " + dir.resolve("data/rejects"))
                .contains("2 of 2 adds").contains("'Customer List-First use'").contains("(created)");
        // Wrapped at 80 columns; only a path longer than a line stands alone on its own.
        assertThat(result.out().lines()).allSatisfy(line -> assertThat(line.length() <= 80 || !line.strip().contains(" "))
                .as(line).isTrue());

        drop("day2.csv", "email\na@example.com\nb@example.com\nc@example.com\n");
        CliHarness.Result json = CliHarness.execute(dir, settings, "run", "--once", "--json");
        assertThat(json.out().lines()).as("one run, one line").hasSize(1);
        JsonNode report = new ObjectMapper().readTree(json.out());
        assertThat(report.get("outcome").asText()).isEqualTo("SUCCEEDED");
        assertThat(report.get("adds").get("sent").asLong()).isEqualTo(1);
    }

    @Test
    void theRejectsFileCarriesTheKeyColumnSoARejectedRowCanBeFoundButNeverAnIdentifier() throws IOException {
        settings.put("sync.rejects-key-column", "customer_id");
        drop("day1.csv", "customer_id,email\nc-1,a@example.com\nc-17,not-an-email\n");
        CliHarness.Result result = CliHarness.execute(dir, settings, "run", "--once");
        assertThat(result.code()).isZero();
        try (var files = Files.list(dir.resolve("data/rejects"))) {
            Path rejects = files.findFirst().orElseThrow();
            java.util.List<String> lines = Files.readAllLines(rejects);
            assertThat(lines.get(0)).isEqualTo("row,customer_id,column,type,reason,sample");
            assertThat(lines.get(1)).startsWith("3,c-17,email,EMAIL,INVALID_EMAIL,").doesNotContain("not-an-email");
        }

        settings.put("sync.rejects-key-column", "Email");
        CliHarness.Result refused = CliHarness.execute(dir, settings, "run", "--once");
        assertThat(refused.code()).isEqualTo(2);
        assertThat(refused.err()).contains("sync.rejects-key-column: is 'Email', an identifier column");
    }

    @Test
    void aFileCanBeTriedWithoutTheInboxAndStaysWhereItIs() throws IOException {
        Path file = dir.resolve("export.csv");
        Files.writeString(file, "email\na@example.com\nb@example.com\n");
        CliHarness.Result plan = CliHarness.execute(dir, settings, "plan", file.toString());
        assertThat(plan.code()).isZero();
        assertThat(plan.out()).contains("Plan for export.csv").contains("ADD    2");
        assertThat(emulator.writeCalls()).isZero();

        CliHarness.Result run = CliHarness.execute(dir, settings, "run", "--once", file.toString());
        assertThat(run.code()).isZero();
        assertThat(run.out()).contains("export.csv: SUCCEEDED");
        assertThat(members()).hasSize(2);
        assertThat(file).as("the file is not moved").exists();
        assertThat(dir.resolve("data/try")).isEmptyDirectory();
    }

    @Test
    void checkOnAGoodConfigurationSaysWhereEachValueComesFromAndWhichListARunWouldUse() throws IOException {
        drop("day1.csv", "email\na@example.com\n");
        CliHarness.Result result = CliHarness.execute(dir, settings, "check");
        assertThat(result.code()).as(result.out()).isZero();
        assertThat(result.out()).containsPattern("sync\\.name +=  ?First use +\\(file\\)")
                .containsPattern("sync\\.batch-size += 5000 +\\(default\\)")
                .contains("pinterest.access-token").contains("(set, not shown)")
                .doesNotContain(PinterestEmulator.DEFAULT_ACCESS_TOKEN)
                .contains("Pinterest at " + emulator.baseUrl())
                .contains("the token reads ad account " + PinterestEmulator.DEFAULT_AD_ACCOUNT_ID)
                .contains("customer list: 'Customer List-First use' does not exist yet")
                .contains("newest file day1.csv: its header has the mapped columns [email]")
                .contains("check: OK");
        assertThat(emulator.writeCalls()).as("check changes nothing").isZero();
    }

    @Test
    void checkListsEveryProblemAndExitsTwo() throws IOException {
        settings.put("sync.identifer", "email=EMAIL");
        settings.put("sync.batch-size", "lots");
        CliHarness.Result result = CliHarness.execute(dir, settings, "check", "--offline");
        assertThat(result.code()).isEqualTo(2);
        assertThat(result.out()).contains("PROBLEM: sync.identifer: is not a setting")
                .contains("PROBLEM: sync.batch-size: must be a whole number").contains("check: 2 problems");
    }

    @Test
    void checkNamesTheMissingColumnOfTheNewestFile() throws IOException {
        drop("day1.csv", "customer_id;email\n1;a@example.com\n");
        CliHarness.Result result = CliHarness.execute(dir, settings, "check", "--offline");
        assertThat(result.code()).isEqualTo(2);
        assertThat(result.out()).contains("PROBLEM: day1.csv: line 1: the header is not separated by ','")
                .contains("set source.file.delimiter=semicolon");
    }

    @Test
    void withoutAPropertiesFileEveryMissingSettingIsNamedAtOnceAndCheckShowsWhereValuesComeFrom() throws Exception {
        // A real process in an empty working directory: no ./application.properties there.
        ChildSync.Exit first = child(Map.of(), "run", "--once");
        assertThat(first.code()).isEqualTo(2);
        assertThat(first.output()).contains("sync.name: is not set").contains("pinterest.ad-account-id: is not set")
                .contains("no properties file was read: " + dir.toRealPath().resolve("application.properties")
                        + " does not exist");

        ChildSync.Exit check = child(Map.of("SYNC_NAME", "From the environment", "PINTEREST_AD_ACCOUNT_ID",
                PinterestEmulator.DEFAULT_AD_ACCOUNT_ID, "PINTEREST_ACCESS_TOKEN", "env-secret-token-123"), "check", "--offline");
        assertThat(check.code()).as(check.output()).isZero();
        assertThat(check.output()).containsPattern("sync\\.name += From the environment +\\(environment\\)")
                .containsPattern("pinterest\\.access-token += \\(set, not shown\\) +\\(environment\\)")
                .contains("the embedded defaults only").doesNotContain("env-secret-token-123");
    }

    @Test
    void anEnvironmentVariableThatWouldOverrideACommandLineFlagIsNamed() throws Exception {
        // Camel reads environment variables before the command line: SYNC_ONCE=false would turn run --once into a daemon.
        ChildSync.Exit child = child(Map.of("SYNC_ONCE", "false"), "run", "--once", "--config",
                CliHarness.config(dir, settings).toString());
        assertThat(child.code()).isEqualTo(2);
        assertThat(child.output()).contains("sync.once: the command line sets it, but the environment variable SYNC_ONCE"
                + " sets it too and would win").contains("unset the environment variable SYNC_ONCE");

        // run --once FILE syncs that file from an inbox of its own: SOURCE_FILE_DIR would send it the whole inbox.
        Path file = dir.resolve("one.csv");
        Files.writeString(file, "email\na@example.com\n");
        ChildSync.Exit single = child(Map.of("SOURCE_FILE_DIR", dir.resolve("data/inbox").toString()), "run", "--once",
                file.toString(), "--config", CliHarness.config(dir, settings).toString());
        assertThat(single.code()).isEqualTo(2);
        assertThat(single.output()).contains("source.file.dir: the command line sets it, but the environment variable"
                + " SOURCE_FILE_DIR sets it too");
        assertThat(emulator.calls()).isEmpty();
    }

    /** The CLI as a process of its own, in this test's directory, its data directory there too. */
    private ChildSync.Exit child(Map<String, String> environment, String... args) throws Exception {
        Map<String, String> all = new LinkedHashMap<>(environment);
        all.put("SYNC_DATA_DIR", dir.resolve("data").toString());
        return ChildSync.runCli(dir, all, java.util.List.of(args));
    }

    @Test
    void versionIsThePomsAndHelpIsNeverCutMidSentence() {
        CliHarness.Result version = CliHarness.execute("--version");
        assertThat(version.out()).startsWith("pinterest-audience-sync 0.").doesNotContain("development build")
                .doesNotContain("unknown");
        CliHarness.Result bench = CliHarness.execute("bench", "--help");
        assertThat(bench.out() + bench.err()).doesNotContain("picocli WARN").doesNotContain("Could not format");
    }

    /** The summary's wrapped lines joined again. */
    private static String flat(String out) {
        return out.replaceAll("\\n {2,}", " ");
    }

    private Path inbox() throws IOException {
        return Files.createDirectories(dir.resolve("data/inbox"));
    }

    private void drop(String name, String csv) throws IOException {
        Files.writeString(inbox().resolve(name), csv, StandardCharsets.UTF_8);
    }

    private java.util.Set<String> members() {
        return emulator.members(emulator.customerLists().get(0).id());
    }
}
