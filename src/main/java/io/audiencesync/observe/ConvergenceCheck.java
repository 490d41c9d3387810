package io.audiencesync.observe;

import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

import java.util.Map;

/**
 * Whether the list equals the last complete snapshot: UP while converged or behind (values owed are being sent, or
 * wait for a confirmation), DOWN while failing (runs in a row ended with values owed). Listed by
 * {@code /observe/health}, but neither readiness nor liveness: a sync that cannot reach Pinterest must stay ready
 * (a Service keeps its endpoint, so its metrics are still scraped), and restarting it would not help.
 */
public final class ConvergenceCheck extends AbstractHealthCheck {

    private final SyncMetrics metrics;

    public ConvergenceCheck(SyncMetrics metrics) {
        super("sync", "convergence");
        this.metrics = metrics;
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
        String state = metrics.convergence();
        builder.detail("state", state);
        if ("failing".equals(state)) {
            builder.down().message("runs in a row ended with values still owed; see the last run report");
        } else {
            builder.up();
        }
    }
}
