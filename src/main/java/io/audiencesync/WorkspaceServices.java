package io.audiencesync;

import io.audiencesync.config.SyncSettings;
import io.audiencesync.config.Workspace;
import io.audiencesync.observe.SyncMetrics;
import io.audiencesync.pinterest.TokenProvider;
import io.audiencesync.routes.PinterestRoute;
import io.audiencesync.state.StateStore;
import io.audiencesync.sync.Progress;
import io.audiencesync.sync.RunLedger;
import io.audiencesync.sync.RunSlots;
import io.audiencesync.sync.StateStores;
import io.audiencesync.sync.StopSignal;
import io.audiencesync.sync.SyncLeader;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.camel.CamelContext;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;

/**
 * What every sync of a workspace shares, made once: the Pinterest route and its one token (refreshes serialized,
 * the rotated refresh token saved once), the write quota its throttle keeps, the state store, the run slots, the
 * outcomes of the runs, the threads that normalize and read ahead, the meter registry, the stop signal, and which
 * syncs this replica leads.
 *
 * @param meters Camel's registry when its management server scrapes it, else null (each sync's meters then have a
 *               registry of their own, pushed on their own)
 */
record WorkspaceServices(Workspace workspace, SyncSettings shared, RunLedger ledger, RunSlots slots, StopSignal stop,
                         PrometheusMeterRegistry meters, TokenProvider tokens, PinterestRoute pinterest, StateStore store,
                         Progress progress, ExecutorService normalize, ExecutorService readAhead,
                         Map<String, SyncLeader> leaders) implements AutoCloseable {

    /**
     * Opens the shared services. The first sync's settings stand for the workspace's (the Pinterest app, the state
     * store, the data directory, the once and dry-run switches are the same for every sync).
     */
    static WorkspaceServices open(CamelContext context, Workspace workspace, RunLedger ledger, Object owner,
                                  PrometheusMeterRegistry meters) {
        SyncSettings shared = workspace.syncs().get(0);
        StopSignal stop = new StopSignal();
        // Camel starts stopping routes right after this event: no new batch, no retry wait from here on.
        context.getManagementStrategy().addEventNotifier(stop.notifier());
        TokenProvider tokens = PinterestConnection.tokens(shared.pinterest());
        PinterestRoute pinterest;
        StateStore store;
        try {
            pinterest = PinterestRoute.configure(context, tokens, PinterestConnection.options(shared.pinterest(),
                    meters == null ? status -> { } : SyncMetrics.httpStatuses(meters), stop::requested));
            store = StateStores.open(shared);
        } catch (RuntimeException e) {
            tokens.close();
            throw e;
        }
        int cores = Runtime.getRuntime().availableProcessors();
        // Normalizing and hashing use every core, whichever sync runs (Camel stops the pools with the context).
        ExecutorService normalize = context.getExecutorServiceManager().newFixedThreadPool(owner, "normalize", cores);
        ExecutorService readAhead = context.getExecutorServiceManager().newFixedThreadPool(owner, "plan-read-ahead",
                workspace.maxConcurrentRuns());
        // A bar on a terminal for one sync; with several, log lines that say which sync they are of.
        Progress progress = workspace.syncs().size() == 1 ? Progress.forThisProcess(shared.progressInterval())
                : new Progress(shared.progressInterval(), null);
        // With replicas, the daemon runs a sync once the cluster service says this replica leads it; run --once and
        // plan run what they are given.
        boolean replicas = workspace.cluster().enabled() && !shared.once() && !shared.dryRun();
        Map<String, SyncLeader> leaders = new LinkedHashMap<>();
        workspace.syncs().forEach(sync -> leaders.put(sync.id(), replicas
                ? SyncLeader.elected(sync.id(), workspace.cluster().member()) : SyncLeader.alone(sync.id())));
        return new WorkspaceServices(workspace, shared, ledger, new RunSlots(workspace.maxConcurrentRuns()), stop, meters,
                tokens, pinterest, store, progress, normalize, readAhead, leaders);
    }

    @Override
    public void close() {
        store.close();
        pinterest.close();
        tokens.close();
    }
}
