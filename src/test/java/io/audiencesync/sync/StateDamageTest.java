package io.audiencesync.sync;

import io.audiencesync.SyncApp;
import io.audiencesync.cli.CliHarness;
import io.audiencesync.emulator.PinterestEmulator;
import io.audiencesync.records.RecordFile;
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
import java.util.HashSet;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static io.audiencesync.sync.SyncHarness.email;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Damaged state, end to end with the emulator over HTTP: it is refused (exit 2, nothing sent, the file or table
 * named with the fix), never acted on; state missing where the sync's own records say it existed is damage too;
 * {@code run --once --reset-state} starts the state again and says plainly what that cannot undo. Run for the file
 * store here and for PostgreSQL in {@link PostgresStateDamageTest}.
 */
class StateDamageTest {

    @TempDir
    Path dir;
    PinterestEmulator emulator;
    SyncHarness sync;

    @BeforeEach
    void start() {
        emulator = PinterestEmulator.builder().port(0).start();
        sync = new SyncHarness(emulator, dir).set("sync.identifiers", "email=EMAIL").set("sync.batch-size", "100")
                .set("pinterest.write-rate-per-minute", "100000");
        configureStore(sync);
    }

    @AfterEach
    void stop() {
        emulator.close();
    }

    /** The store under test (the file store: nothing to set). */
    void configureStore(SyncHarness sync) {
    }

    /** Cuts the list's stored members short, as a file copied in part or rows deleted would. */
    void damageListState(String listId) throws Exception {
        Path members = sync.data.resolve("state/lists/" + listId + "/members.bin");
        byte[] bytes = Files.readAllBytes(members);
        Files.write(members, java.util.Arrays.copyOf(bytes, bytes.length - RecordFile.Seal.LENGTH - 34 * 10));
    }

    /** Takes the list's state away, as a lost directory or deleted rows would. */
    void loseListState(String listId) throws Exception {
        Path state = sync.data.resolve("state/lists/" + listId);
        if (Files.exists(state)) {
            SyncHarness.deleteRecursively(state);
        }
    }

    /** How messages name the list's damaged state. */
    String listStateName(String listId) {
        return sync.data.resolve("state/lists/" + listId + "/members.bin").toString();
    }

    static String model(int from, int to) {
        return "email\n" + IntStream.range(from, to).mapToObj(i -> "user" + i + "@example.com\n").collect(Collectors.joining());
    }

    static Set<String> emails(int from, int to) {
        return IntStream.range(from, to).mapToObj(i -> email("user" + i + "@example.com")).collect(Collectors.toSet());
    }

    /** The one file of the state in {@code dir}, wherever the store keeps it. */
    private Path only(String dir, String suffix) {
        return sync.files().list(sync.data.resolve(dir), suffix).get(0);
    }

    private String text(Path file) {
        return new String(sync.files().read(file).orElseThrow(), StandardCharsets.UTF_8);
    }

    private void write(Path file, String text) {
        sync.files().write(file, text.getBytes(StandardCharsets.UTF_8));
    }

    /** Whether run --once --reset-state set some state aside (under state/set-aside/). */
    boolean stateSetAside() {
        return Files.isDirectory(sync.data.resolve("state/set-aside"));
    }

    /** A new machine: the same sync with an empty data directory, and the list's state lost with it. */
    void newMachine(String listId) throws Exception {
        SyncHarness.deleteRecursively(sync.data);
        loseListState(listId);
    }

    /** Makes the state look as the release before states were sealed left it. */
    void asEarlierRelease() throws IOException {
        unseal(sync.data.resolve("state"));
    }

