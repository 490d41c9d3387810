package io.audiencesync.cli;

import picocli.CommandLine.Option;

import java.nio.file.Path;

/** {@code --config FILE}: the properties file layered over the embedded defaults, for every command that reads settings. */
final class ConfigOption {

    @Option(names = "--config", paramLabel = "FILE", defaultValue = "application.properties",
            description = "Properties file layered over the embedded defaults (default: ${DEFAULT-VALUE} in the working directory).")
    Path file;
}
