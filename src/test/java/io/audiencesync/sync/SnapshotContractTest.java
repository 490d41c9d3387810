package io.audiencesync.sync;

import io.audiencesync.SyncApp;
import io.audiencesync.emulator.PinterestEmulator;
import io.audiencesync.report.Outcome;
import io.audiencesync.report.RunReport;
import io.audiencesync.source.GzipMembers;
import io.audiencesync.state.FileStateStore;
import io.audiencesync.state.StateStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The snapshot contract, end to end with real files and the emulator over HTTP: a file is synced only once it is
 * whole, a damaged snapshot removes nothing, and whatever a run leaves owed is sent by the next one without a new
 * file, until the list equals the last complete snapshot.
 */
class SnapshotContractTest {

    private static final String HEADER = "id,email\n";

    @TempDir
    Path dir;
    private PinterestEmulator emulator;
    private SyncHarness sync;

    @BeforeEach
    void start() {
        emulator = PinterestEmulator.builder().port(0).start();
        sync = new SyncHarness(emulator, dir).set("sync.identifiers", "email=EMAIL").set("sync.batch-size", "100")
                .set("pinterest.write-rate-per-minute", "100000");
    }

    @AfterEach
    void stop() {
        emulator.close();
    }

    private static String rows(int from, int to) {
        return SyncHarness.emailRows(from, to);
    }

    private static Set<String> emails(int from, int to) {
        return SyncHarness.emails("user", from, to);
    }

    private Set<String> members() {
        return emulator.members(sync.onlyListId());
    }

    @Test
    void aFileWhoseWriterPausesIsReadOnlyOnceWholeWithTheDefaultStableWindow() throws Exception {
        assertThat(sync.sync("day1.csv", HEADER + rows(0, 2_000))).isZero();
        sync.unset("source.file.stable-seconds"); // the embedded default

        // An exporter writing straight into the inbox, pausing 4 s half-way (longer than the read-lock check interval).
        Path file = sync.inbox.resolve("day2.csv");
        CompletableFuture<Integer> run;
        try (OutputStream out = Files.newOutputStream(file)) {
            out.write((HEADER + rows(0, 1_000)).getBytes(StandardCharsets.UTF_8));
            out.flush();
            run = CompletableFuture.supplyAsync(() -> SyncApp.runIsolated(sync.settings));
            Thread.sleep(4_000);
            assertThat(run).as("the run waits for the file to stay unchanged").isNotDone();
            out.write(rows(1_000, 2_100).getBytes(StandardCharsets.UTF_8));
        }
        assertThat(run.get(2, TimeUnit.MINUTES)).isZero();
        assertThat(members()).as("nothing removed: the whole file was read").isEqualTo(emails(0, 2_100));
        assertThat(sync.lastReport().removes().sent()).isZero();
    }

    @Test
    void filesBeingPublishedByRenameOrWaitingForTheirMarkerAreNotRead() throws IOException {
        sync.set("source.file.marker", "{name}.done");
        sync.drop("day1.csv.part", HEADER + rows(0, 10));
        sync.drop(".day1.csv", HEADER + rows(0, 10));
        sync.drop("day1.csv", HEADER + rows(0, 10));
        assertThat(SyncApp.runIsolated(sync.settings)).isZero();
        assertThat(emulator.customerLists()).as("no file was ready").isEmpty();
        assertThat(Files.exists(sync.inbox.resolve("day1.csv"))).isTrue();

        Files.writeString(sync.inbox.resolve("day1.csv.done"), "");
        assertThat(SyncApp.runIsolated(sync.settings)).isZero();
        assertThat(members()).isEqualTo(emails(0, 10));
        assertThat(Files.exists(sync.inbox.resolve("day1.csv.done"))).as("the marker goes with the file").isFalse();
        assertThat(Files.exists(sync.inbox.resolve("day1.csv.part"))).as("a .part file is never read").isTrue();
        assertThat(Files.exists(sync.inbox.resolve(".day1.csv"))).as("a dot-file is never read").isTrue();
    }