    private static void flipAByte(Path file, int at) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        bytes[at] ^= 1;
        Files.write(file, bytes);
    }

    @Test
    void damagedListStateStopsEveryRunSendingNothingUntilResetThenTheListConverges() throws Exception {
        assertThat(sync.sync("day1.csv", model(0, 300))).isZero();
        String list = sync.onlyListId();
        damageListState(list);
        long calls = emulator.writeCalls();

        assertThat(sync.sync("day2.csv", model(50, 320))).as("damage is a person's to fix").isEqualTo(2);
        RunReport stopped = sync.lastReport();
        assertThat(stopped.outcome()).isEqualTo(Outcome.STOPPED);
        assertThat(stopped.error()).contains(listStateName(list)).contains("run --once --reset-state");
        assertThat(emulator.writeCalls()).as("nothing sent").isEqualTo(calls);
        assertThat(emulator.members(list)).isEqualTo(emails(0, 300));
        assertThat(sync.filesIn(".done")).as("the snapshot was read whole: it is the desired state").hasSize(2);

        // No new file: what the desired state owes is resumed, and the damage stops it again.
        assertThat(SyncApp.runIsolated(sync.settings)).isEqualTo(2);
        assertThat(emulator.writeCalls()).isEqualTo(calls);

        CliHarness.Result reset = CliHarness.execute(dir, sync.settings, "run", "--once", "--reset-state");
        assertThat(reset.code()).as(reset.out() + reset.err()).isZero();
        assertThat(reset.out().replaceAll("\\s+", " ")).contains("SUCCEEDED").contains("WARNING").contains("adopted by name with no state");
        Set<String> expected = new HashSet<>(emails(0, 300));
        expected.addAll(emails(50, 320));
        assertThat(emulator.members(list)).as("every value of the model is in; the 50 that left it before the reset"
                + " cannot be removed, as the warning says").isEqualTo(expected);
        assertThat(sync.lastReport().warnings()).singleElement().asString().contains("stay in the list", "restore sync.data-dir");
        assertThat(stateSetAside()).isTrue();

        CliHarness.Result status = CliHarness.execute(dir, sync.settings, "status");
        assertThat(status.out().replaceAll("\\s+", " ")).contains("WARNING: since").contains("adopted by name with no state");
        // The next run goes on from the new state, and removes what leaves the model from now on.
        assertThat(sync.sync("day3.csv", model(60, 320))).isZero();
        assertThat(emulator.members(list)).doesNotContainAnyElementsOf(emails(50, 60));
    }

    @Test
    void listStateMissingWhereTheBindingSaysItWasWrittenIsDamageNotAFreshStart() throws Exception {
        assertThat(sync.sync("day1.csv", model(0, 300))).isZero();
        String list = sync.onlyListId();
        loseListState(list);
        long calls = emulator.writeCalls();
        assertThat(sync.sync("day2.csv", model(0, 280))).isEqualTo(2);
        assertThat(sync.lastReport().error()).contains("the state of customer list " + list + " is missing")
                .contains("records that this tool wrote it").contains("run --once --reset-state");
        assertThat(emulator.writeCalls()).as("no silent re-send of the whole model").isEqualTo(calls);
    }

    @Test
    void aDamagedDesiredStateIsRefusedAndAMissingOneIsDamageToo() throws Exception {
        assertThat(sync.sync("day1.csv", model(0, 300))).isZero();
        String list = sync.onlyListId();
        long calls = emulator.writeCalls();
        Path status = only("state/desired", ".json");
        write(status, text(status).replace("\"owed\" : false", "\"owed\" : true"));
        assertThat(sync.sync("day2.csv", model(0, 250))).isEqualTo(2);
        assertThat(sync.lastReport().error()).contains(sync.files().describe(status)).contains("does not match its seal");

        sync.files().delete(status);
        assertThat(sync.sync("day3.csv", model(0, 250))).isEqualTo(2);
        assertThat(sync.lastReport().error()).contains(sync.files().describe(status) + " is missing").contains("records generation");
        assertThat(emulator.writeCalls()).as("nothing sent").isEqualTo(calls);
        assertThat(emulator.members(list)).isEqualTo(emails(0, 300));
    }

    @Test
    void aDamagedBindingIsRefusedAndDeletingItAsTheMessageSaysIsTheFix() throws Exception {
        assertThat(sync.sync("day1.csv", model(0, 300))).isZero();
        String list = sync.onlyListId();
        Path binding = only("state/syncs", ".json");
        String text = text(binding);
        // One digit of the list id changed: another list, were it used.
        write(binding, text.replace("\"customer_list_id\" : \"" + list, "\"customer_list_id\" : \"" + list + "1"));
        long calls = emulator.writeCalls();
        assertThat(sync.sync("day2.csv", model(0, 250))).isEqualTo(2);
        assertThat(sync.lastReport().error()).contains(sync.files().describe(binding)).contains("does not match its seal")
                .contains("Delete it");
        assertThat(emulator.writeCalls()).isEqualTo(calls);

        sync.files().delete(binding);
        assertThat(sync.sync("day3.csv", model(0, 250))).as("the list is found by name, its state kept").isZero();
        assertThat(sync.lastReport().warnings()).isEmpty();
        assertThat(sync.lastReport().removes().sent()).isEqualTo(50);
        assertThat(emulator.members(list)).isEqualTo(emails(0, 250));
    }

    @Test
    void aListAdoptedWithNoStateOfThisToolSaysWhatCannotBeRemoved() throws Exception {
        assertThat(sync.sync("day1.csv", model(0, 300))).isZero();
        String list = sync.onlyListId();
        newMachine(list);
        sync.drop("day2.csv", model(0, 250));
        CliHarness.Result run = CliHarness.execute(dir, sync.settings, "run", "--once");
        assertThat(run.code()).as(run.out() + run.err()).isZero();
        assertThat(run.out().replaceAll("\\s+", " ")).contains("WARNING").contains("adopted by name with no state")
                .contains("values removed from the model while the state was missing stay in the list");
        assertThat(emulator.members(list)).as("nothing is removed without state").isEqualTo(emails(0, 300));
    }

    /** A state directory of the release before states were sealed syncs on, sealed once, with nothing sent again. */
    @Test
    void aStateDirectoryOfTheEarlierReleaseSyncsOnWithNothingSentAgain() throws Exception {
        assertThat(sync.sync("day1.csv", model(0, 300))).isZero();
        String list = sync.onlyListId();
        asEarlierRelease();
        long calls = emulator.writeCalls();

        assertThat(sync.sync("day2.csv", model(0, 300))).isZero();
        assertThat(emulator.writeCalls()).as("nothing sent again").isEqualTo(calls);
        assertThat(sync.data.resolve("state/format.json")).exists();
        assertThat(sync.sync("day3.csv", model(10, 300))).isZero();
        assertThat(emulator.members(list)).isEqualTo(emails(10, 300));
    }

    /** Makes the state look as the earlier release wrote it: no seals, no format.json, the old binding fields. */
    static void unseal(Path state) throws IOException {
        Files.delete(state.resolve("format.json"));
        try (Stream<Path> files = Files.walk(state)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                String name = file.getFileName().toString();
                if (name.endsWith(".bin")) {
                    byte[] bytes = Files.readAllBytes(file);
                    Files.write(file, java.util.Arrays.copyOf(bytes, bytes.length - RecordFile.Seal.LENGTH));
                } else if (name.endsWith(".json")) {
                    var node = (com.fasterxml.jackson.databind.node.ObjectNode) io.audiencesync.report.Json.MAPPER.readTree(file.toFile());
                    node.remove(java.util.List.of("sha256", "list_key", "desired_generation", "list_state",
                            "adopted_without_state"));
                    io.audiencesync.state.LocalStateFiles.INSTANCE.write(file, io.audiencesync.report.Json.bytes(node));
                }
            }
        }
    }
}
