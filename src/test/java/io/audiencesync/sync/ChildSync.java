package io.audiencesync.sync;

import io.audiencesync.emulator.PinterestEmulator;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;

/** Runs {@code run --once} in a separate JVM, as in production, so tests can kill it with SIGKILL. */
public final class ChildSync {

    final Path dir;
    public final Map<String, String> settings = new HashMap<>();
    private final List<String> jvmOptions = new ArrayList<>();
    private int launches;

    public ChildSync(PinterestEmulator emulator, Path dir) {
        this.dir = dir;
        settings.put("pinterest.api-url", emulator.baseUrl());
        settings.put("pinterest.ad-account-id", PinterestEmulator.DEFAULT_AD_ACCOUNT_ID);
        settings.put("pinterest.access-token", PinterestEmulator.DEFAULT_ACCESS_TOKEN);
        settings.put("sync.name", "Child");
        settings.put("sync.data-dir", dir.resolve("data").toString());
        settings.put("source.file.read-lock-check-interval-ms", "50");
        // the tests drop each file whole before the run starts; the stable window has tests of its own
        settings.put("source.file.stable-seconds", "0");
        settings.put("source.file.poll-delay-ms", "50");
    }

    /** The run reports of this child's sync, wherever its settings keep them (the data directory, or PostgreSQL). */
    List<io.audiencesync.report.RunReport> reports() {
        Path data = Path.of(settings.get("sync.data-dir"));
        return new RunHistory(Workspaces.files(settings, data), data).reports();
    }

    ChildSync jvm(String... options) {
        jvmOptions.addAll(Arrays.asList(options));
        return this;
    }

    Path inbox() {
        return dir.resolve("data/inbox");
    }

    Process start() {
        return start("run", "--once");
    }

    /** Starts the tool with {@code args} (the config file is added); its output goes to child-N.log. */
    public Process start(String... args) {
        Path config = dir.resolve("child.properties");
        Properties properties = new Properties();
        properties.putAll(settings);
        try (Writer out = Files.newBufferedWriter(config, StandardCharsets.UTF_8)) {
            properties.store(out, null);
            List<String> command = new ArrayList<>();
            command.add(java());
            command.addAll(jvmOptions);
            command.addAll(List.of("-cp", classPath(), "io.audiencesync.cli.Cli"));
            command.addAll(Arrays.asList(args));
            command.addAll(List.of("--config", config.toString()));
            return new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("child-" + (++launches) + ".log").toFile()).start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What a CLI process printed (stdout and stderr together), and its exit code. */
    public record Exit(int code, String output) {
    }

    /** Runs the CLI with {@code args} in {@code workingDir}, {@code environment} added to this one's, to its end. */
    public static Exit runCli(Path workingDir, Map<String, String> environment, List<String> args)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(java(),
                "-cp", classPath(), "io.audiencesync.cli.Cli"));
        command.addAll(args);
        ProcessBuilder builder = new ProcessBuilder(command).directory(workingDir.toFile()).redirectErrorStream(true);
        builder.environment().putAll(environment);
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(2, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new AssertionError("the child did not finish: " + output);
        }
        return new Exit(process.exitValue(), output);
    }

    /** Runs to the end; returns the exit code. */
    int run() throws InterruptedException {
        Process child = start();
        if (!child.waitFor(3, TimeUnit.MINUTES)) {
            child.destroyForcibly();
            throw new AssertionError("the child did not finish: " + log());
        }
        return child.exitValue();
    }

    /** Starts a run and kills it with SIGKILL as soon as {@code when} holds; fails if the run ended first. */
    void killWhen(BooleanSupplier when) throws InterruptedException {
        Process child = start();
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (!when.getAsBoolean()) {
            if (!child.isAlive()) {
                throw new AssertionError("the run ended (exit " + child.exitValue() + ") before the kill point: " + log());
            }
            if (System.nanoTime() > deadline) {
                child.destroyForcibly();
                throw new AssertionError("the kill point was never reached: " + log());
            }
            Thread.sleep(2);
        }
        child.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    }

    public String log() {
        try {
            return Files.readString(dir.resolve("child-" + launches + ".log"));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /** The java command of the JVM running the tests, for a JVM of a test's own. */
    public static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** Surefire's real class path, without empty entries (an empty entry is the working directory). */
    public static String classPath() {
        String path = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        return Arrays.stream(path.split(File.pathSeparator)).filter(p -> !p.isBlank())
                .collect(Collectors.joining(File.pathSeparator));
    }
}
