package io.audiencesync.cli;

import picocli.CommandLine.Option;

/** {@code --verbose}: the tool's own log lines on the screen too, for the commands that otherwise keep them off it. */
final class VerboseOption {

    @Option(names = "--verbose", description = "Also show the tool's own log lines.")
    boolean on;

    /** Keeps the tool's INFO lines off the screen until closed, unless --verbose was given. */
    Quiet quiet() {
        return new Quiet(on);
    }
}
