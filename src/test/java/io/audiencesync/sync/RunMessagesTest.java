package io.audiencesync.sync;

import io.audiencesync.cli.CliHarness;
import io.audiencesync.emulator.PinterestEmulator;
import io.audiencesync.report.Outcome;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.concurrent.ThreadLocalRandom;

import static org.assertj.core.api.Assertions.assertThat;

/** What a run's summary says when it did not get far: the list it has, and the next step for its kind of source. */
class RunMessagesTest {

    @TempDir
    Path dir;
    private PinterestEmulator emulator;
    private SyncHarness sync;

    @BeforeEach
    void start() {
        emulator = PinterestEmulator.builder().port(0).start();
        sync = new SyncHarness(emulator, dir).set("sync.identifiers", "email=EMAIL");
    }

    @AfterEach
    void stop() {
        emulator.close();
    }

    @Test
    void aStoppedRunNamesTheListItsSyncIsBoundToNotANewOne() {
        assertThat(sync.sync("day1.csv", "email\nuser1@example.com\n")).isZero();
        String list = sync.onlyListId();
        sync.drop("day2.csv", "mail\nuser1@example.com\n"); // a header the settings cannot read: stopped before any look-up
        CliHarness.Result run = CliHarness.execute(dir, sync.settings, "run", "--once");
        assertThat(run.code()).isEqualTo(2);
        assertThat(sync.lastReport().outcome()).isEqualTo(Outcome.STOPPED);
        assertThat(sync.lastReport().customerListId()).isEqualTo(list);
        assertThat(run.out()).contains("list     'Customer List-Users 1' " + list).doesNotContain("not created yet");
    }

    @Test
    void aStoppedRunOfANewSyncSaysTheListWasNotLookedUp() {
        sync.drop("day1.csv", "mail\nuser1@example.com\n");
        CliHarness.Result run = CliHarness.execute(dir, sync.settings, "run", "--once");
        assertThat(run.code()).isEqualTo(2);
        assertThat(run.out()).contains("'Customer List-Users 1' (not looked up)").doesNotContain("not created yet");
    }

    @Test
    void aFailedQueryIsToBeFixedInTheQueryNotInAFile() throws Exception {
        String url = "jdbc:h2:mem:messages" + ThreadLocalRandom.current().nextInt(1_000_000);
        try (Connection keep = DriverManager.getConnection(url)) {
            sync.set("source.jdbc.url", url).set("source.jdbc.query", "SELECT email FROM no_such_table");
            CliHarness.Result run = CliHarness.execute(dir, sync.settings, "run", "--once");
            assertThat(run.code()).isEqualTo(1);
            assertThat(run.out().replaceAll("\\s+", " ")).contains("SNAPSHOT_FAILED").contains("fix source.jdbc.query or the database")
                    .doesNotContain("fix the file");
        }
    }
}
