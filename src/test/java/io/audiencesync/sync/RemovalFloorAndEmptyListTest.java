package io.audiencesync.sync;

import io.audiencesync.SyncApp;
import io.audiencesync.cli.CliHarness;
import io.audiencesync.emulator.PinterestEmulator;
import io.audiencesync.report.Outcome;
import io.audiencesync.report.RunReport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The removal floor ({@code sync.min-list-values}) and emptying a list on purpose ({@code run --once --empty-list}),
 * both confirmed as a mass removal is, end to end with real files and the emulator over HTTP.
 */
class RemovalFloorAndEmptyListTest {

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
    void removalsThatWouldTakeAListBelowTheFloorAreWithheldUntilConfirmed() {
        assertThat(sync.sync("day1.csv", HEADER + rows(0, 110))).isZero();
        // 15 removals: 14 % of the list and of the model, under both fraction guards, but 95 is under the floor.
        assertThat(sync.sync("day2.csv", HEADER + rows(0, 95))).isEqualTo(1);

        RunReport report = sync.lastReport();
        assertThat(report.outcome()).isEqualTo(Outcome.REMOVALS_WITHHELD);
        assertThat(report.removalsWithheld()).isEqualTo(15);
        assertThat(report.removalsWithheldBecause()).isEqualTo("15 removals would take the list from 110 values to 95,"
                + " below sync.min-list-values=100 (Pinterest targets only an audience of at least 100 matched users);"
                + " if the model really shrank, confirm with run --once --allow-mass-removal (no new file needed) or"
                + " sync.allow-mass-removal=true; or lower sync.min-list-values (0: no floor)");
        assertThat(members()).hasSize(110);

        sync.set("sync.allow-mass-removal", "true");
        assertThat(SyncApp.runIsolated(sync.settings)).as("confirmed without a new file").isZero();
        assertThat(members()).isEqualTo(emails(0, 95));
    }

    @Test
    void aListThatNeverReachedTheFloorIsNotHeldBack() {
        assertThat(sync.sync("day1.csv", HEADER + rows(0, 60))).isZero();
        assertThat(sync.sync("day2.csv", HEADER + rows(0, 50))).isZero();
        assertThat(sync.lastReport().removes().sent()).isEqualTo(10);
        assertThat(members()).isEqualTo(emails(0, 50));
    }

    @Test
    void theFloorIsASettingThatIsChecked() {
        sync.set("sync.min-list-values", "lots");
        CliHarness.Result check = CliHarness.execute(dir, sync.settings, "check", "--offline");
        assertThat(check.code()).isEqualTo(2);
        assertThat(check.out() + check.err())
                .contains("sync.min-list-values: must be a whole number from 0 to 1000000000, got 'lots'");

        sync.set("sync.min-list-values", "0");
        assertThat(sync.sync("day1.csv", HEADER + rows(0, 110))).isZero();
        assertThat(sync.sync("day2.csv", HEADER + rows(0, 95))).as("0: no floor").isZero();
        assertThat(members()).isEqualTo(emails(0, 95));
    }

    @Test
    void anEmptyModelEmptiesTheListOnlyOnPurposeAndConfirmed() {
        assertThat(sync.sync("day1.csv", HEADER + rows(0, 20))).isZero();

        // Without --empty-list an empty export never empties the list, and says how to do it on purpose.
        // The run works toward the last complete snapshot instead, and warns.
        assertThat(sync.sync("day2.csv", HEADER)).isZero();
        assertThat(sync.lastReport().removes().planned()).isZero();
        assertThat(sync.lastReport().warnings()).singleElement().asString().contains("an empty model never empties the list")
                .contains("run --once --empty-list --allow-mass-removal");
        assertThat(members()).hasSize(20);

        // plan --empty-list shows it, and changes nothing.
        sync.drop("day3.csv", HEADER);
        CliHarness.Result plan = CliHarness.execute(dir, sync.settings, "plan", "--empty-list");
        assertThat(plan.code()).as(plan.err()).isZero();
        assertThat(plan.out()).contains("REMOVE 20 ").contains("WITHHELD: emptying the list on purpose");
        CliHarness.Result confirmedPlan = CliHarness.execute(dir, sync.settings, "plan", "--empty-list",
                "--allow-mass-removal");
        assertThat(confirmedPlan.out()).contains("REMOVE 20 ").doesNotContain("WITHHELD");
        assertThat(members()).hasSize(20);

        // --empty-list alone: the removals wait for the confirmation, as a mass removal's do.
        sync.set("sync.empty-list", "true");
        assertThat(sync.sync("day3.csv", HEADER)).isEqualTo(1);
        RunReport report = sync.lastReport();
        assertThat(report.outcome()).isEqualTo(Outcome.REMOVALS_WITHHELD);
        assertThat(report.removalsWithheldBecause()).isEqualTo("emptying the list on purpose (run --once --empty-list)"
                + " removes all 20 values in it; confirm with run --once --allow-mass-removal (no new file needed)");
        assertThat(members()).hasSize(20);

        // Confirmed, without a new file: the empty desired state is resumed and the list emptied.
        sync.unset("sync.empty-list").set("sync.allow-mass-removal", "true");
        assertThat(SyncApp.runIsolated(sync.settings)).isZero();
        assertThat(sync.lastReport().removes().sent()).isEqualTo(20);
        assertThat(members()).isEmpty();
    }

    @Test
    void emptyingIsForOneRunOnly() {
        CliHarness.Result daemon = CliHarness.execute(dir, sync.settings, "run", "--empty-list");
        assertThat(daemon.code()).isEqualTo(2);
        assertThat(daemon.err()).contains("--empty-list is for one run: add --once");

        sync.unset("sync.once").set("sync.empty-list", "true");
        CliHarness.Result check = CliHarness.execute(dir, sync.settings, "check", "--offline");
        assertThat(check.code()).isEqualTo(2);
        assertThat(check.out() + check.err()).contains("sync.empty-list: empties the list for one run only");
    }
}
