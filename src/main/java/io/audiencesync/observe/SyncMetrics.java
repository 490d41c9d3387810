package io.audiencesync.observe;

import io.audiencesync.report.AudienceHealth;
import io.audiencesync.pinterest.TokenProvider;
import io.audiencesync.state.DesiredState;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;


import java.time.Instant;
import java.util.List;
import java.util.function.BooleanSupplier;
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
    /** The last audience health reading (null: none). */
    private final AtomicReference<AudienceHealth> health = new AtomicReference<>();

    /** The customer list statuses Pinterest reports, each a series of pinterest_sync_customer_list_status. */
    private static final List<String> LIST_STATUSES = List.of("READY", "PROCESSING", "TOO_SMALL", "UPLOADING");

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
        Gauge.builder("pinterest_sync_audience_size", health, h -> h.get() == null || h.get().audienceSize() == null
                        ? Double.NaN : h.get().audienceSize())
                .description("The audience's size as Pinterest last reported it: the values it matched to its users"
                        + " (NaN: not read or not sized yet; Pinterest updates it 24-48 hours after a write)")
                .tag("sync", sync).register(registry);
        Gauge.builder("pinterest_sync_audience_match_ratio", health, h -> h.get() == null || h.get().matchRate() == null
                        ? Double.NaN : h.get().matchRate())
                .description("The audience's size over the values this tool holds in the list, 0 to 1, at the last"
                        + " reading (NaN: none)")
                .tag("sync", sync).register(registry);
        for (String status : LIST_STATUSES) {
            Gauge.builder("pinterest_sync_customer_list_status", health, h -> h.get() != null
                            && status.equals(h.get().listStatus()) ? 1 : 0)
                    .description("1 for the customer list's status at the last reading")
                    .tag("sync", sync).tag("status", status).register(registry);
        }
        Gauge.builder("pinterest_sync_audience_reading_age_seconds", health, h -> h.get() == null ? Double.NaN
                        : Math.max(0, Instant.now().getEpochSecond() - h.get().readAt().getEpochSecond()))
                .description("Seconds since Pinterest's customer list and audience were last read (NaN: never)")
                .tag("sync", sync).register(registry);
        Gauge.builder("pinterest_sync_audience_too_small", health, h -> h.get() != null && h.get().warning() != null ? 1 : 0)
                .description("1 while the last reading says the audience is too small to target (list TOO_SMALL, or"
                        + " a size under 100)")
                .tag("sync", sync).register(registry);
        for (String state : List.of("converged", "behind", "failing")) {
            Gauge.builder("pinterest_sync_convergence", convergence, c -> state.equals(c.get()) ? 1 : 0)
                    .description("1 for the sync's state: converged (the list equals the last complete snapshot),"
                            + " behind (values owed or withheld), failing (runs in a row ended with values owed)")
                    .tag("sync", sync).tag("state", state).register(registry);
        }
    }

    /** Whether this replica leads the sync (1), or another does (0); always 1 without replicas. */
    public void leader(BooleanSupplier leads) {
        Gauge.builder("pinterest_sync_leader", leads, l -> l.getAsBoolean() ? 1 : 0)
                .description("1 while this replica leads the sync (polls its inbox, runs its query, resumes it), 0 while"
                        + " another replica does; 1 without replicas (cluster.service=none)")
                // A gauge holds its object weakly: the lambda would be collected, and the gauge read NaN.
                .strongReference(true).tag("sync", sync).register(registry);
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

    /** The last reading of what Pinterest made of the list (after a run that sent something, or kept from one). */
    public void audienceHealth(AudienceHealth reading) {
        if (reading != null && reading.hasReading()) {
            health.set(reading);
        }
    }

    /** What to do about a too small audience, at the last reading; null when there is nothing to do. */
    public String audienceWarning() {
        AudienceHealth reading = health.get();
        return reading == null ? null : reading.warning();
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
