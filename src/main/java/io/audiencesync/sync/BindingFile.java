package io.audiencesync.sync;

import io.audiencesync.state.SealedJson;
import io.audiencesync.state.StateFiles;
import io.audiencesync.state.StateFormat;

import java.nio.file.Path;
import java.util.Objects;
import java.util.function.UnaryOperator;

/** Where a sync's {@link SyncBinding} lives: read checked against its seal, written only when it changes. */
public final class BindingFile {

    private final StateFiles files;
    private final Path file;
    private final boolean unsealed;

    public BindingFile(StateFiles files, Path stateDir, String syncName) {
        this.files = files;
        this.file = SyncBinding.file(stateDir, syncName);
        this.unsealed = !StateFormat.sealed(stateDir);
    }

    /** Where the binding is, for messages: its file, or its row in PostgreSQL. */
    public String where() {
        return files.describe(file);
    }

    /**
     * The binding, or null when there is none yet.
     *
     * @throws io.audiencesync.state.StateCorruptedException when the file is damaged
     */
    public SyncBinding load() {
        return SealedJson.read(files, file, SyncBinding.class, unsealed, "Delete it: the next run finds the customer list by"
                + " name (its state is kept), and checks the rest of the state on its own").orElse(null);
    }

    /** Changes the binding (an empty one when there is none) and writes it when it changed; returns it. */
    SyncBinding update(UnaryOperator<SyncBinding> change) {
        SyncBinding current = load();
        SyncBinding next = change.apply(current == null ? SyncBinding.NONE : current);
        if (!Objects.equals(current, next)) {
            SealedJson.write(files, file, next);
        }
        return next;
    }

    /** Moves the binding to {@code setAsideDir} ({@code run --once --reset-state}); says what moved. */
    String setAside(Path setAsideDir) {
        Path target = setAsideDir.resolve("syncs").resolve(file.getFileName());
        return files.move(file, target) ? "the binding moved to " + files.describe(target) : "no binding";
    }
}
