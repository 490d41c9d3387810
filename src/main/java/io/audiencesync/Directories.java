package io.audiencesync;

import io.audiencesync.config.ConfigException;
import io.audiencesync.config.StateSettings;
import io.audiencesync.config.SyncSettings;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The directories a sync needs, checked before anything runs: a run that could not record its state or move its
 * file would fail on every file, so the tool stops at start (exit 2) naming the path and the key.
 */
final class Directories {

    private Directories() {
    }

    static void check(SyncSettings settings) {
        writable("sync.data-dir", settings.dataDir(), true);
        // A configured inbox must exist: a typo in its path would otherwise look like an empty inbox, forever.
        writable("source.file.dir", settings.inboxDir(), settings.fileSource().createInbox());
        Path tokenDir = settings.pinterest().tokenFile().toAbsolutePath().getParent();
        // With state.store=postgres the tokens are kept in the database: the token file is only read, if it is there.
        if (tokenDir != null && settings.state().store() == StateSettings.Store.FILE) {
            writable("pinterest.token-file", tokenDir, true);
        }
    }

    private static void writable(String key, Path dir, boolean create) {
        Path absolute = dir.toAbsolutePath().normalize();
        if (!Files.exists(absolute)) {
            if (!create) {
                throw new ConfigException(key, "the directory " + absolute + " does not exist; create it, or fix the path");
            }
            try {
                Files.createDirectories(absolute);
            } catch (IOException e) {
                throw new ConfigException(key, "cannot create the directory " + absolute + " (" + e.getMessage()
                        + "); create it, or choose another path");
            }
        }
        if (!Files.isDirectory(absolute)) {
            throw new ConfigException(key, absolute + " is not a directory; choose a directory");
        }
        try {
            Files.deleteIfExists(Files.createTempFile(absolute, ".write-check-", ".tmp"));
        } catch (IOException | SecurityException e) {
            throw new ConfigException(key, "cannot write in " + absolute + " (" + e.getMessage() + "); give the user"
                    + " running the sync write access, or choose another path");
        }
        if (!Files.isReadable(absolute)) {
            throw new ConfigException(key, "cannot read " + absolute + "; give the user running the sync read access");
        }
    }
}
