package io.audiencesync.sync;

import io.audiencesync.PostgresTestDatabase;
import io.audiencesync.config.StateSettings;
import io.audiencesync.emulator.EmulatorList;
import io.audiencesync.emulator.PinterestEmulator;
import io.audiencesync.emulator.RecordedCall;
import io.audiencesync.pinterest.StoredToken;
import io.audiencesync.report.Outcome;
import io.audiencesync.report.RunReport;
import io.audiencesync.state.LocalStateFiles;
import io.audiencesync.state.StateFiles;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.NamespacedKubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two replicas of one workspace, real processes on one shared data directory, Camel's file-lock cluster service
 * deciding which replica runs each sync: each sync runs on exactly one; a replica killed with SIGKILL in the middle
 * of a send has its sync taken over by the other within the lease, the list exact, nothing sent twice but the batch
 * whose answer never came. Then the same on Kubernetes Leases, against fabric8's stand-in of the Kubernetes API.
 */
class ReplicasTest {

    /** cluster.lease-seconds: how long a dead replica keeps its syncs. */
    private static final int LEASE_SECONDS = 3;

    @TempDir
    Path dir;
    private PinterestEmulator emulator;
    private Path data;
    private Path syncs;
    private final List<Process> processes = new ArrayList<>();

    @BeforeEach
    void start() throws IOException {
        // Each write takes 40 ms: a first sync of 30,000 values in batches of 500 sends for a few seconds.
        emulator = PinterestEmulator.builder().port(0).writeDelay(Duration.ofMillis(40)).start();
        data = dir.resolve("data");
        syncs = Files.createDirectories(dir.resolve("syncs"));
    }

