package io.audiencesync.sync;

import io.audiencesync.PostgresTestDatabase;
import io.audiencesync.SyncApp;
import io.audiencesync.TestOAuth;
import io.audiencesync.cli.CliHarness;
import io.audiencesync.emulator.PinterestEmulator;
import io.audiencesync.emulator.RecordedCall;
import io.audiencesync.pinterest.StoredToken;
import io.audiencesync.pinterest.TokenFile;
import io.audiencesync.report.Json;
import io.audiencesync.report.Outcome;
import io.audiencesync.report.RunReport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import static io.audiencesync.sync.SyncHarness.email;
import static io.audiencesync.sync.SyncHarness.emails;
import static io.audiencesync.sync.Workspaces.model;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A workspace: several syncs in one process, one token, one write quota, each sync's failure its own; through the
 * real routes (made from the route templates, one set per sync), the emulator over HTTP and the real PostgreSQL.
 */
class WorkspaceTest {

    @TempDir
    Path dir;
    private PinterestEmulator emulator;
    private Path data;
    private Path syncs;
    private final Map<String, String> settings = new HashMap<>();

    @BeforeEach
    void start() throws IOException {
        emulator = PinterestEmulator.builder().port(0).start();
        data = dir.resolve("data");
        syncs = Files.createDirectories(dir.resolve("syncs"));
        settings.putAll(Workspaces.settings(emulator, data, syncs));
        settings.put("sync.once", "true");
        settings.put("sync.batch-size", "100");
    }

    @AfterEach
    void stop() {
        emulator.close();
    }

    private void syncFile(String id, String... lines) throws IOException {
        Workspaces.syncFile(syncs, id, lines);
    }

    private Path inbox(String id) {
        return Workspaces.inbox(data, id);
    }

    private void drop(String id, String name, String csv) throws IOException {
        Files.createDirectories(inbox(id));
        Files.writeString(inbox(id).resolve(name), csv, StandardCharsets.UTF_8);
    }

