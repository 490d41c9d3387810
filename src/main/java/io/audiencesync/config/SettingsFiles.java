package io.audiencesync.config;

import org.apache.camel.component.properties.PropertiesComponent;
import org.apache.camel.component.properties.PropertiesLocation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;

/**
 * Relative paths in a settings file mean paths beside that file, not beside whatever directory the tool was started
 * in: the same configuration run from another directory must find the same state (else it starts from none, sends
 * every value again and never removes what left the model meanwhile). Camel resolves each value; this finds the
 * file a path setting came from and sets the absolute path over it, so every {@code {{sync.data-dir}}} placeholder
 * (the token file's) follows. Values from the environment, {@code -D}, the command line and the embedded defaults
 * stay relative to the working directory, as before.
 */
public final class SettingsFiles {

    private static final Logger LOG = LoggerFactory.getLogger(SettingsFiles.class);

    /** The settings that are paths. */
    public static final Set<String> PATHS = Set.of("sync.data-dir", "source.file.dir", "pinterest.token-file",
            Workspace.DEFINITIONS_DIR);

    private SettingsFiles() {
    }

    /**
     * Sets every relative path setting that comes from a properties file among {@code properties}' locations to the
     * path beside that file, as an override. Where the same relative path meant another directory before (beside the
     * working directory) and that directory holds this tool's data while the new one does not, stops, naming both.
     */
    public static void anchorRelativePaths(PropertiesComponent properties) {
        List<Path> files = new ArrayList<>();
        for (String location : properties.getLocations()) {
            PropertiesLocation parsed = new PropertiesLocation(location);
            if ("file".equals(parsed.getResolver())) {
                files.add(Path.of(parsed.getPath()));
            }
        }
        Properties overrides = properties.getOverrideProperties();
        for (String key : PATHS) {
            if (overrides != null && overrides.getProperty(key) != null || System.getenv(SettingsSources.environmentName(key)) != null
                    || System.getProperty(key) != null) {
                continue;
            }
            for (Path file : files) {
                String value = read(file).getProperty(key);
                if (value == null) {
                    continue;
                }
                value = value.strip();
                if (!value.isEmpty() && !value.contains("{{") && !Path.of(value).isAbsolute()) {
                    Path beside = file.toAbsolutePath().getParent().resolve(value).normalize();
                    Path before = Path.of(value).toAbsolutePath().normalize();
                    if (!beside.equals(before)) {
                        checkMoved(key, value, file, beside, before);
                    }
                    properties.addOverrideProperty(key, beside.toString());
                }
                break;
            }
        }
    }

    /** A data directory left where the path used to point would otherwise be ignored and every value sent again. */
    private static void checkMoved(String key, String value, Path file, Path beside, Path before) {
        boolean oldHasData = Files.isDirectory(before.resolve("state")) || Files.isDirectory(before.resolve("runs"))
                || key.equals("pinterest.token-file") && Files.isRegularFile(before);
        boolean newHasData = Files.exists(beside);
        if (oldHasData && !newHasData) {
            throw new ConfigException(key, "'" + value + "' in " + file.toAbsolutePath() + " now means " + beside
                    + " (a relative path in a settings file is taken from the file's directory), but " + before
                    + " holds this tool's data from before: move it to " + beside + ", or set " + key + " to an absolute path");
        }
        LOG.info("{} = {} in {} is taken from the file's directory: {}", key, value, file.getFileName(), beside);
    }

    private static Properties read(Path file) {
        Properties p = new Properties();
        if (Files.isRegularFile(file)) {
            try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                p.load(in);
            } catch (IOException e) {
                throw new ConfigException("--config", "cannot read " + file.toAbsolutePath() + ": " + e.getMessage());
            }
        }
        return p;
    }
}
