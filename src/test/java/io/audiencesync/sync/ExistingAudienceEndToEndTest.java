package io.audiencesync.sync;

import io.audiencesync.emulator.EmulatorAudience;
import io.audiencesync.emulator.EmulatorList;
import io.audiencesync.emulator.PinterestEmulator;
import io.audiencesync.report.RunReport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import static io.audiencesync.sync.SyncHarness.email;
import static org.assertj.core.api.Assertions.assertThat;

/** sync.audience / sync.customer-list-id / sync.audience-id: syncing into a customer list audience that already exists. */
class ExistingAudienceEndToEndTest {

    private static final String ACCOUNT = PinterestEmulator.DEFAULT_AD_ACCOUNT_ID;
    private static final String HEADER = "id,email,maid,idfa\n";

    @TempDir
    Path dir;
    private PinterestEmulator emulator;
    private SyncHarness sync;
    private String listId;
    private String audienceId;

    @BeforeEach
    void start() {
        emulator = PinterestEmulator.builder().port(0).start();
        sync = new SyncHarness(emulator, dir);
        // An audience someone made in Pinterest, with a member this tool never sent.
        listId = emulator.seedCustomerList(ACCOUNT, "Customer List-Newsletter", "EMAIL", List.of(email("theirs@example.com")));
        audienceId = emulator.seedAudience(ACCOUNT, "Audience-Newsletter", listId);
    }

    @AfterEach
    void stop() {
        emulator.close();
    }

    /** Runs like run --once and returns the exit code with what went to stderr. */
    private record Outcome(int exit, String stderr) {
    }

