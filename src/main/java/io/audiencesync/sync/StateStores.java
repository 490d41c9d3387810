package io.audiencesync.sync;

import io.audiencesync.config.ConfigException;
import io.audiencesync.config.StateSettings;
import io.audiencesync.config.SyncSettings;
import io.audiencesync.state.FileStateStore;
import io.audiencesync.state.PostgresStateStore;
import io.audiencesync.state.StateStore;

import java.sql.SQLException;

/** Opens the store {@code state.store} names; a database that cannot be reached stops the tool at start. */
public final class StateStores {

    private StateStores() {
    }

    public static StateStore open(SyncSettings settings) {
        StateSettings state = settings.state();
        if (state.store() == StateSettings.Store.FILE) {
            return new FileStateStore(settings.stateDir(), settings.sortBufferValues());
        }
        try {
            return new PostgresStateStore(state.jdbcUrl(), state.jdbcUser(), state.jdbcPassword(), state.jdbcSchema());
        } catch (SQLException e) {
            throw new ConfigException("state.jdbc-url", "cannot open the PostgreSQL state store at "
                    + StateSettings.redact(state.jdbcUrl()) + ": " + e.getMessage());
        }
    }
}
