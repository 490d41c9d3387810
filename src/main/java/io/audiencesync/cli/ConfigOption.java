package io.audiencesync.cli;

import picocli.CommandLine.Option;

import java.nio.file.Path;

/** {@code --config FILE}: the properties file layered over the embedded defaults, for every command that reads settings. */
final class ConfigOption {

    static final Path DEFAULT = Path.of("application.properties");

    @Option(names = "--config", paramLabel = "FILE",
            description = "Properties file layered over the embedded defaults (default: application.properties in the"
                    + " working directory, when it exists).")
    Path given;

    /** The file to read: the one given, else ./application.properties (which need not exist). */
    Path file() {
        return given == null ? DEFAULT : given;
    }

    /** {@link #file()}, which must exist when the user named it. */
    Path existing() {
        if (given != null && !java.nio.file.Files.isRegularFile(given)) {
            throw io.audiencesync.config.SettingsSources.missingConfig(given);
        }
        return file();
    }

    /** Whether the user named the file, so that it must exist. */
    boolean named() {
        return given != null;
    }
}