    private Outcome syncCapturingStderr(String file, String csv) {
        PrintStream err = System.err;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            System.setErr(new PrintStream(bytes, true, StandardCharsets.UTF_8));
            int exit = sync.sync(file, csv);
            return new Outcome(exit, bytes.toString(StandardCharsets.UTF_8));
        } finally {
            System.setErr(err);
        }
    }

    private void assertNothingCreated() {
        assertThat(emulator.customerLists()).extracting(EmulatorList::id).containsExactly(listId);
        assertThat(emulator.audiences()).extracting(EmulatorAudience::id).containsExactly(audienceId);
        assertThat(emulator.writeCalls()).isZero();
    }

    @Test
    void anAudienceChosenByItsNameIsSyncedIntoAndOnlyTheToolsValuesAreEverRemoved() {
        sync.set("sync.audience", "Customer List-Newsletter, Audience-Newsletter");

        String others = "3,c@example.com,,\n4,d@example.com,,\n5,e@example.com,,\n6,f@example.com,,\n";
        assertThat(sync.sync("day1.csv", HEADER + "1,a@example.com,,\n2,b@example.com,,\n" + others)).isZero();
        assertThat(emulator.customerLists()).hasSize(1);
        assertThat(emulator.audiences()).hasSize(1);
        assertThat(emulator.members(listId)).hasSize(7)
                .contains(email("theirs@example.com"), email("a@example.com"), email("b@example.com"));
        RunReport report = sync.lastReport();
        assertThat(report.customerListId()).isEqualTo(listId);
        assertThat(report.customerListName()).isEqualTo("Customer List-Newsletter");
        assertThat(report.audienceId()).isEqualTo(audienceId);
        assertThat(report.audienceName()).isEqualTo("Audience-Newsletter");
        assertThat(report.customerListCreated()).isFalse();
        assertThat(report.audienceCreated()).isFalse();

        // b leaves the model: removed. The member the tool never sent is not in the model either, and stays.
        assertThat(sync.sync("day2.csv", HEADER + "1,a@example.com,,\n" + others)).isZero();
        assertThat(emulator.members(listId)).hasSize(6).contains(email("theirs@example.com"), email("a@example.com"))
                .doesNotContain(email("b@example.com"));
        assertThat(sync.lastReport().removes().sent()).isEqualTo(1);
    }

    @Test
    void anAudienceIsFoundByNameOnAnyPage() {
        for (int i = 0; i < 260; i++) {
            String id = emulator.seedCustomerList(ACCOUNT, "Customer List-Other " + i, "EMAIL", List.of());
            emulator.seedAudience(ACCOUNT, "Audience-Other " + i, id);
        }
        String last = emulator.seedCustomerList(ACCOUNT, "Customer List-Last", "EMAIL", List.of());
        String lastAudience = emulator.seedAudience(ACCOUNT, "Audience-Last", last);
        sync.set("sync.audience", "Customer List-Last, Audience-Last");

        assertThat(sync.sync("day1.csv", HEADER + "1,a@example.com,,\n")).isZero();

        assertThat(emulator.members(last)).containsExactly(email("a@example.com"));
        assertThat(sync.lastReport().audienceId()).isEqualTo(lastAudience);
    }

    @Test
    void anAudienceChosenByIdBringsItsList() {
        sync.set("sync.audience-id", audienceId);
        assertThat(sync.sync("day1.csv", HEADER + "1,a@example.com,,\n")).isZero();
        assertThat(emulator.members(listId)).contains(email("a@example.com"));
        assertThat(sync.lastReport().audienceId()).isEqualTo(audienceId);
        assertThat(emulator.customerLists()).hasSize(1);
    }

    @Test
    void aListChosenByIdWithoutAnAudienceGetsOneAtTheEndOfTheRun() {
        String bare = emulator.seedCustomerList(ACCOUNT, "Customer List-Bare", "EMAIL", List.of());
        sync.set("sync.customer-list-id", bare);

        assertThat(sync.sync("day1.csv", HEADER + "1,a@example.com,,\n")).isZero();

        assertThat(emulator.members(bare)).containsExactly(email("a@example.com"));
        assertThat(emulator.customerLists()).hasSize(2);
        assertThat(emulator.audiences()).filteredOn(a -> a.customerListId().equals(bare)).singleElement()
                .satisfies(a -> assertThat(a.name()).isEqualTo("Audience-Users 1"));
        assertThat(sync.lastReport().audienceCreated()).isTrue();
    }

    @Test
    void idsThatDoNotBelongTogetherAreAConfigurationError() {
        String other = emulator.seedCustomerList(ACCOUNT, "Customer List-Other", "EMAIL", List.of());
        sync.set("sync.customer-list-id", other).set("sync.audience-id", audienceId);

        int exit = sync.sync("day1.csv", HEADER + "1,a@example.com,,\n");

        assertThat(exit).isEqualTo(2);
        assertThat(sync.lastReport().error()).contains("sync.audience-id").contains("wraps customer list " + listId);
        assertThat(emulator.writeCalls()).isZero();
    }

    @Test
    void aNameThatMatchesNothingIsAConfigurationErrorThatSaysWhatWasFoundAndCreatesNothing() {
        sync.set("sync.audience", "Customer List-Newsleter, Audience-Newsletter");

        int exit = sync.sync("day1.csv", HEADER + "1,a@example.com,,\n");

        assertThat(exit).isEqualTo(2);
        assertThat(sync.lastReport().error())
                .startsWith("sync.audience: no customer list audience is named 'Customer List-Newsleter, Audience-Newsletter'")
                .contains("found 'Customer List-Newsletter, Audience-Newsletter'")
                .contains("nothing was created");
        assertNothingCreated();
        // The file was read completely: the desired state holds it, and the fixed name needs no new file.
        assertThat(sync.filesIn(".failed")).isEmpty();
        sync.set("sync.audience", "Customer List-Newsletter, Audience-Newsletter");
        assertThat(io.audiencesync.SyncApp.runIsolated(sync.settings)).isZero();
        assertThat(emulator.members(listId)).contains(email("a@example.com"));
    }

    @Test
    void aNameThatMatchesTwoAudiencesIsAConfigurationErrorNamingBothAndCreatesNothing() {
        String twin = emulator.seedCustomerList(ACCOUNT, "Customer List-Newsletter", "EMAIL", List.of());
        String twinAudience = emulator.seedAudience(ACCOUNT, "Audience-Newsletter", twin);
        sync.set("sync.audience", "Customer List-Newsletter, Audience-Newsletter");

        int exit = sync.sync("day1.csv", HEADER + "1,a@example.com,,\n");

        assertThat(exit).isEqualTo(2);
        assertThat(sync.lastReport().error()).contains("2 customer list audiences are named")
                .contains("customer list " + listId + " with audience " + audienceId)
                .contains("customer list " + twin + " with audience " + twinAudience)
                .contains("sync.customer-list-id and sync.audience-id");
        assertThat(emulator.writeCalls()).isZero();
        assertThat(emulator.members(listId)).containsExactly(email("theirs@example.com"));
    }

    @Test
    void anAudienceIdThatDoesNotExistIsAConfigurationError() {
        sync.set("sync.audience-id", "999");
        assertThat(sync.sync("day1.csv", HEADER + "1,a@example.com,,\n")).isEqualTo(2);
        assertThat(sync.lastReport().error()).contains("sync.audience-id: no customer list audience 999");
        assertNothingCreated();
    }

    @Test
    void choosingAnExistingAudienceAndNamingANewOneAtOnceIsRefusedAtStart() {
        sync.set("sync.audience", "Customer List-Newsletter, Audience-Newsletter").set("sync.audience-name", "Mine");
        Outcome outcome = syncCapturingStderr("day1.csv", HEADER + "1,a@example.com,,\n");
        assertThat(outcome.exit()).isEqualTo(2);
        assertThat(outcome.stderr()).contains("sync.audience-name: names a list and audience this tool creates");
        assertNothingCreated();
    }

    @Test
    void switchingFromTheOwnListToAnExistingOneAndBackKeepsStateApart() {
        sync.set("sync.allow-mass-removal", "true"); // day 3 removes the own list's only value
        assertThat(sync.sync("day1.csv", HEADER + "1,a@example.com,,\n")).isZero();
        String own = emulator.customerLists().stream().filter(l -> l.name().equals("Customer List-Users 1")).findFirst()
                .orElseThrow().id();

        sync.set("sync.audience", "Customer List-Newsletter, Audience-Newsletter");
        assertThat(sync.sync("day2.csv", HEADER + "2,b@example.com,,\n")).isZero();
        assertThat(emulator.members(listId)).containsExactlyInAnyOrder(email("theirs@example.com"), email("b@example.com"));
        assertThat(emulator.members(own)).as("the other list is not touched").containsExactly(email("a@example.com"));

        sync.unset("sync.audience");
        assertThat(sync.sync("day3.csv", HEADER + "2,b@example.com,,\n")).isZero();
        assertThat(sync.lastReport().customerListId()).isEqualTo(own);
        assertThat(emulator.members(own)).containsExactly(email("b@example.com"));
        assertThat(emulator.members(listId)).contains(email("b@example.com"));
    }
}
