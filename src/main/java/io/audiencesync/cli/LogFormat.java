package io.audiencesync.cli;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;

/**
 * Picks the log format before the first log line: {@code logging.format} from a system property, the
 * environment ({@code LOGGING_FORMAT}) or the properties file ({@code --config}, else ./application.properties).
 */
final class LogFormat {

    private static final List<String> FORMATS = List.of("text", "json");

    private LogFormat() {
    }

    /** The format, or null (after saying why on stderr) when the setting is not a known format. */
    static String choose(String[] args) {
        String value = System.getProperty("logging.format", System.getenv("LOGGING_FORMAT"));
        if (value == null) {
            value = fromFile(configFile(args));
        }
        value = value == null || value.isBlank() ? "text" : value.strip().toLowerCase(java.util.Locale.ROOT);
        if (!FORMATS.contains(value)) {
            System.err.println("pinterest-audience-sync: logging.format: must be text or json, got '" + value + "'");
            return null;
        }
        return value;
    }

    private static Path configFile(String[] args) {
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--config") && i + 1 < args.length) {
                return Path.of(args[i + 1]);
            }
            if (args[i].startsWith("--config=")) {
                return Path.of(args[i].substring("--config=".length()));
            }
        }
        return Path.of("application.properties");
    }

    private static String fromFile(Path file) {
        if (!Files.isRegularFile(file)) {
            return null;
        }
        Properties properties = new Properties();
        try (Reader in = Files.newBufferedReader(file)) {
            properties.load(in);
        } catch (IOException | IllegalArgumentException e) {
            return null;
        }
        return properties.getProperty("logging.format");
    }
}
