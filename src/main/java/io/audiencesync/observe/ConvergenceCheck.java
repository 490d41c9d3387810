package io.audiencesync.observe;

import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;

import java.util.Map;

/**
 * Readiness that says whether the list equals the last complete snapshot: UP while converged or behind (values
 * owed are being sent, or wait for a confirmation), DOWN while failing (runs in a row ended with values owed).
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
