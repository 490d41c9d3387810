package io.audiencesync.config;

import org.apache.commons.text.similarity.LevenshteinDistance;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;

/**
 * Where the settings come from, and what in them is not a setting. Camel resolves each value (see
 * {@link #origin}); this class says which source a value came from, and finds keys that nothing reads: every setting of
 * this tool is in the embedded {@code application.properties}, so a key of its namespaces that is not there is a
 * misspelling, reported with the nearest real one.
 */
public final class SettingsSources {

    /** The namespaces of this tool's own settings; {@code camel.*} keys are Camel's, which checks its own. */
    private static final List<String> NAMESPACES = List.of("pinterest.", "sync.", "source.", "state.", "logging.", "management.");
    private static final LevenshteinDistance DISTANCE = new LevenshteinDistance(6);
    /** {@code logging.level.<logger>}: a family of settings, one for any logger. */
    private static final String LOGGER_LEVEL = "logging.level.";

    /** Where one value came from. */
    public enum Origin {
        ENVIRONMENT("environment"), SYSTEM_PROPERTY("-D"), COMMAND_LINE("command line"), FILE("file"),
        DEFAULT("default");

        private final String label;

        Origin(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    private final Properties defaults;
    private final Path file;
    private final boolean fileGiven;
    private final Properties fromFile;
    /** Camel K's mounted properties files, when this runs in an Integration's pod (read after the user's file). */
    private final Properties fromCamelK;
    private final Map<String, String> commandLine;
    private final Map<String, String> environment;
    private final Properties system;

    /**
     * @param file      the user's properties file (it may not exist)
     * @param fileGiven whether the user named it ({@code --config}), so that a missing one is a mistake
     */
    public SettingsSources(Path file, boolean fileGiven, Map<String, String> commandLine, Map<String, String> environment,
                           Properties system) {
        this.defaults = embeddedDefaults();
        this.file = file;
        this.fileGiven = fileGiven;
        this.fromFile = file != null && Files.isRegularFile(file) ? load(file) : new Properties();
        this.fromCamelK = new Properties();
        CamelKLayout.of(environment).ifPresent(layout -> {
            // The first file with a key wins, as in Camel's list of locations.
            List<Path> files = new ArrayList<>(layout.propertyFiles());
            java.util.Collections.reverse(files);
            Set<String> settings = defaults.stringPropertyNames();
            files.stream().filter(Files::isRegularFile).filter(f -> !settings.contains(f.getFileName().toString()))
                    .forEach(mounted -> fromCamelK.putAll(load(mounted)));
            fromCamelK.putAll(layout.settingFiles(settings));
        });
        this.commandLine = Map.copyOf(commandLine);
        this.environment = Map.copyOf(environment);
        this.system = system;
    }

    /** This process's sources: its environment and system properties. */
    public static SettingsSources ofThisProcess(Path file, boolean fileGiven, Map<String, String> commandLine) {
        return new SettingsSources(file, fileGiven, commandLine, System.getenv(), System.getProperties());
    }

    /** The embedded {@code application.properties}: every setting with its default (a copy of the one read). */
    public static Properties embeddedDefaults() {
        Properties copy = new Properties();
        copy.putAll(Defaults.READ);
        return copy;
    }

    /** Read once, when first needed: the jar's file does not change. */
    private static final class Defaults {
        static final Properties READ = read();
    }

    private static Properties read() {
        try (InputStream in = SettingsSources.class.getResourceAsStream("/application.properties")) {
            if (in == null) {
                throw new IllegalStateException("application.properties is not on the class path: the jar is incomplete");
            }
            Properties p = new Properties();
            p.load(new java.io.InputStreamReader(in, StandardCharsets.UTF_8));
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The settings there are, in the order of the embedded file's sections. */
    public Set<String> knownKeys() {
        return new TreeSet<>(defaults.stringPropertyNames());
    }

    /** Whether the user's properties file was there to read. */
    public boolean fileRead() {
        return file != null && Files.isRegularFile(file);
    }

    public Path file() {
        return file;
    }

    /**
     * Where {@code key}'s value comes from, in the order Camel's properties component looks: environment variables
     * first, then system properties, then the command line (Camel's override properties), then the files.
     */
    public Origin origin(String key) {
        if (environment.containsKey(environmentName(key))) {
            return Origin.ENVIRONMENT;
        }
        if (system.getProperty(key) != null) {
            return Origin.SYSTEM_PROPERTY;
        }
        if (commandLine.containsKey(key)) {
            return Origin.COMMAND_LINE;
        }
        if (fromFile.getProperty(key) != null || fromCamelK.getProperty(key) != null) {
            return Origin.FILE;
        }
        return Origin.DEFAULT;
    }

    /** A {@code --config} file that is not there. */
    public static ConfigException missingConfig(Path file) {
        return new ConfigException("--config", "no such file: " + file.toAbsolutePath()
                + " (give the path of an existing properties file, or leave --config out to use ./application.properties)");
    }

    /** The environment variable that sets {@code key}: upper case, dots and dashes as underscores. */
    public static String environmentName(String key) {
        return key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    /**
     * What stops a run: a {@code --config} file that is not there, and keys of this tool's namespaces that are no
     * setting, in the file, in {@code -D} system properties or on the command line.
     */
    public List<ConfigException> problems() {
        List<ConfigException> problems = new ArrayList<>();
        if (fileGiven && !fileRead()) {
            problems.add(missingConfig(file));
        }
        Set<String> known = knownKeys();
        for (String key : new TreeSet<>(fromFile.stringPropertyNames())) {
            unknown(key, known).ifPresent(hint -> problems.add(new ConfigException(key, "is not a setting (in "
                    + file.toAbsolutePath() + ")" + hint)));
        }
        for (String key : new TreeSet<>(fromCamelK.stringPropertyNames())) {
            unknown(key, known).ifPresent(hint -> problems.add(new ConfigException(key, "is not a setting (in a config"
                    + " Camel K mounted under CAMEL_K_CONF_D)" + hint)));
        }
        for (String key : new TreeSet<>(system.stringPropertyNames())) {
            unknown(key, known).ifPresent(hint -> problems.add(new ConfigException(key, "is not a setting (-D" + key + ")" + hint)));
        }
        for (String key : new TreeSet<>(commandLine.keySet())) {
            unknown(key, known).ifPresent(hint -> problems.add(new ConfigException(key, "is not a setting" + hint)));
        }
        return problems;
    }

    /**
     * Environment variables that look like a setting of this tool and are not one. They do not stop a run: a
     * platform sets variables of its own (Kubernetes names some after a Service), and only the user knows.
     */
    public List<String> warnings() {
        Map<String, String> byVariable = new LinkedHashMap<>();
        knownKeys().forEach(key -> byVariable.put(environmentName(key), key));
        List<String> warnings = new ArrayList<>();
        for (String variable : new TreeSet<>(environment.keySet())) {
            boolean ours = NAMESPACES.stream().anyMatch(ns -> variable.startsWith(environmentName(ns)))
                    && !variable.startsWith(environmentName(LOGGER_LEVEL));
            if (!ours || byVariable.containsKey(variable) || variable.contains("_SERVICE_") || variable.endsWith("_PORT")
                    || variable.contains("_PORT_")) {
                continue;
            }
            String nearest = nearest(variable, byVariable.keySet());
            warnings.add("environment variable " + variable + " is not a setting and is ignored"
                    + (nearest == null ? "" : "; did you mean " + nearest + " (" + byVariable.get(nearest) + ")?"));
        }
        return warnings;
    }

    private static Optional<String> unknown(String key, Set<String> known) {
        if (known.contains(key) || key.startsWith(LOGGER_LEVEL) || NAMESPACES.stream().noneMatch(key::startsWith)) {
            return Optional.empty();
        }
        String nearest = nearest(key, known);
        return Optional.of(nearest == null ? "; every setting is listed by 'check' and in the README's configuration reference"
                : "; did you mean " + nearest + "?");
    }

    /** The known name closest to {@code name}: one that ends with it (a namespace left out), else the fewest edits. */
    static String nearest(String name, Set<String> known) {
        for (String candidate : known) {
            if (candidate.endsWith("." + name) || candidate.endsWith("_" + name)) {
                return candidate;
            }
        }
        return known.stream()
                .map(candidate -> Map.entry(candidate, DISTANCE.apply(name, candidate)))
                .filter(e -> e.getValue() >= 0 && e.getValue() <= Math.max(2, name.length() / 4))
                .min(Comparator.comparing((Map.Entry<String, Integer> e) -> e.getValue()).thenComparing(Map.Entry::getKey))
                .map(Map.Entry::getKey)
                .orElse(null);
    }

    private static Properties load(Path file) {
        Properties p = new Properties();
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(in);
        } catch (IOException e) {
            throw new ConfigException("--config", "cannot read " + file.toAbsolutePath() + ": " + e.getMessage());
        }
        return p;
    }
}
