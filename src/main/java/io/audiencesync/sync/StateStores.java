package io.audiencesync.sync;

import io.audiencesync.config.StateSettings;
import io.audiencesync.config.SyncSettings;
import io.audiencesync.state.FileStateStore;
import io.audiencesync.state.StateFiles;
import io.audiencesync.state.StateStore;

/** Opens the store {@code state.store} names; a database that cannot be reached stops the tool at start. */
public final class StateStores {

    private StateStores() {
    }

    public static StateStore open(SyncSettings settings) {
        StateSettings state = settings.state();
        if (state.store() == StateSettings.Store.FILE) {
            return new FileStateStore(settings.stateDir(), settings.sortBufferValues());
        }
        return state.openPostgres(settings.stateDir().resolve("postgres-work"), settings.sortBufferValues());
    }

    /** The workspace's own files (bindings, desired states, run reports, ...): on the disk, or in PostgreSQL. */
    public static StateFiles files(SyncSettings settings) {
        return settings.state().files(settings.workspaceDir());
    }
}