    private String listId(String name) {
        return emulator.customerLists().stream().filter(l -> l.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no list " + name + " in " + emulator.customerLists())).id();
    }

    private List<RunReport> reports(String id) {
        return Workspaces.reports(data, id);
    }

    @Test
    void threeSyncsInOneProcessEachExactAndOneSyncsFailureStaysItsOwn() throws Exception {
        PostgresTestDatabase.assumeAvailable();
        String table = PostgresTestDatabase.newSchema();
        PostgresTestDatabase.execute("create table " + table + " (email text)");
        try {
            PostgresTestDatabase.execute("insert into " + table + " select 'sql' || i || '@example.com' from generate_series(0, 249) i");
            syncFile("buyers", "sync.name=Buyers", "sync.identifiers=email=EMAIL");
            syncFile("leads", "sync.name=Leads", "sync.identifiers=email=EMAIL");
            syncFile("warehouse", "sync.name=Warehouse", "sync.identifiers=email=EMAIL",
                    "source.jdbc.url=" + PostgresTestDatabase.URL, "source.jdbc.user=" + PostgresTestDatabase.USER,
                    "source.jdbc.query=SELECT email FROM " + table);
            drop("buyers", "day1.csv", model("buyer", 0, 300));
            drop("leads", "day1.csv", model("lead", 0, 200));
            CliHarness.Result first = CliHarness.execute(dir, settings, "run", "--once");
            assertThat(first.code()).as(first.out() + first.err()).isZero();
            assertThat(first.out()).contains("buyers: day1.csv: SUCCEEDED").contains("leads: day1.csv: SUCCEEDED")
                    .contains("warehouse: query on").contains("total: 3 syncs, 3 runs (3 SUCCEEDED); exit code 0");
            assertThat(emulator.members(listId("Customer List-Buyers"))).isEqualTo(emails("buyer", 0, 300));
            assertThat(emulator.members(listId("Customer List-Leads"))).isEqualTo(emails("lead", 0, 200));
            assertThat(emulator.members(listId("Customer List-Warehouse"))).isEqualTo(emails("sql", 0, 250));

            // Buyers' new file is cut off (a quote never closed); Leads' list was deleted in Pinterest (404); the
            // warehouse's model changed.
            drop("buyers", "day2.csv", "email\nbuyer1@example.com\n\"buyer2@example.com\n");
            emulator.faults().listGone(listId("Customer List-Leads"));
            drop("leads", "day2.csv", model("lead", 0, 150));
            PostgresTestDatabase.execute("delete from " + table + " where email like 'sql24%'"); // 11 of 250
            CliHarness.Result second = CliHarness.execute(dir, settings, "run", "--once");
            assertThat(second.code()).as("the worst outcome: Leads' 404 is a person's to fix").isEqualTo(2);
            assertThat(reports("buyers").get(reports("buyers").size() - 1).outcome()).isEqualTo(Outcome.SNAPSHOT_FAILED);
            assertThat(reports("leads").get(reports("leads").size() - 1).outcome()).isEqualTo(Outcome.STOPPED);
            assertThat(reports("warehouse").get(reports("warehouse").size() - 1).outcome()).isEqualTo(Outcome.SUCCEEDED);
            assertThat(emulator.members(listId("Customer List-Buyers"))).as("a failed snapshot removes nothing")
                    .isEqualTo(emails("buyer", 0, 300));
            Set<String> warehouse = emails("sql", 0, 250);
            warehouse.removeAll(IntStream.range(0, 250).filter(i -> Integer.toString(i).startsWith("24"))
                    .mapToObj(i -> email("sql" + i + "@example.com")).toList());
            assertThat(emulator.members(listId("Customer List-Warehouse"))).as("the third sync converged")
                    .isEqualTo(warehouse);
            assertThat(second.out()).contains("total: 3 syncs, 3 runs").contains("exit code 2");
        } finally {
            PostgresTestDatabase.execute("drop table if exists " + table);
        }
    }

    @Test
    void twelveSyncsShareOneTokenThatIsRefreshedOnceWhenItExpiresMidRun() throws Exception {
        settings.remove("pinterest.access-token");
        settings.put("pinterest.client-id", PinterestEmulator.DEFAULT_CLIENT_ID);
        settings.put("pinterest.client-secret", PinterestEmulator.DEFAULT_CLIENT_SECRET);
        settings.put("sync.max-concurrent-runs", "12");
        Path tokenFile = data.resolve("pinterest-token.json");
        TestOAuth.tokenFile(emulator, tokenFile);
        int issued = emulator.tokensIssued();
        for (int s = 0; s < 12; s++) {
            syncFile("s" + s, "sync.name=Segment " + s);
            drop("s" + s, "day1.csv", model("s" + s + "-", 0, 1_000));
        }
        CompletableFuture<Integer> run = CompletableFuture.supplyAsync(() -> SyncApp.runIsolated(settings));
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        while (emulator.writeCalls() < 24 && !run.isDone() && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        emulator.expireAccessTokens();
        assertThat(run.get(3, TimeUnit.MINUTES)).isZero();

        assertThat(emulator.tokensIssued() - issued).as("one refresh for the twelve syncs").isEqualTo(1);
        for (int s = 0; s < 12; s++) {
            assertThat(emulator.members(listId("Customer List-Segment " + s))).isEqualTo(emails("s" + s + "-", 0, 1_000));
        }
        StoredToken saved = new TokenFile(tokenFile).load();
        // The refresh token the emulator issued last is the one kept; the one it replaced works no more.
        assertThat(io.audiencesync.TestOAuth.oauth(emulator).refresh(saved.refreshToken()).accessToken()).isNotBlank();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(tokenFile))).isEqualTo("rw-------");
    }

