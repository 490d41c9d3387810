package io.audiencesync;

import io.audiencesync.config.ClusterSettings;
import io.audiencesync.sync.SyncLeader;
import org.apache.camel.CamelContext;
import org.apache.camel.NamedNode;
import org.apache.camel.cluster.CamelClusterEventListener;
import org.apache.camel.cluster.CamelClusterService;
import org.apache.camel.cluster.CamelClusterView;
import org.apache.camel.component.file.cluster.FileLockClusterService;
import org.apache.camel.component.kubernetes.KubernetesConfiguration;
import org.apache.camel.component.kubernetes.cluster.KubernetesClusterService;
import org.apache.camel.component.kubernetes.cluster.LeaseResourceType;
import org.apache.camel.impl.cluster.ClusteredRoutePolicy;
import org.apache.camel.spi.RoutePolicy;
import org.apache.camel.spi.RoutePolicyFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Which replica runs each sync, decided by Camel's cluster service: a lock file per sync in a directory the replicas
 * share ({@code FileLockClusterService}), or a Lease per sync ({@code KubernetesClusterService}). Each sync is a
 * namespace of its own, so the syncs spread over the replicas. A sync's consumer routes (its inbox, its query's
 * schedule, its resume) run only on the replica that leads it ({@link ClusteredRoutePolicy}); the routes they call
 * run where they are called. A run going on when the leadership is lost sends no further batch ({@link SyncLeader}),
 * and the list's write lock keeps a replica that has not noticed yet from writing beside the new leader.
 */
final class SyncLeadership implements RoutePolicyFactory {

    private static final Logger LOG = LoggerFactory.getLogger(SyncLeadership.class);

    /** The route templates whose routes start runs: they run only on the sync's leader. */
    static final List<String> CONSUMERS = List.of("file-source", "jdbc-schedule", "resume");
    /** The prefix of every Lease: {@code pinterest-audience-sync-<id>}. */
    static final String PREFIX = "pinterest-audience-sync";

    private final CamelClusterService service;
    private final Map<String, RoutePolicy> policies = new LinkedHashMap<>();

    private SyncLeadership(CamelClusterService service) {
        this.service = service;
    }

    /**
     * The cluster service of {@code cluster}, added to the context (it starts with it), a route policy for the
     * consumer routes of each sync in {@code leaders}, and each leader told when its sync's leadership changes.
     */
    static SyncLeadership start(CamelContext context, ClusterSettings cluster, List<SyncLeader> leaders) throws Exception {
        SyncLeadership leadership = new SyncLeadership(service(cluster));
        leadership.service.setCamelContext(context);
        context.addService(leadership.service, true, true);
        for (SyncLeader leader : leaders) {
            // The sync's id is its namespace: the lock file {root}/<id>, the Lease pinterest-audience-sync-<id>.
            String namespace = leader.sync();
            ClusteredRoutePolicy policy = ClusteredRoutePolicy.forNamespace(leadership.service, namespace);
            CONSUMERS.forEach(template -> leadership.policies.put(template + "-" + leader.sync(), policy));
            CamelClusterView view = leadership.service.getView(namespace);
            view.addEventListener((CamelClusterEventListener.Leadership) (v, member) -> {
                boolean leads = v.getLocalMember().isLeader();
                if (leads != leader.leads()) {
                    if (leads) {
                        LOG.info("This replica ({}) leads sync '{}' now: it polls the sync's inbox, runs its query and"
                                + " resumes what it owes", cluster.member(), leader.sync());
                    } else {
                        LOG.warn("This replica ({}) no longer leads sync '{}': a run going on sends no further batch,"
                                + " and the replica that leads it now sends the rest", cluster.member(), leader.sync());
                    }
                }
                leader.lead(leads);
            });
        }
        context.addRoutePolicyFactory(leadership);
        LOG.info("Replicas: {} decides which replica runs each of {} syncs ({}; this replica is {}, a lease lasts {} s)",
                cluster.service() == ClusterSettings.Service.FILE ? "a lock file per sync in " + cluster.fileRoot()
                        .toAbsolutePath().normalize() : "a Kubernetes Lease per sync", leaders.size(),
                leaders.stream().map(l -> cluster.service() == ClusterSettings.Service.FILE ? l.sync() : lease(l.sync()))
                        .toList(), cluster.member(), cluster.lease().toSeconds());
        return leadership;
    }

    /** The name of a sync's Lease (Camel's Kubernetes service names it by its prefix and the namespace). */
    static String lease(String sync) {
        return PREFIX + "-" + sync;
    }

    private static CamelClusterService service(ClusterSettings cluster) {
        long lease = cluster.lease().toMillis();
        if (cluster.service() == ClusterSettings.Service.FILE) {
            FileLockClusterService file = new FileLockClusterService();
            file.setId("file-lock-cluster");
            file.setRoot(cluster.fileRoot().toAbsolutePath().toString());
            // The leader writes a heartbeat every interval; the others take over once it is a lease old.
            long interval = Math.max(1000, lease / 5);
            file.setAcquireLockDelay(1, TimeUnit.SECONDS);
            file.setAcquireLockInterval(interval, TimeUnit.MILLISECONDS);
            file.setHeartbeatTimeoutMultiplier((int) Math.max(2, lease / interval));
            return file;
        }
        // Camel 4.18's service applies cluster.kubernetes.master-url only onto a configuration it was built with:
        // without one it makes the in-cluster client whatever its masterUrl says.
        KubernetesClusterService kubernetes = cluster.masterUrl() == null ? new KubernetesClusterService()
                : new KubernetesClusterService(new KubernetesConfiguration());
        kubernetes.setId("kubernetes-cluster");
        kubernetes.setLeaseResourceType(LeaseResourceType.Lease);
        kubernetes.setKubernetesResourceName(PREFIX);
        kubernetes.setPodName(cluster.member());
        kubernetes.setClusterLabels(cluster.podLabels());
        if (!cluster.namespace().isEmpty()) {
            kubernetes.setNamespace(cluster.namespace());
            kubernetes.setKubernetesResourcesNamespace(cluster.namespace());
        }
        if (cluster.masterUrl() != null) {
            kubernetes.setMasterUrl(cluster.masterUrl().toString());
        }
        // Kubernetes' own ratios (15 s lease, renewed within 10 s, tried every 2 s), scaled to the lease.
        kubernetes.setLeaseDurationMillis(lease);
        kubernetes.setRenewDeadlineMillis(lease * 2 / 3);
        kubernetes.setRetryPeriodMillis(Math.max(500, lease * 2 / 15));
        return kubernetes;
    }

    @Override
    public RoutePolicy createRoutePolicy(CamelContext context, String routeId, NamedNode route) {
        return policies.get(routeId);
    }
}
