package io.audiencesync.sync;

import io.audiencesync.state.SealedJson;
import io.audiencesync.state.StateFormat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Objects;
import java.util.function.UnaryOperator;

/** Where a sync's {@link SyncBinding} lives: read checked against its seal, written only when it changes. */
public final class BindingFile {

    private final Path file;
    private final boolean unsealed;

    public BindingFile(Path stateDir, String syncName) {
        this.file = SyncBinding.file(stateDir, syncName);
        this.unsealed = !StateFormat.sealed(stateDir);
    }

    public Path file() {
        return file;
    }

    /**
     * The binding, or null when there is none yet.
     *
     * @throws io.audiencesync.state.StateCorruptedException when the file is damaged
     */
    public SyncBinding load() {
        if (!Files.exists(file)) {
            return null;
        }
        return SealedJson.read(file, SyncBinding.class, unsealed, "Delete it: the next run finds the customer list by"
                + " name (its state is kept), and checks the rest of the state on its own");
    }

    /** Changes the binding (an empty one when there is none) and writes it when it changed; returns it. */
    SyncBinding update(UnaryOperator<SyncBinding> change) {
        SyncBinding current = load();
        SyncBinding next = change.apply(current == null ? SyncBinding.NONE : current);
        if (!Objects.equals(current, next)) {
            SealedJson.write(file, next);
        }
        return next;
    }

    /** Moves the binding to {@code setAsideDir} ({@code run --once --reset-state}); says what moved. */
    String setAside(Path setAsideDir) {
        if (!Files.exists(file)) {
            return "no binding";
        }
        Path target = setAsideDir.resolve("syncs").resolve(file.getFileName());
        try {
            Files.createDirectories(target.getParent());
            Files.move(file, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot move " + file + " to " + target, e);
        }
        return "the binding moved to " + target;
    }
}
