package io.audiencesync.sync;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.audiencesync.identity.Normalizer;
import io.audiencesync.report.Json;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Which customer list and audience a sync is bound to ({@code state/syncs/<sync>.json}), so later runs do
 * not have to look them up by name. Losing it is safe: the next run finds both by name and adopts them.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record SyncBinding(String adAccountId, String customerListId, String customerListName, String audienceId,
                          String audienceName) {

    static Path file(Path stateDir, String syncName) {
        String safe = syncName.replaceAll("[^A-Za-z0-9._-]", "_");
        return stateDir.resolve("syncs").resolve(safe + "-" + Normalizer.sha256(syncName).substring(0, 8) + ".json");
    }

    static SyncBinding load(Path file) {
        if (!Files.exists(file)) {
            return null;
        }
        try {
            return Json.MAPPER.readValue(file.toFile(), SyncBinding.class);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the sync binding " + file + " (delete it to look the list up by name again)", e);
        }
    }

    void save(Path file) {
        Json.writeAtomically(file, this);
    }
}
