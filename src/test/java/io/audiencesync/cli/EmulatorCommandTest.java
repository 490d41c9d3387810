package io.audiencesync.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.audiencesync.emulator.PinterestEmulator;
import io.audiencesync.sync.ChildSync;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/** The emulator command: how it starts, what it says when it cannot, and what it keeps across a restart. */
class EmulatorCommandTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path dir;

    @Test
    void aPortInUseIsOneLineNamingThePortAndTheFixAndExitTwo() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            int port = taken.getLocalPort();
            CliHarness.Result result = assertTimeoutPreemptively(Duration.ofSeconds(60),
                    () -> CliHarness.execute("emulator", "--port", Integer.toString(port)));
            assertThat(result.code()).isEqualTo(2);
            assertThat(result.out()).isEmpty();
            assertThat(result.err().lines()).containsExactly("pinterest-audience-sync emulator: port " + port
                    + " on 127.0.0.1 is in use (is an emulator already running?): choose another with --port N, "
                    + "or --port 0 for any free port");
        }
    }

    @Test
    void optionsItCannotStartWithAreOneLineAndExitTwo() {
        CliHarness.Result compact = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> CliHarness.execute("emulator",
                "--port", "0", "--data-dir", dir.toString(), "--compact-membership"));
        assertThat(compact.code()).isEqualTo(2);
        assertThat(compact.err().lines()).singleElement().asString().contains("compact membership");
        CliHarness.Result negative = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> CliHarness.execute("emulator",
                "--port", "0", "--size-delay-seconds", "-1"));
        assertThat(negative.code()).isEqualTo(2);
        assertThat(negative.err().lines()).singleElement().asString().contains("Size delay must not be negative");
        CliHarness.Result account = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> CliHarness.execute("emulator",
                "--port", "0", "--ad-account-id", "act_1"));
        assertThat(account.code()).isEqualTo(2);
        assertThat(account.err().lines()).singleElement().asString().contains("Ad account id must be 1-18 digits");
    }

    @Test
    void aDataDirKeepsListsAcrossAStopAndTheSizeDelayHoldsUntilSettled() throws Exception {
        Path data = dir.resolve("emulator-data");
        List<String> args = List.of("--port", "0", "--data-dir", data.toString(), "--size-delay-seconds", "3600",
                "--ad-account-id", "111", "--ad-account-id", "222");
        String records = IntStream.iterate(0, i -> i + 1).mapToObj(i -> "u" + i + "@x.com")
                .filter(PinterestEmulator::hasPinterestAccount).limit(100).collect(Collectors.joining(","));
        String listId;
        Running first = Running.start(dir.resolve("first.log"), args);
        try {
            assertThat(first.output).contains("  pinterest.ad-account-id=111").contains("(ad accounts served: 111, 222)")
                    .contains("Sizes and statuses are updated 3600 s after a list's last write")
                    .contains("Lists, audiences and members are kept in " + data.toAbsolutePath());
            JsonNode accounts = first.call("GET", "/v5/ad_accounts", null);
            assertThat(accounts.get("items")).extracting(a -> a.get("id").asText()).containsExactly("111", "222");
            JsonNode created = first.call("POST", "/v5/ad_accounts/222/customer_lists",
                    "{\"name\": \"kept\", \"records\": \"" + records + "\"}");
            assertThat(created.get("status").asText()).isEqualTo("PROCESSING");
            listId = created.get("id").asText();
        } finally {
            first.stop();
        }

        Running second = Running.start(dir.resolve("second.log"), args);
        try {
            String path = "/v5/ad_accounts/222/customer_lists/" + listId;
            assertThat(second.call("GET", path, null).get("status").asText()).as("still within the delay").isEqualTo("PROCESSING");
            JsonNode settled = second.call("POST", "/_emulator/settle", null);
            assertThat(settled.get("updated_customer_lists")).extracting(JsonNode::asText).containsExactly(listId);
            JsonNode list = second.call("GET", path, null);
            assertThat(list.get("status").asText()).isEqualTo("READY");
            assertThat(list.get("num_uploaded_user_records").asLong()).isEqualTo(100);
            JsonNode lists = second.call("GET", "/_emulator/lists", null);
            assertThat(lists.get(0).get("matched_count").asInt()).isEqualTo(100);
            assertThat(second.call("GET", "/_emulator/lists/" + listId + "/members", null)).hasSize(100);
        } finally {
            second.stop();
        }
    }

    @Test
    void withoutADataDirItSaysEverythingIsGoneWhenItStops() throws Exception {
        Running running = Running.start(dir.resolve("memory.log"), List.of("--port", "0"));
        try {
            assertThat(running.output).contains("Everything is kept in memory and gone when the emulator stops")
                    .contains("Sizes and statuses are updated 30 s after a list's last write")
                    .contains("/_emulator/lists");
        } finally {
            running.stop();
        }
    }

    /** The emulator command in a JVM of its own, as a person runs it; stopped with SIGTERM, as Ctrl-C does. */
    private record Running(Process process, String baseUrl, String output) {

        private static final Pattern LISTENING = Pattern.compile("listening on (http://127\\.0\\.0\\.1:\\d+)/v5");

        static Running start(Path log, List<String> args) throws IOException, InterruptedException {
            List<String> command = new ArrayList<>(List.of(ChildSync.java(), "-cp", classPath(), Cli.class.getName(), "emulator"));
            command.addAll(args);
            Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() < deadline) {
                String output = Files.readString(log);
                Matcher listening = LISTENING.matcher(output);
                // The last line printed says where the lists are kept.
                if (listening.find() && (output.contains("gone when the emulator stops") || output.contains("are kept in"))) {
                    return new Running(process, listening.group(1), output);
                }
                if (!process.isAlive()) {
                    throw new AssertionError("the emulator ended (exit " + process.exitValue() + "): " + output);
                }
                Thread.sleep(50);
            }
            process.destroyForcibly();
            throw new AssertionError("the emulator did not start: " + Files.readString(log));
        }

        /** Surefire's class path, as ChildSync gives it to the JVMs it starts. */
        private static String classPath() {
            String path = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
            return Arrays.stream(path.split(File.pathSeparator)).filter(p -> !p.isBlank())
                    .collect(Collectors.joining(File.pathSeparator));
        }

        JsonNode call(String method, String path, String body) throws IOException, InterruptedException {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + path))
                    .header("Authorization", "Bearer " + PinterestEmulator.DEFAULT_ACCESS_TOKEN)
                    .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
            if (body != null) {
                request.header("Content-Type", "application/json");
            }
            HttpResponse<String> answer = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
            assertThat(answer.statusCode()).as(method + " " + path + ": " + answer.body()).isEqualTo(200);
            return JSON.readTree(answer.body());
        }

        void stop() throws InterruptedException {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("the emulator did not stop on SIGTERM");
            }
        }
    }
}
