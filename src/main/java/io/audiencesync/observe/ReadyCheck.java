package io.audiencesync.observe;

import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Readiness: whether the syncs can work, whatever their runs have sent so far. DOWN while the data directory cannot
 * be written, or while no sync can work: each can't while its inbox cannot be read or its last run stopped on what
 * only a person can fix (a setting, a grant, access). One sync that cannot work is DOWN in the details and its
 * metrics, and does not take the others' endpoint away; UP during a long first sync, and while Pinterest fails (the
 * convergence check says that). A sync whose audience is too small to target stays UP, with the warning and what to
 * do in its detail and the check's message.
 */
public final class ReadyCheck extends AbstractHealthCheck {

    /** A sync as readiness sees it. */
    public record Sync(String id, SyncMetrics metrics, Path inbox) {
    }

    private final List<Sync> syncs;
    private final Path dataDir;

    public ReadyCheck(List<Sync> syncs, Path dataDir) {
        super("sync", "can-work");
        this.syncs = List.copyOf(syncs);
        this.dataDir = dataDir;
    }

    @Override
    public boolean isLiveness() {
        return false;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        if (!Files.isWritable(dataDir)) {
            builder.down().message("the data directory " + dataDir.toAbsolutePath() + " cannot be written (sync.data-dir)");
            return;
        }
        String problem = null;
        String warned = null;
        int working = 0;
        for (Sync sync : syncs) {
            String cannot = cannotWork(sync);
            // A too small audience is for a person to act on, not a reason to take the endpoint away: still UP.
            String warning = sync.metrics().audienceWarning();
            builder.detail(sync.id(), cannot != null ? "DOWN: " + cannot : warning == null ? "UP" : "UP; WARNING: " + warning);
            if (cannot == null) {
                working++;
                if (warning != null && warned == null) {
                    warned = "WARNING: " + (syncs.size() == 1 ? warning : "sync '" + sync.id() + "': " + warning);
                }
            } else if (problem == null) {
                problem = syncs.size() == 1 ? cannot : "sync '" + sync.id() + "': " + cannot;
            }
        }
        if (working == 0) {
            builder.down().message(problem);
        } else {
            // The details are shown with ?data=true only; a message always is.
            builder.up();
            if (warned != null) {
                builder.message(warned);
            }
        }
    }

    private static String cannotWork(Sync sync) {
        if (!Files.isDirectory(sync.inbox()) || !Files.isReadable(sync.inbox())) {
            return "the inbox " + sync.inbox().toAbsolutePath() + " is not a readable directory (source.file.dir)";
        }
        if ("STOPPED".equals(sync.metrics().lastOutcome())) {
            return "the last run stopped on a setting, a grant or access that a person must fix; see its run report";
        }
        return null;
    }
}