    @Test
    void aFileCutExactlyAtALineEndFailsAgainstTheRowCountOfItsMarkerAndRemovesNothing() throws IOException {
        sync.set("source.file.marker", "{name}.done");
        sync.drop("day1.csv", HEADER + rows(0, 1_000));
        Files.writeString(sync.inbox.resolve("day1.csv.done"), "rows=1000\n");
        assertThat(SyncApp.runIsolated(sync.settings)).isZero();
        assertThat(members()).isEqualTo(emails(0, 1_000));

        // Cut after row 900, at a line end: every other check passes, and 10 % fewer values is under both guards.
        sync.drop("day2.csv", HEADER + rows(0, 900));
        Files.writeString(sync.inbox.resolve("day2.csv.done"), "1000\n");
        assertThat(SyncApp.runIsolated(sync.settings)).isEqualTo(1);

        RunReport report = sync.lastReport();
        assertThat(report.outcome()).isEqualTo(Outcome.SNAPSHOT_FAILED);
        assertThat(report.error()).isEqualTo("day2.csv: the file has 900 data rows, but its marker day2.csv.done says 1000:"
                + " the file may have been cut off at a line end, or the count is wrong; its rows were read and nothing is"
                + " removed. Write the file and its marker again");
        assertThat(report.rowsRead()).isEqualTo(900);
        assertThat(report.removes().sent()).isZero();
        assertThat(members()).as("every value still in the list").isEqualTo(emails(0, 1_000));
        assertThat(sync.filesIn(".failed")).singleElement().asString().endsWith("-day2.csv");
    }

    @Test
    void excelsSepHintGivesTheDelimiterAndIsNotARow() throws IOException {
        sync.set("source.file.marker", "{name}.done"); // the settings' delimiter stays comma
        String semicolons = rows(0, 100).replace(',', ';').replace("\n", "\r\n");
        sync.drop("day1.csv", "sep=;\r\nid;email\r\n" + semicolons);
        Files.writeString(sync.inbox.resolve("day1.csv.done"), "100\n");

        assertThat(SyncApp.runIsolated(sync.settings)).isZero();

        assertThat(sync.lastReport().outcome()).isEqualTo(Outcome.SUCCEEDED);
        assertThat(sync.lastReport().rowsRead()).as("the hint and the header are not rows").isEqualTo(100);
        assertThat(members()).isEqualTo(emails(0, 100));
    }

    @Test
    void aQuoteLeftOpenInTheLastColumnFailsTheSnapshotAndRemovesNothing() {
        assertThat(sync.sync("day1.csv", HEADER + rows(0, 1_000))).isZero();
        String damaged = HEADER + rows(0, 519) + "519,\"user519@example.com\n" + rows(520, 1_000);

        int exit = sync.sync("day2.csv", damaged);

        assertThat(exit).isEqualTo(1);
        assertThat(members()).as("no value removed").isEqualTo(emails(0, 1_000));
        RunReport report = sync.lastReport();
        assertThat(report.outcome()).isEqualTo(Outcome.SNAPSHOT_FAILED);
        assertThat(report.error()).contains("day2.csv").contains("line 521").contains("never closed");
        assertThat(sync.filesIn(".failed")).singleElement().asString().endsWith("-day2.csv");
    }

    @Test
    void aFileCutOffMidLineIsAFailedSnapshotByDefault() {
        assertThat(sync.sync("day1.csv", HEADER + rows(0, 1_000))).isZero();
        // A copy cut off in the middle of row 951 (line 952): under both guards, it would remove 50 values.
        assertThat(sync.sync("day2.csv", HEADER + rows(0, 950) + "950,user95")).isEqualTo(1);

        RunReport report = sync.lastReport();
        assertThat(report.outcome()).isEqualTo(Outcome.SNAPSHOT_FAILED);
        assertThat(report.error()).startsWith("day2.csv: line 952: the last line has no line end, so the file may have been"
                + " cut off (source.file.require-line-end=true)").contains("set source.file.require-line-end=false");
        assertThat(members()).as("no value removed").containsAll(emails(0, 1_000));
        assertThat(sync.filesIn(".failed")).singleElement().asString().endsWith("-day2.csv");

        // An exporter that never ends its last line: relaxed, only the other checks apply.
        sync.set("source.file.require-line-end", "false");
        assertThat(sync.sync("day3.csv", HEADER + rows(0, 999) + "999,user999@example.com")).isZero();
        assertThat(members()).isEqualTo(emails(0, 1_000));
    }

