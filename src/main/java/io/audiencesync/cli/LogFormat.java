package io.audiencesync.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * Picks the log format and levels before the first log line: {@code logging.format}, {@code logging.level} (the
 * tool's own loggers) and {@code logging.level.<logger>} (any logger, e.g. {@code logging.level.org.apache.camel})
 * from a system property, the environment ({@code LOGGING_FORMAT}, {@code LOGGING_LEVEL}) or the properties file
 * ({@code --config}, else ./application.properties). Every level is safe: the log encoders mask secrets.
 */
final class LogFormat {

    private static final List<String> FORMATS = List.of("text", "json");
    private static final List<String> LEVELS = List.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR", "OFF");

    private LogFormat() {
    }

    /** The format, or null (after saying why on stderr) when the setting is not a known format. */
    static String choose(String[] args) {
        String value = System.getProperty("logging.format", System.getenv("LOGGING_FORMAT"));
        if (value == null) {
            value = load(configFile(args)).getProperty("logging.format");
        }
        value = value == null || value.isBlank() ? "text" : value.strip().toLowerCase(Locale.ROOT);
        if (!FORMATS.contains(value)) {
            System.err.println("pinterest-audience-sync: logging.format: must be text or json, got '" + value + "'");
            return null;
        }
        return value;
    }

    /**
     * The levels to set, by logger ({@code logging.level} is the tool's own, {@code io.audiencesync}); null (after
     * saying why on stderr) when a level is not one logback knows.
     */
    static Map<String, String> levels(String[] args) {
        Properties file = load(configFile(args));
        Map<String, String> levels = new TreeMap<>();
        for (String key : file.stringPropertyNames()) {
            if (key.startsWith("logging.level.")) {
                levels.put(key.substring("logging.level.".length()), file.getProperty(key));
            }
        }
        for (String key : System.getProperties().stringPropertyNames()) {
            if (key.startsWith("logging.level.")) {
                levels.put(key.substring("logging.level.".length()), System.getProperty(key));
            }
        }
        String own = System.getProperty("logging.level", System.getenv("LOGGING_LEVEL"));
        if (own == null) {
            own = file.getProperty("logging.level");
        }
        if (own != null && !own.isBlank()) {
            levels.put("io.audiencesync", own);
        }
        for (Map.Entry<String, String> level : levels.entrySet()) {
            String value = level.getValue().strip().toUpperCase(Locale.ROOT);
            if (!LEVELS.contains(value)) {
                String key = level.getKey().equals("io.audiencesync") ? "logging.level" : "logging.level." + level.getKey();
                System.err.println("pinterest-audience-sync: " + key + ": must be one of " + LEVELS + ", got '"
                        + level.getValue().strip() + "'");
                return null;
            }
            level.setValue(value);
        }
        return levels;
    }

    /** Applies levels once logback has read its configuration. */
    static void apply(Map<String, String> levels) {
        if (levels.isEmpty() || !(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            return;
        }
        levels.forEach((logger, level) -> context.getLogger(logger).setLevel(Level.toLevel(level)));
    }

    private static Properties load(Path file) {
        Properties properties = new Properties();
        if (Files.isRegularFile(file)) {
            try (Reader in = Files.newBufferedReader(file)) {
                properties.load(in);
            } catch (IOException | IllegalArgumentException e) {
                // the run reports an unreadable file when it reads its settings
            }
        }
        return properties;
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

}