    @Test
    void aSmallSyncTakesItsTurnBetweenTheBatchesOfALargeFirstSyncAndTheRateStaysTheTokens() throws Exception {
        syncFile("big", "sync.name=Big", "sync.batch-size=5000");
        syncFile("small", "sync.name=Small", "sync.batch-size=500");
        drop("big", "day1.csv", model("big", 0, 200_000)); // 40 batches
        Files.createDirectories(inbox("small"));
        // The daemon, in a process of its own: one write every 50 ms for the whole workspace.
        ChildSync daemon = new ChildSync(emulator, dir);
        daemon.settings.putAll(settings);
        daemon.settings.remove("sync.name");
        daemon.settings.put("sync.once", "false");
        daemon.settings.put("pinterest.write-rate-per-minute", "1200");
        daemon.settings.put("camel.management.enabled", "false");
        Process process = daemon.start("run");
        try {
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
            while (emulator.writeCalls() < 5) {
                assertThat(process.isAlive()).as(daemon.log()).isTrue();
                assertThat(System.nanoTime()).as("the big sync sends").isLessThan(deadline);
                Thread.sleep(5);
            }
            // The big sync is sending; the small one's model arrives now: two batches of 500.
            Files.writeString(inbox("small").resolve("day1.csv"), model("small", 0, 1_000));
            Instant dropped = Instant.now();
            while (emulator.customerLists().stream().noneMatch(l -> l.name().equals("Customer List-Small"))
                    || emulator.members(listId("Customer List-Small")).size() < 1_000) {
                assertThat(System.nanoTime()).as("the small sync finished: " + daemon.log()).isLessThan(deadline);
                Thread.sleep(10);
            }
            String big = listId("Customer List-Big");
            String small = listId("Customer List-Small");
            List<RecordedCall> writes = emulator.calls().stream()
                    .filter(c -> c.method().equals("POST") || c.method().equals("PATCH")).toList();
            Instant smallDone = writes.stream().filter(c -> c.path().contains(small) || c.path().endsWith("/customer_lists")
                    && !c.at().isBefore(dropped)).map(RecordedCall::at).max(Instant::compareTo).orElseThrow();
            long bigMeanwhile = writes.stream().filter(c -> c.path().contains(big) && !c.at().isBefore(dropped)
                    && !c.at().isAfter(smallDone)).count();
            assertThat(emulator.members(big).size()).as("the big sync was still sending when the small one finished: the"
                    + " small one took turns instead of waiting for it").isLessThan(200_000);
            // Its file waits a poll (50 ms), is read and planned, then its two writes each take the next free turn.
            assertThat(bigMeanwhile).as("big's writes between the small file's arrival and its last write").isLessThanOrEqualTo(12);
            // Never more writes in a second than the token's total allows (20 a second).
            List<Instant> times = writes.stream().map(RecordedCall::at).sorted().toList();
            for (int i = 0; i < times.size(); i++) {
                Instant from = times.get(i);
                long inSecond = times.stream().filter(t -> !t.isBefore(from) && t.isBefore(from.plusSeconds(1))).count();
                assertThat(inSecond).as("writes in the second from %s", from).isLessThanOrEqualTo(21);
            }
        } finally {
            process.destroy();
            process.waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void conflictsAndKeysThatCannotDifferPerSyncAreRefusedEachWithItsMessage() throws Exception {
        syncFile("a", "sync.name=Users 1");
        syncFile("b", "sync.name=Users 1");
        syncFile("c", "sync.name=C", "source.file.dir=" + dir.resolve("shared-inbox"));
        syncFile("d", "sync.name=D", "source.file.dir=" + dir.resolve("shared-inbox"));
        syncFile("e", "sync.name=E", "pinterest.access-token=another", "state.store=postgres");
        syncFile("Bad_Id", "sync.name=F");
        Files.createDirectories(dir.resolve("shared-inbox"));
        CliHarness.Result check = CliHarness.execute(dir, settings, "check", "--offline");
        assertThat(check.code()).isEqualTo(2);
        String out = check.out().replaceAll("\\s+", " ");
        assertThat(out).contains("syncs 'a' (a.properties) and 'b' (b.properties) would both write the customer list"
                + " 'Customer List-Users 1'");
        assertThat(out).contains("syncs 'c' (c.properties) and 'd' (d.properties) would both read the inbox "
                + dir.resolve("shared-inbox"));
        assertThat(out).contains("pinterest.access-token: cannot differ per sync (in " + syncs.resolve("e.properties"))
                .contains("set it in the shared settings (application.properties)")
                .contains("state.store: cannot differ per sync");
        assertThat(out).contains("Bad_Id.properties: the file's name is the sync's id");
        assertThat(out).doesNotContain("another");

        // The same refusal stops a run before anything is read or sent.
        CliHarness.Result run = CliHarness.execute(dir, settings, "run", "--once");
        assertThat(run.code()).isEqualTo(2);
        assertThat(emulator.writeCalls()).isZero();
    }

    @Test
    void aSingleSyncDataDirectoryOfTheEarlierReleaseSyncsOnUnchangedAndThenAsASyncOfAWorkspace() throws Exception {
        // The earlier release: one sync, its settings in application.properties, its files in sync.data-dir itself.
        Map<String, String> single = new HashMap<>(settings);
        single.remove("sync.definitions-dir");
        single.put("sync.name", "Users 1");
        Files.createDirectories(data.resolve("inbox"));
        Files.writeString(data.resolve("inbox/day1.csv"), model("u", 0, 400));
        assertThat(SyncApp.runIsolated(single)).isZero();
        StateDamageTest.unseal(data.resolve("state"));
        long writes = emulator.writeCalls();

        Files.writeString(data.resolve("inbox/day2.csv"), model("u", 0, 400));
        assertThat(SyncApp.runIsolated(single)).as("the same configuration, unchanged").isZero();
        assertThat(emulator.writeCalls()).as("nothing sent again").isEqualTo(writes);

        // The same sync moved into a workspace, with its name: its state is found, nothing is sent again.
        syncFile("users-1", "sync.name=Users 1");
        syncFile("other", "sync.name=Other");
        drop("users-1", "day3.csv", model("u", 0, 400));
        assertThat(SyncApp.runIsolated(settings)).isZero();
        assertThat(emulator.writeCalls()).as("nothing sent again for users-1, nothing at all for other").isEqualTo(writes);
        assertThat(reports("users-1")).singleElement().satisfies(r -> assertThat(r.adds().planned()).isZero());
    }

    @Test
    void relativePathsInASettingsFileAreTakenFromItsDirectoryFromAnyWorkingDirectory() throws Exception {
        Path config = Files.createDirectories(dir.resolve("etc"));
        Files.createDirectories(config.resolve("syncs"));
        Files.writeString(config.resolve("syncs/users-1.properties"), "sync.name=Users 1\n");
        Map<String, String> shared = new HashMap<>(settings);
        shared.put("sync.data-dir", "./data");
        shared.put("sync.definitions-dir", "syncs");
        Path file = config.resolve("application.properties");
        java.util.Properties properties = new java.util.Properties();
        properties.putAll(shared);
        try (var out = Files.newBufferedWriter(file)) {
            properties.store(out, null);
        }
        Files.createDirectories(config.resolve("data/syncs/users-1/inbox"));
        Files.writeString(config.resolve("data/syncs/users-1/inbox/day1.csv"), model("u", 0, 10));
        // From another working directory: the process's own; the paths are still the file's.
        ChildSync.Exit run = ChildSync.runCli(Files.createDirectories(dir.resolve("elsewhere")), Map.of(),
                List.of("run", "--once", "--config", file.toString()));
        assertThat(run.code()).as(run.output()).isZero();
        assertThat(config.resolve("data/syncs/users-1/runs")).isDirectory();
        assertThat(dir.resolve("elsewhere/data")).doesNotExist();
        assertThat(emulator.members(listId("Customer List-Users 1"))).isEqualTo(emails("u", 0, 10));
    }

    @Test
    void aRelativeDataDirectoryThatMeantAnotherPlaceBeforeStopsTheStartNamingBoth() throws Exception {
        Path work = Files.createDirectories(dir.resolve("work"));
        Path config = Files.createDirectories(dir.resolve("etc"));
        // An earlier release ran from work/ with sync.data-dir=./data in etc/application.properties: its state is in work/data.
        Files.createDirectories(work.resolve("data/state"));
        Map<String, String> single = new HashMap<>(settings);
        single.remove("sync.definitions-dir");
        single.put("sync.name", "Users 1");
        single.put("sync.data-dir", "./data");
        java.util.Properties properties = new java.util.Properties();
        properties.putAll(single);
        try (var out = Files.newBufferedWriter(config.resolve("application.properties"))) {
            properties.store(out, null);
        }
        ChildSync.Exit run = ChildSync.runCli(work, Map.of(), List.of("run", "--once", "--config",
                config.resolve("application.properties").toString()));
        assertThat(run.code()).isEqualTo(2);
        assertThat(run.output()).contains("sync.data-dir: './data' in " + config.resolve("application.properties"))
                .contains("now means " + config.resolve("data")).contains(work.resolve("data") + " holds this tool's data");
        assertThat(emulator.writeCalls()).isZero();
    }
}
