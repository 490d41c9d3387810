package io.audiencesync.cli;

import picocli.CommandLine.Option;

import java.util.List;
import java.util.Map;

/** {@code --sync ID[,ID...]}: the syncs of the workspace a command covers (all of them without it). */
final class SyncOption {

    @Option(names = "--sync", paramLabel = "ID", split = ",",
            description = "Only these syncs of the workspace (their ids: the names of their files); without it, all of them.")
    List<String> ids;

    /** Adds the choice to a command's settings ({@code sync.selected}). */
    void into(Map<String, String> overrides) {
        if (ids != null && !ids.isEmpty()) {
            overrides.put("sync.selected", String.join(",", ids));
        }
    }
}
