package io.audiencesync.observe;

import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Readiness: whether the sync can work, whatever its runs have sent so far. DOWN while the inbox cannot be read,
 * the data directory cannot be written, or the last run stopped on what only a person can fix (a setting, a grant,
 * access); UP during a long first sync, and while Pinterest fails (the convergence check says that).
 */
public final class ReadyCheck extends AbstractHealthCheck {

    private final SyncMetrics metrics;
    private final Path inbox;
    private final Path dataDir;

    public ReadyCheck(SyncMetrics metrics, Path inbox, Path dataDir) {
        super("sync", "can-work");
        this.metrics = metrics;
        this.inbox = inbox;
        this.dataDir = dataDir;
    }

    @Override
    public boolean isLiveness() {
        return false;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        if (!Files.isDirectory(inbox) || !Files.isReadable(inbox)) {
            builder.down().message("the inbox " + inbox.toAbsolutePath() + " is not a readable directory (source.file.dir)");
        } else if (!Files.isWritable(dataDir)) {
            builder.down().message("the data directory " + dataDir.toAbsolutePath() + " cannot be written (sync.data-dir)");
        } else if ("STOPPED".equals(metrics.lastOutcome())) {
            builder.down().message("the last run stopped on a setting, a grant or access that a person must fix; see its"
                    + " run report");
        } else {
            builder.up();
        }
    }
}