    @AfterEach
    void stop() throws InterruptedException {
        for (Process process : processes) {
            process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
        emulator.close();
    }

    /** A replica: the workspace's daemon in a JVM of its own, named {@code member}. */
    private ChildSync replica(String member) throws IOException {
        ChildSync replica = new ChildSync(emulator, Files.createDirectories(dir.resolve(member)));
        replica.settings.remove("sync.name");
        replica.settings.put("sync.data-dir", data.toString());
        replica.settings.put("sync.definitions-dir", syncs.toString());
        replica.settings.put("pinterest.write-rate-per-minute", "100000");
        replica.settings.put("sync.batch-size", "500");
        replica.settings.put("sync.resume-delay-seconds", "1");
        replica.settings.put("camel.management.enabled", "false");
        replica.settings.put("cluster.service", "file");
        replica.settings.put("cluster.member", member);
        replica.settings.put("cluster.lease-seconds", Integer.toString(LEASE_SECONDS));
        return replica;
    }

    private Process run(ChildSync replica) {
        Process process = replica.start("run");
        processes.add(process);
        return process;
    }

    private void syncFile(String id) throws IOException {
        Workspaces.syncFile(syncs, id, "sync.name=" + id, "sync.identifiers=email=EMAIL");
    }

    private void drop(String id, int values) throws IOException {
        drop(data, id, values);
    }

    private static void drop(Path data, String id, int values) throws IOException {
        Path inbox = Files.createDirectories(Workspaces.inbox(data, id));
        Path part = inbox.resolve(".day1.csv.part");
        Files.writeString(part, Workspaces.model(id, 0, values));
        Files.move(part, inbox.resolve("day1.csv"));
    }

    private static Set<String> emails(String id, int values) {
        return SyncHarness.emails(id, 0, values);
    }

    private String listOf(String id) {
        return emulator.customerLists().stream().filter(l -> l.name().equals("Customer List-" + id)).map(EmulatorList::id)
                .findFirst().orElse(null);
    }

    private int members(String id) {
        String list = listOf(id);
        return list == null ? 0 : emulator.members(list).size();
    }

    private List<RunReport> reports(String id) {
        return Workspaces.reports(data, id);
    }

    private static void await(BooleanSupplier condition, Duration within, String what, ChildSync... replicas)
            throws InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                StringBuilder logs = new StringBuilder();
                for (ChildSync replica : replicas) {
                    logs.append("\n--- ").append(replica.dir.getFileName()).append(":\n").append(replica.log());
                }
                throw new AssertionError("not within " + within + ": " + what + logs);
            }
            Thread.sleep(20);
        }
    }

    @Test
    void eachSyncRunsOnExactlyOneReplica() throws Exception {
        List<String> ids = List.of("alpha", "beta", "gamma");
        for (String id : ids) {
            syncFile(id);
        }
        ChildSync a = replica("replica-a");
        ChildSync b = replica("replica-b");
        run(a);
        run(b);
        for (int i = 0; i < ids.size(); i++) {
            drop(ids.get(i), 1_000 * (i + 1));
        }
        await(() -> ids.stream().allMatch(id -> reports(id).size() >= 1 && members(id) == 1_000 * (ids.indexOf(id) + 1)),
                Duration.ofMinutes(2), "every sync synced", a, b);
        Thread.sleep(2_000); // time for a second replica to sync a file it should never have seen

        Map<String, String> ranOn = new TreeMap<>();
        for (int i = 0; i < ids.size(); i++) {
            String id = ids.get(i);
            assertThat(emulator.members(listOf(id))).isEqualTo(emails(id, 1_000 * (i + 1)));
            List<RunReport> runs = reports(id);
            assertThat(runs).as("one run of %s's file, by one replica", id).hasSize(1);
            assertThat(runs.get(0).outcome()).isEqualTo(Outcome.SUCCEEDED);
            assertThat(runs.get(0).replica()).isIn("replica-a", "replica-b");
            ranOn.put(id, runs.get(0).replica());
            assertThat(LeaderRecord.read(LocalStateFiles.INSTANCE, data.resolve("state"), id)).as("status can say who leads %s", id)
                    .hasValueSatisfying(r -> assertThat(r.replica()).isEqualTo(runs.get(0).replica()));
        }
        assertThat(emulator.concurrentWriteViolations()).isZero();
        assertThat(emulator.customerLists()).as("no list made twice").hasSize(3);
        // Each replica says, in its log, which syncs it leads; together they lead each sync once.
        for (String id : ids) {
            String line = "leads sync '" + id + "' now";
            assertThat((a.log().contains(line) ? 1 : 0) + (b.log().contains(line) ? 1 : 0)).as(id + ": " + ranOn).isEqualTo(1);
        }
    }

    @Test
    void theOtherReplicaTakesOverAKilledLeadersSyncWithinTheLeaseAndTheListIsExact() throws Exception {
        syncFile("big");
        ChildSync a = replica("replica-a");
        ChildSync b = replica("replica-b");
        Process first = run(a);
        await(() -> LeaderRecord.read(LocalStateFiles.INSTANCE, data.resolve("state"), "big").isPresent(), Duration.ofMinutes(1),
                "replica-a leads the sync", a);
        Process second = run(b);
        // replica-b is up and follows: its workspace started (a follower's inbox stays closed).
        await(() -> b.log().contains("1 syncs (big)"), Duration.ofMinutes(1), "replica-b starts", a, b);
        Thread.sleep(1_500);
        assertThat(b.log()).doesNotContain("leads sync 'big' now");
        drop("big", 30_000);
        await(() -> listOf("big") != null && emulator.writeCalls() >= 8, Duration.ofMinutes(1), "replica-a sends", a, b);

        assertThat(LeaderRecord.read(LocalStateFiles.INSTANCE, data.resolve("state"), "big").orElseThrow().replica()).isEqualTo("replica-a");
        first.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        Instant killed = Instant.now();
        String list = listOf("big");

        await(() -> members("big") == 30_000 && reports("big").stream().anyMatch(r -> "replica-b".equals(r.replica())),
                Duration.ofMinutes(2), "replica-b finished the sync", a, b);
        assertThat(second.isAlive()).isTrue();
        assertThat(emulator.members(list)).isEqualTo(emails("big", 30_000));
        assertThat(LeaderRecord.read(LocalStateFiles.INSTANCE, data.resolve("state"), "big").orElseThrow().replica()).isEqualTo("replica-b");
        // Taken over within the lease, plus a poll of the lock (a second), the start of the sync's routes, and the
        // re-reading and planning of the 30,000-row snapshot on a busy machine.
        Instant firstWriteAfter = emulator.calls().stream().filter(c -> !c.method().equals("GET"))
                .map(RecordedCall::at).filter(t -> t.isAfter(killed)).min(Instant::compareTo).orElseThrow();
        assertThat(Duration.between(killed, firstWriteAfter)).as("takeover after the kill at %s:%n%s", killed, b.log()).isLessThan(Duration.ofSeconds(LEASE_SECONDS + 7));
        emulator.settle();
        EmulatorList sent = emulator.customerLists().stream().filter(l -> l.id().equals(list)).findFirst().orElseThrow();
        assertThat(sent.numUploadedUserRecords()).as("sent twice: at most the one batch (500) whose answer never came")
                .isBetween(30_000L, 30_500L);
        assertThat(emulator.concurrentWriteViolations()).isZero();
        List<RunReport> runs = reports("big");
        assertThat(runs).last().satisfies(r -> {
            assertThat(r.outcome()).isEqualTo(Outcome.SUCCEEDED);
            assertThat(r.replica()).isEqualTo("replica-b");
        });
        assertThat(b.log()).contains("This replica (replica-b) leads sync 'big' now");
    }

    /**
     * Replicas without a shared volume, as on Kubernetes: each its own data directory, the state, desired state, run
     * history and tokens in PostgreSQL, the election on Leases (fabric8's stand-in of the Kubernetes API): nothing
     * shared but the two. The replica that takes a killed leader's sync over has neither the snapshot the leader read
     * nor a token file: it converges the list from PostgreSQL alone, with the tokens the dead leader refreshed (its own
     * lapsed, their refresh token spent).
     */
    @Test
    void withThePostgresStoreATakeoverConvergesFromPostgresAloneTokenIncluded() throws Exception {
        PostgresTestDatabase.assumeAvailable();
        String schema = PostgresTestDatabase.newSchema();
        KubernetesMockServer server = kubernetesStandIn();
        try (NamespacedKubernetesClient kubernetes = server.createClient()) {
            pod(kubernetes, "replica-a");
            pod(kubernetes, "replica-b");
            syncFile("big");
            ChildSync a = replica("replica-a");
            ChildSync b = replica("replica-b");
            for (ChildSync replica : List.of(a, b)) {
                replica.settings.put("sync.data-dir", replica.dir.resolve("data").toString());
                onKubernetes(replica, server);
                replica.settings.putAll(PostgresTestDatabase.settings(schema));
                replica.settings.remove("pinterest.access-token");
                replica.settings.put("pinterest.client-id", PinterestEmulator.DEFAULT_CLIENT_ID);
                replica.settings.put("pinterest.client-secret", PinterestEmulator.DEFAULT_CLIENT_SECRET);
            }
            Path dataA = a.dir.resolve("data");
            Path dataB = b.dir.resolve("data");
            // replica-a was set up with 'auth': its token file goes into PostgreSQL as it starts.
            Path tokenFile = Files.createDirectories(dataA).resolve("pinterest-token.json");
            io.audiencesync.TestOAuth.tokenFile(emulator, tokenFile);
            StateSettings store = new StateSettings(StateSettings.Store.POSTGRES, PostgresTestDatabase.URL,
                    PostgresTestDatabase.USER, PostgresTestDatabase.PASSWORD, schema);
            StateFiles shared = store.files(dir);
            Path stateDir = dir.resolve("state");

            Process first = run(a);
            await(() -> LeaderRecord.read(shared, stateDir, "big").isPresent(), Duration.ofMinutes(1), "replica-a leads", a);
            assertThat(tokenFile).as("taken into PostgreSQL").doesNotExist();
            run(b);
            await(() -> b.log().contains("1 syncs (big)"), Duration.ofMinutes(1), "replica-b starts", a, b);
            drop(dataA, "big", 30_000);
            await(() -> listOf("big") != null && emulator.writeCalls() >= 8, Duration.ofMinutes(1), "replica-a sends", a, b);
            // The access token lapses mid-send: replica-a refreshes it, and the refresh token it used works no more.
            long issued = emulator.tokensIssued();
            emulator.expireAccessTokens();
            await(() -> emulator.tokensIssued() > issued && emulator.writeCalls() >= 12, Duration.ofMinutes(1),
                    "replica-a refreshes and sends on", a, b);

            first.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            Instant killed = Instant.now();
            // What the kubelet does when a pod's container dies: the pod is no longer ready.
            kubernetes.pods().inNamespace(NAMESPACE).withName("replica-a").edit(p -> new PodBuilder(p).editStatus()
                    .withConditions(new PodConditionBuilder().withType("Ready").withStatus("False").build()).endStatus().build());
            String list = listOf("big");
            assertThat(members("big")).as("killed in the middle of the send").isLessThan(30_000);

            await(() -> members("big") == 30_000 && runs(shared, "big").stream().anyMatch(r -> "replica-b".equals(r.replica())),
                    Duration.ofMinutes(2), "replica-b converges the list", a, b);
            assertThat(emulator.members(list)).isEqualTo(emails("big", 30_000));
            Instant firstWriteAfter = emulator.calls().stream().filter(c -> !c.method().equals("GET"))
                    .map(RecordedCall::at).filter(t -> t.isAfter(killed)).min(Instant::compareTo).orElseThrow();
            // The old holder's lease runs out, the new leader waits one lease before it starts (so that the old one has
            // stopped), then starts the sync's routes and plans the 30,000 values of the desired state.
            System.out.printf("Kubernetes and PostgreSQL: the first batch of the new leader %d ms after the kill (lease %d s)%n",
                    Duration.between(killed, firstWriteAfter).toMillis(), LEASE_SECONDS);
            assertThat(Duration.between(killed, firstWriteAfter)).as("takeover after the kill at %s:%n%s", killed, b.log())
                    .isLessThan(Duration.ofSeconds(2 * LEASE_SECONDS + 7));
            assertThat(lease(kubernetes).getSpec().getHolderIdentity()).isEqualTo("replica-b");
            List<RunReport> reports = runs(shared, "big");
            RunReport resumed = reports.get(reports.size() - 1);
            assertThat(resumed.outcome()).as("%s%n%s", reports, b.log()).isEqualTo(Outcome.SUCCEEDED);
            assertThat(resumed.source()).as("the desired state replica-a kept, not a file").startsWith("resume of day1.csv");
            emulator.settle();
            EmulatorList sent = emulator.customerLists().stream().filter(l -> l.id().equals(list)).findFirst().orElseThrow();
            assertThat(sent.numUploadedUserRecords()).as("sent twice: at most the one batch (500) whose answer never came")
                    .isBetween(30_000L, 30_500L);
            assertThat(emulator.concurrentWriteViolations()).isZero();
            // replica-b loaded the tokens as it started: its access token lapsed with replica-a's, and the refresh token
            // with it was spent by replica-a's refresh. It goes on with what replica-a saved in PostgreSQL.
            assertThat(b.log()).contains("Using the access token another process refreshed meanwhile")
                    .doesNotContain("invalid_grant");
            // Nothing of the sync on replica-b's disk but its own caches: no token file, no snapshot.
            assertThat(dataB.resolve("pinterest-token.json")).doesNotExist();
            assertThat(Workspaces.inbox(dataB, "big").resolve("day1.csv")).doesNotExist();
            // The tokens in PostgreSQL are the newest: their refresh token is the one the emulator will take.
            StoredToken kept = store.openPostgres().tokens(null).load();
            assertThat(io.audiencesync.TestOAuth.oauth(emulator).refresh(kept.refreshToken()).accessToken()).isNotBlank();
        } finally {
            for (Process process : processes) {
                process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            }
            server.destroy();
            PostgresTestDatabase.dropSchema(schema);
        }
    }

    private List<RunReport> runs(StateFiles files, String id) {
        return new RunHistory(files, dir.resolve("syncs").resolve(id)).reports();
    }

    /** The pods' namespace and labels: Camel's Kubernetes service counts a replica only while its pod is ready. */
    private static final String NAMESPACE = "audiences";
    private static final String POD_LABEL = "app.kubernetes.io/name";

    /** fabric8's stand-in of the Kubernetes API: it keeps what it is sent (CRUD mode), over its real wire protocol on loopback. */
    private static KubernetesMockServer kubernetesStandIn() throws IOException {
        KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                new KubernetesCrudDispatcher(), false);
        server.init(InetAddress.getByName("127.0.0.1"), 0);
        return server;
    }

    /** The replica elects on Leases of the stand-in, among the workspace's pods. */
    private static void onKubernetes(ChildSync replica, KubernetesMockServer server) {
        replica.settings.put("cluster.service", "kubernetes");
        replica.settings.put("cluster.kubernetes.master-url", "http://127.0.0.1:" + server.getPort());
        replica.settings.put("cluster.kubernetes.namespace", NAMESPACE);
        replica.settings.put("cluster.kubernetes.pod-labels", POD_LABEL + "=pinterest-audience-sync");
    }

    private static void pod(NamespacedKubernetesClient kubernetes, String name) {
        kubernetes.pods().inNamespace(NAMESPACE).resource(new PodBuilder().withNewMetadata().withName(name)
                .addToLabels(POD_LABEL, "pinterest-audience-sync").endMetadata().withNewStatus().withPhase("Running")
                .addNewCondition().withType("Ready").withStatus("True").endCondition().endStatus().build()).create();
    }

    private static Lease lease(NamespacedKubernetesClient kubernetes) {
        return kubernetes.leases().inNamespace(NAMESPACE).withName("pinterest-audience-sync-big").get();
    }

    private static int status(int port, String path) {
        try {
            return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException | InterruptedException e) {
            return -1;
        }
    }

    /** The value of pinterest_sync_leader{sync="big"} on the replica's metrics endpoint. */
    private static String leaderGauge(int port) throws IOException, InterruptedException {
        String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                + "/observe/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
        return metrics.lines().filter(l -> l.startsWith("pinterest_sync_leader{sync=\"big\"} ")).map(l -> l.split(" ")[1])
                .findFirst().orElse("absent");
    }

    @Test
    void onKubernetesALeaseIsAcquiredRenewedAndWhenTakenAwayTheRunStopsAfterTheBatchInFlight() throws Exception {
        KubernetesMockServer server = kubernetesStandIn();
        try (NamespacedKubernetesClient kubernetes = server.createClient()) {
            pod(kubernetes, "replica-a");
            pod(kubernetes, "replica-b");
            syncFile("big");
            ChildSync a = replica("replica-a");
            ChildSync b = replica("replica-b");
            for (ChildSync replica : List.of(a, b)) {
                onKubernetes(replica, server);
            }
            Process first = run(a);
            await(() -> lease(kubernetes) != null && a.log().contains("leads sync 'big' now"), Duration.ofMinutes(1),
                    "replica-a holds the lease", a);
            assertThat(lease(kubernetes).getSpec().getHolderIdentity()).isEqualTo("replica-a");
            ZonedDateTime renewed = lease(kubernetes).getSpec().getRenewTime();
            await(() -> lease(kubernetes).getSpec().getRenewTime().isAfter(renewed), Duration.ofSeconds(LEASE_SECONDS * 2),
                    "replica-a renews its lease", a);
            // replica-b serves health and metrics: a follower is ready (else its pod would never be a candidate).
            int port = io.audiencesync.TestOAuth.freePort();
            b.settings.put("camel.management.enabled", "true");
            b.settings.put("camel.management.host", "127.0.0.1");
            b.settings.put("camel.management.port", Integer.toString(port));
            run(b);
            await(() -> b.log().contains("1 syncs (big)") && status(port, "/observe/health/ready") == 200,
                    Duration.ofMinutes(1), "replica-b starts and is ready", a, b);
            assertThat(leaderGauge(port)).as("replica-b follows").isEqualTo("0.0");

            drop("big", 30_000);
            await(() -> listOf("big") != null && emulator.writeCalls() >= 8, Duration.ofMinutes(1), "replica-a sends", a, b);
            // The lease taken away, as another holder's update would: replica-a stops its run after the batch in flight.
            ZonedDateTime now = ZonedDateTime.now();
            Instant takenAway = now.toInstant();
            kubernetes.leases().inNamespace(NAMESPACE).withName("pinterest-audience-sync-big").edit(l -> new LeaseBuilder(l)
                    .editSpec().withHolderIdentity("replica-b").withAcquireTime(now).withRenewTime(now).endSpec().build());
            await(() -> reports("big").stream().anyMatch(r -> r.outcome() == Outcome.INTERRUPTED), Duration.ofMinutes(1),
                    "replica-a stops its run", a, b);
            RunReport stopped = reports("big").get(0);
            assertThat(stopped.replica()).isEqualTo("replica-a");
            assertThat(stopped.error()).contains("no longer leads the sync");
            // Within the renew deadline (2/3 of the lease), plus a second for the batch in flight and the report.
            Duration renewDeadline = Duration.ofMillis(LEASE_SECONDS * 1000L * 2 / 3);
            assertThat(Duration.between(takenAway, stopped.finishedAt())).isLessThan(renewDeadline.plusSeconds(1));
            assertThat(a.log()).contains("This replica (replica-a) no longer leads sync 'big'");
            assertThat(members("big")).as("stopped before the end").isLessThan(30_000);

            await(() -> members("big") == 30_000 && reports("big").stream().anyMatch(r -> "replica-b".equals(r.replica())),
                    Duration.ofMinutes(2), "replica-b finishes the sync", a, b);
            assertThat(first.isAlive()).as("replica-a follows on").isTrue();
            assertThat(emulator.members(listOf("big"))).isEqualTo(emails("big", 30_000));
            RunReport finished = reports("big").get(1);
            assertThat(finished.outcome()).isEqualTo(Outcome.SUCCEEDED);
            assertThat(finished.startedAt()).as("the new leader's run does not overlap the old one's")
                    .isAfter(stopped.finishedAt());
            assertThat(emulator.concurrentWriteViolations()).isZero();
            emulator.settle();
            assertThat(emulator.customerLists().get(0).numUploadedUserRecords()).as("nothing sent twice").isEqualTo(30_000L);
            assertThat(lease(kubernetes).getSpec().getHolderIdentity()).isEqualTo("replica-b");
            assertThat(leaderGauge(port)).as("replica-b leads").isEqualTo("1.0");
        } finally {
            server.destroy();
        }
    }
}
