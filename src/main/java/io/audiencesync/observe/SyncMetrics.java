package io.audiencesync.observe;

import io.audiencesync.pinterest.TokenProvider;
import io.audiencesync.state.DesiredState;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;


import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A sync's own meters, each tagged {@code sync=<id>}, so that the syncs of a workspace show side by side. Their
 * registry is the one Camel's management server scrapes ({@code /observe/metrics}), next to Camel's route and
 * exchange meters (whose route ids carry the sync's id) and the JVM's. Counts only: no value, no token ever becomes a
 * tag.
 */
public final class SyncMetrics {

    private final PrometheusMeterRegistry registry;
    private final String sync;
    private final AtomicLong lastSuccess = new AtomicLong();
    private final AtomicLong valuesOwed = new AtomicLong();
    private final AtomicLong adoptedWithoutState = new AtomicLong();
    private final AtomicReference<String> convergence = new AtomicReference<>("converged");
    private final AtomicReference<String> lastOutcome = new AtomicReference<>();

    /** Meters of sync {@code sync} in a registry of their own (a run without the management server: pushed alone). */
    public SyncMetrics(String sync) {
        this(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), sync);
    }

    /** Meters of sync {@code sync} in {@code registry}: Camel's, when its management server scrapes it. */
    public SyncMetrics(PrometheusMeterRegistry registry, String sync) {
        this.registry = registry;
        this.sync = sync;
        Gauge.builder("pinterest_sync_last_success_timestamp_seconds", lastSuccess, AtomicLong::get)
                .description("When the last run that acknowledged every batch ended (Unix seconds, 0 = none yet)")
                .tag("sync", sync).register(registry);
        Gauge.builder("pinterest_sync_values_owed", valuesOwed, AtomicLong::get)
                .description("Values of the desired state not yet acknowledged by Pinterest (withheld removals included)")
                .tag("sync", sync).register(registry);
        Gauge.builder("pinterest_sync_list_adopted_without_state", adoptedWithoutState, AtomicLong::get)
                .description("1 while the sync's list is one adopted by name with no state of this tool (a lost volume,"
                        + " a reset): values that left the model before may still be in it")
                .tag("sync", sync).register(registry);
        for (String state : List.of("converged", "behind", "failing")) {
            Gauge.builder("pinterest_sync_convergence", convergence, c -> state.equals(c.get()) ? 1 : 0)
                    .description("1 for the sync's state: converged (the list equals the last complete snapshot),"
                            + " behind (values owed or withheld), failing (runs in a row ended with values owed)")
                    .tag("sync", sync).tag("state", state).register(registry);
        }
    }

    /** The sync these meters are of. */
    public String sync() {
        return sync;
    }

    /** What the desired state is owed, after each run (and at start). */
    public void desiredState(DesiredState.Status status) {
        valuesOwed.set(status.owedValues() + status.removalsWithheld());
        convergence.set(status.convergence());
    }

    /** Whether the sync's list was adopted with no state of this tool (its binding says so). */
    public void adoptedWithoutState(boolean adopted) {
        adoptedWithoutState.set(adopted ? 1 : 0);
    }

    /** converged, behind or failing (see {@link DesiredState.Status#convergence()}). */
    public String convergence() {
        return convergence.get();
    }

    /** The outcome of the last run of this process, or null before the first one ended. */
    public String lastOutcome() {
        return lastOutcome.get();
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /** The Prometheus text exposition of every meter. */
    public String scrape() {
        return registry.scrape();
    }

    public void rowsRead(long n) {
        counter("pinterest_sync_rows_read", "Rows read from the model").increment(n);
    }

    public void valuesSent(String operation, long n) {
        String name = "ADD".equals(operation) ? "pinterest_sync_values_added" : "pinterest_sync_values_removed";
        counter(name, "Values Pinterest acknowledged").increment(n);
    }

    public void valuesRejected(String reason, long n) {
        Counter.builder("pinterest_sync_values_rejected").description("Values not sent, by reason")
                .tag("sync", sync).tag("reason", reason).register(registry).increment(n);
    }

    public void valuesDeadLettered(String operation, long n) {
        Counter.builder("pinterest_sync_values_dead_lettered").description("Values in batches Pinterest did not acknowledge")
                .tag("sync", sync).tag("operation", operation).register(registry).increment(n);
    }

    public void batchSent(String operation) {
        Counter.builder("pinterest_sync_batches_sent").description("Batches Pinterest acknowledged")
                .tag("sync", sync).tag("operation", operation).register(registry).increment();
    }

    /**
     * Every answer from Pinterest by HTTP status (0 counts calls that got no answer), in {@code registry}: one meter
     * of the workspace, as its syncs share the Pinterest route and token.
     */
    public static java.util.function.IntConsumer httpStatuses(MeterRegistry registry) {
        return status -> Counter.builder("pinterest_sync_http_responses").description("Pinterest answers by HTTP status (0: no answer)")
                .tag("status", Integer.toString(status)).register(registry).increment();
    }

    public void runEnded(String outcome, boolean succeeded, Instant at) {
        Counter.builder("pinterest_sync_runs").description("Runs by outcome").tag("sync", sync).tag("outcome", outcome)
                .register(registry).increment();
        lastOutcome.set(outcome);
        if (succeeded) {
            lastSuccess.set(at.getEpochSecond());
        }
    }

    /**
     * When the workspace's tokens expire, read from {@code tokens} at each scrape (or push): one series per process,
     * without a sync tag, as every sync uses the one token. Timestamps rather than the time left, so that a pushed
     * value stays true after the push; the time left is {@code ... - time()}.
     */
    public void tokens(TokenProvider tokens) {
        Gauge.builder("pinterest_sync_refresh_token_expiry_timestamp_seconds", tokens,
                        t -> epochSeconds(t.expiry().refreshTokenExpiresAt()))
                .description("When the Pinterest refresh token expires (Unix seconds; 0 = no refresh token, or not known):"
                        + " after that only 'auth' helps")
                .strongReference(true).register(registry);
        Gauge.builder("pinterest_sync_access_token_expiry_timestamp_seconds", tokens,
                        t -> epochSeconds(t.expiry().accessTokenExpiresAt()))
                .description("When the Pinterest access token expires (Unix seconds; 0 = not known, as for a static"
                        + " pinterest.access-token); refreshed automatically before then when refreshable")
                .strongReference(true).register(registry);
    }

    private static double epochSeconds(Instant at) {
        return at == null ? 0 : at.getEpochSecond();
    }

    private Counter counter(String name, String description) {
        return Counter.builder(name).description(description).tag("sync", sync).register(registry);
    }
}
