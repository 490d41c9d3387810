package io.audiencesync.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/** Runs the command line in-process, as a user would type it, and captures what it prints. */
public final class CliHarness {

    public record Result(int code, String out, String err) {
    }

    private CliHarness() {
    }

    /** Runs {@code args} with {@code --config} pointing at a properties file holding {@code settings}. */
    public static Result execute(Path dir, Map<String, String> settings, String... args) {
        List<String> all = new ArrayList<>(Arrays.asList(args));
        all.add("--config");
        all.add(config(dir, settings).toString());
        return execute(all.toArray(String[]::new));
    }

    /** A properties file in {@code dir} holding {@code settings}. */
    public static Path config(Path dir, Map<String, String> settings) {
        Path config = dir.resolve("cli-" + System.nanoTime() + ".properties");
        Properties properties = new Properties();
        properties.putAll(settings);
        try (Writer out = Files.newBufferedWriter(config, StandardCharsets.UTF_8)) {
            properties.store(out, null);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return config;
    }

    public static synchronized Result execute(String... args) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
        ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(outBytes, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(errBytes, true, StandardCharsets.UTF_8));
            int code = Cli.commandLine().execute(args);
            System.out.flush();
            System.err.flush();
            return new Result(code, outBytes.toString(StandardCharsets.UTF_8), errBytes.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }
}