    @Test
    void aFilePaddedWithZerosFailsTheSnapshotAtItsLineAndRemovesNothing() {
        sync.set("sync.identifiers", "email=EMAIL");
        String day1 = "email\n" + IntStream.range(0, 1_000).mapToObj(i -> "user" + i + "@example.com\n").collect(Collectors.joining());
        assertThat(sync.sync("day1.csv", day1)).isZero();
        // A copy that stopped after 900 rows and was padded with zeros to the original size: read as text, the zeros
        // would be one rejected value and the 100 rows after them would be removed (under both guards).
        byte[] text = ("email\n" + IntStream.range(0, 900).mapToObj(i -> "user" + i + "@example.com\n")
                .collect(Collectors.joining())).getBytes(StandardCharsets.UTF_8);
        sync.drop("day2.csv", java.util.Arrays.copyOf(text, day1.length()));

        assertThat(SyncApp.runIsolated(sync.settings)).isEqualTo(1);

        RunReport report = sync.lastReport();
        assertThat(report.outcome()).isEqualTo(Outcome.SNAPSHOT_FAILED);
        assertThat(report.error()).isEqualTo("day2.csv: line 902: a NUL byte (binary data, not text) at byte offset "
                + text.length + ": the file holds binary data from here on (a file padded with zeros, or a copy that went"
                + " wrong); the rows before it were read. Write the file again");
        assertThat(report.rowsRead()).isEqualTo(900);
        assertThat(members()).as("no value removed").isEqualTo(emails(0, 1_000));
        assertThat(sync.filesIn(".failed")).singleElement().asString().endsWith("-day2.csv");
    }

    @Test
    void binaryDataInTheHeaderIsAFailedSnapshotThatSaysSo() {
        assertThat(sync.sync("day1.csv", HEADER + rows(0, 10))).isZero();
        sync.drop("day2.csv", new byte[8_192]);

        assertThat(SyncApp.runIsolated(sync.settings)).isEqualTo(1);

        RunReport report = sync.lastReport();
        assertThat(report.outcome()).isEqualTo(Outcome.SNAPSHOT_FAILED);
        assertThat(report.error()).startsWith("day2.csv: line 1: the header holds binary data, not text: a NUL byte at byte"
                + " offset 0");
        assertThat(members()).isEqualTo(emails(0, 10));
        assertThat(sync.filesIn(".failed")).singleElement().asString().endsWith("-day2.csv");
    }

    @Test
    void twoWholeGzipMembersAreOneSnapshotReadCompletely() {
        sync.drop("day1.csv.gz", GzipMembers.twoMembers(HEADER + rows(0, 900), rows(900, 1_000), GzipMembers.Fault.NONE));
        assertThat(SyncApp.runIsolated(sync.settings)).isZero();
        assertThat(sync.lastReport().rowsRead()).isEqualTo(1_000);
        assertThat(members()).isEqualTo(emails(0, 1_000));
    }

    @ParameterizedTest
    @EnumSource(value = GzipMembers.Fault.class, names = "NONE", mode = EnumSource.Mode.EXCLUDE)
    void aDamagedOrCutSecondGzipMemberFailsTheSnapshotAndRemovesNothing(GzipMembers.Fault fault) {
        assertThat(sync.sync("day1.csv", HEADER + rows(0, 1_000))).isZero();
        // Read as a complete file of its first member, this would remove 100 values: under both guards.
        sync.drop("day2.csv.gz", GzipMembers.twoMembers(HEADER + rows(0, 900), rows(900, 1_000), fault));

        assertThat(SyncApp.runIsolated(sync.settings)).isEqualTo(1);

        RunReport report = sync.lastReport();
        assertThat(report.outcome()).isEqualTo(Outcome.SNAPSHOT_FAILED);
        if (fault != GzipMembers.Fault.FLIPPED_BYTE_IN_DATA) {
            // (a flipped byte may garble a row, failing it on its field count, before the member's CRC-32 is checked)
            assertThat(report.error()).startsWith("day2.csv.gz: the gzip data is damaged or cut off (")
                    .containsPattern("at byte \\d+ of the compressed file").contains("Compress the file again");
        }
        assertThat(report.removes().sent()).isZero();
        assertThat(members()).as("no value removed").isEqualTo(emails(0, 1_000));
        assertThat(sync.filesIn(".failed")).singleElement().asString().endsWith("-day2.csv.gz");
    }

    @Test
    void aSnapshotMuchSmallerThanTheLastOneWithholdsItsRemovalsUntilConfirmed() {
        assertThat(sync.sync("day1.csv", HEADER + rows(0, 100))).isZero();
        // 30 % fewer values: under the removal-fraction guard (0.5), over the shrink guard (0.2).
        assertThat(sync.sync("day2.csv", HEADER + rows(0, 70))).isEqualTo(1);
        RunReport report = sync.lastReport();
        assertThat(report.outcome()).isEqualTo(Outcome.REMOVALS_WITHHELD);
        assertThat(report.removalsWithheldBecause()).contains("sync.max-shrink-fraction").contains("30%");
        assertThat(members()).hasSize(100);

        // The same cut-off export again does not become the baseline.
        assertThat(sync.sync("day3.csv", HEADER + rows(0, 70))).isEqualTo(1);
        assertThat(members()).hasSize(100);

        sync.set("sync.allow-mass-removal", "true");
        assertThat(SyncApp.runIsolated(sync.settings)).as("confirmed without a new file").isZero();
        assertThat(members()).isEqualTo(emails(0, 70));
    }

