package io.audiencesync.observe;

import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

import java.util.List;
import java.util.Map;

/**
 * Whether each sync's list equals its last complete snapshot: UP while every sync is converged or behind (values owed
 * are being sent, or wait for a confirmation), DOWN while one is failing (runs in a row ended with values owed); the
 * details list each sync. Listed by {@code /observe/health}, but neither readiness nor liveness: a sync that cannot
 * reach Pinterest must stay ready (a Service keeps its endpoint, so its metrics are still scraped), and restarting it
 * would not help.
 */
public final class ConvergenceCheck extends AbstractHealthCheck {

    private final List<SyncMetrics> syncs;

    public ConvergenceCheck(List<SyncMetrics> syncs) {
        super("sync", "convergence");
        this.syncs = List.copyOf(syncs);
    }

    @Override
    public boolean isLiveness() {
        return false;
    }

    @Override
    public boolean isReadiness() {
        return false;
    }

    @Override
    protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
        String failing = null;
        for (SyncMetrics sync : syncs) {
            String state = sync.convergence();
            builder.detail(syncs.size() == 1 ? "state" : sync.sync(), state);
            if ("failing".equals(state) && failing == null) {
                failing = sync.sync();
            }
        }
        if (failing != null) {
            builder.down().message((syncs.size() == 1 ? "" : "sync '" + failing + "': ") + "runs in a row ended with values"
                    + " still owed; see the last run report");
        } else {
            builder.up();
        }
    }
}