    @Test
    void deadLetteredBatchesAreSentByTheNextRunWithoutANewFile() {
        sync.set("pinterest.max-attempts", "1");
        emulator.faults().failWrites(2, 503);
        assertThat(sync.sync("day1.csv", HEADER + rows(0, 500))).isEqualTo(1);
        assertThat(sync.lastReport().deadLetterBatches()).isGreaterThan(0);
        assertThat(sync.filesIn(".done")).hasSize(1);
        assertThat(sync.filesIn(".failed")).isEmpty();

        assertThat(SyncApp.runIsolated(sync.settings)).isZero();
        assertThat(members()).isEqualTo(emails(0, 500));
        assertThat(sync.lastReport().source()).isEqualTo("resume of day1.csv");

        long writes = emulator.writeCalls();
        assertThat(SyncApp.runIsolated(sync.settings)).as("converged: nothing more to do").isZero();
        assertThat(emulator.writeCalls()).isEqualTo(writes);
    }

    @Test
    void aRunThatCouldNotReachPinterestIsResumedOnceItAnswers() throws IOException {
        int closed;
        try (ServerSocket socket = new ServerSocket(0)) {
            closed = socket.getLocalPort();
        }
        assertThat(sync.sync("day1.csv", HEADER + rows(0, 200))).isZero();
        sync.set("pinterest.api-url", "http://127.0.0.1:" + closed + "/v5").set("pinterest.max-attempts", "1");

        assertThat(sync.sync("day2.csv", HEADER + rows(50, 300))).isEqualTo(1);
        assertThat(sync.filesIn(".failed")).as("the file was read: it is not a failed snapshot").isEmpty();

        sync.set("pinterest.api-url", emulator.baseUrl());
        assertThat(SyncApp.runIsolated(sync.settings)).isZero();
        assertThat(members()).isEqualTo(emails(50, 300));
    }

    @Test
    void aFileOfAListAnotherProcessIsSyncingStaysInTheInbox() throws IOException {
        try (StateStore store = new FileStateStore(sync.data.resolve("state"), 1_000);
             StateStore.Session held = store.begin(PinterestEmulator.DEFAULT_AD_ACCOUNT_ID + "/Customer List-Users 1")) {
            assertThat(sync.sync("day1.csv", HEADER + rows(0, 10))).isEqualTo(1);
            assertThat(sync.filesIn(".failed")).isEmpty();
            assertThat(Files.exists(sync.inbox.resolve("day1.csv"))).isTrue();
        }
        assertThat(SyncApp.runIsolated(sync.settings)).isZero();
        assertThat(members()).isEqualTo(emails(0, 10));
    }

    @Test
    void anEmptyFileIsAFailedSnapshotWithAReason() throws IOException {
        assertThat(sync.sync("day1.csv", "")).isEqualTo(1);
        assertThat(sync.lastReport().error()).contains("day1.csv").contains("empty");
        assertThat(sync.filesIn(".failed")).hasSize(1);
    }

    @Test
    void aConfiguredInboxThatDoesNotExistStopsTheToolAtStart() {
        sync.set("source.file.dir", dir.resolve("inbx").toString());
        assertThat(SyncApp.runIsolated(sync.settings)).isEqualTo(2);
        assertThat(Files.exists(dir.resolve("inbx"))).as("a typo is not created").isFalse();
    }

    @Test
    void aDataDirectoryThatIsAFileStopsTheToolAtStart() throws IOException {
        Path notADir = Files.writeString(dir.resolve("data-file"), "x");
        sync.set("sync.data-dir", notADir.toString()).set("source.file.dir", notADir.resolve("inbox").toString());
        assertThat(SyncApp.runIsolated(sync.settings)).isEqualTo(2);
    }

    @Test
    void planLeavesTheFileAndTheRunHistoryWhenPinterestIsUnreachable() throws IOException {
        int closed;
        try (ServerSocket socket = new ServerSocket(0)) {
            closed = socket.getLocalPort();
        }
        sync.set("pinterest.api-url", "http://127.0.0.1:" + closed + "/v5").set("pinterest.max-attempts", "1")
                .set("sync.dry-run", "true");
        assertThat(sync.sync("day1.csv", HEADER + rows(0, 10))).isEqualTo(1);
        assertThat(Files.exists(sync.inbox.resolve("day1.csv"))).isTrue();
        assertThat(sync.filesIn(".failed")).isEmpty();
        assertThat(Files.exists(sync.data.resolve("runs"))).as("no run entry for a plan").isFalse();
    }

    @Test
    void aSymbolicLinkInTheInboxIsNotFollowedAndNothingOfItsTargetIsShown() throws IOException {
        Path outside = Files.writeString(dir.resolve("secret.csv"), "private-line-one@example.com,other\nx,y\n");
        Files.createDirectories(sync.inbox);
        Files.createSymbolicLink(sync.inbox.resolve("link.csv"), outside);
        assertThat(SyncApp.runIsolated(sync.settings)).isZero();
        assertThat(emulator.customerLists()).isEmpty();
        assertThat(Files.exists(sync.data.resolve("runs"))).as("no run for a link").isFalse();
        assertThat(Files.isSymbolicLink(sync.inbox.resolve("link.csv"))).as("left where it is").isTrue();
    }

    @Test
    void anApiUrlWithAPortNoServerCanHaveStopsTheToolAtStart() {
        sync.set("pinterest.api-url", "http://127.0.0.1:99999/v5");
        assertThat(SyncApp.runIsolated(sync.settings)).isEqualTo(2);
    }

    @Test
    void aFileWithoutAHeaderLeavesNoCellContentInAnyOutput() throws IOException {
        String firstRow = "0, JANE.DOE@EXAMPLE.COM ,cd613e30-d8f1-4adf-91b7-584a2265b1f5";
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        java.io.PrintStream saved = System.err;
        int exit;
        System.setErr(new java.io.PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            exit = sync.sync("noheader.csv", firstRow + "\n1,bob@example.com,x\n");
        } finally {
            System.setErr(saved);
        }
        // Issue 15: a file these settings cannot read at all is a configuration problem, found before any call: exit 2.
        assertThat(exit).isEqualTo(2);
        assertThat(sync.lastReport().error()).contains("does not look like a header (3 cells)");
        String output = err.toString(StandardCharsets.UTF_8);
        try (java.util.stream.Stream<Path> files = Files.walk(sync.data)) {
            for (Path file : files.filter(Files::isRegularFile).filter(f -> !f.getParent().getFileName().toString()
                    .equals(".failed")).toList()) {
                output += Files.readString(file, StandardCharsets.ISO_8859_1);
            }
        }
        assertThat(output).doesNotContainIgnoringCase("jane.doe").doesNotContain("cd613e30").doesNotContain("bob@");
    }

    @Test
    void theDaemonResumesWhatIsOwedOnItsOwn() throws Exception {
        ChildSync child = new ChildSync(emulator, dir.resolve("daemon"));
        child.settings.put("sync.identifiers", "email=EMAIL");
        child.settings.put("sync.batch-size", "100");
        child.settings.put("sync.resume-delay-seconds", "1");
        child.settings.put("pinterest.max-attempts", "1");
        child.settings.put("camel.management.enabled", "false");
        emulator.faults().failWrites(3, 503);
        Files.createDirectories(child.inbox());
        Files.writeString(child.inbox().resolve("day1.csv"), HEADER + rows(0, 300));
        Process daemon = child.start("run");
        try {
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            while (emulator.customerLists().isEmpty() || emulator.members(emulator.customerLists().get(0).id()).size() < 300) {
                assertThat(daemon.isAlive()).as("the daemon runs: " + child.log()).isTrue();
                assertThat(System.nanoTime()).as("the daemon converged on its own: " + child.log()).isLessThan(deadline);
                Thread.sleep(100);
            }
            assertThat(emulator.members(emulator.customerLists().get(0).id())).isEqualTo(emails(0, 300));
            assertThat(child.log()).contains("resumes the desired state");
        } finally {
            daemon.destroy();
            daemon.waitFor(30, TimeUnit.SECONDS);
        }
        // The daemon says what it watches when it starts, and that it stopped.
        assertThat(child.log()).contains("Watching " + child.inbox().toAbsolutePath().normalize() + " for CSV snapshots")
                .contains("Mapping email=EMAIL (segment mode) to the customer list 'Customer List-Child' of ad account "
                        + PinterestEmulator.DEFAULT_AD_ACCOUNT_ID)
                .contains("Stopped: the sync 'Child' no longer watches");
    }
}
