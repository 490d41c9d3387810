package io.audiencesync.sync;

import io.audiencesync.PostgresTestDatabase;
import io.audiencesync.emulator.PinterestEmulator;
import io.audiencesync.report.Outcome;
import io.audiencesync.report.RunReport;
import io.audiencesync.state.FileStateStore;
import io.audiencesync.state.PostgresStateStore;
import io.audiencesync.state.StateStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two processes syncing the same customer list: while one holds the list's lock, a second {@code run --once} (a
 * real separate JVM) stops before it reads, sends nothing, says why, leaves the file and exits 1; once the lock is
 * free it syncs.
 */
class ListLockTest {

    private static final String LOCK_KEY = PinterestEmulator.DEFAULT_AD_ACCOUNT_ID + "/Customer List-Child";

    @TempDir
    Path dir;
    private PinterestEmulator emulator;
    private ChildSync child;
    private String schema;

    @BeforeEach
    void start() {
        emulator = PinterestEmulator.builder().port(0).start();
        child = new ChildSync(emulator, dir);
    }

    @AfterEach
    void stop() {
        emulator.close();
        if (schema != null) {
            PostgresTestDatabase.dropSchema(schema);
        }
    }

    @Test
    void theFileStoreLetsOneProcessWriteAList() throws Exception {
        try (StateStore store = new FileStateStore(dir.resolve("data/state"), 1_000)) {
            secondProcessStopsWhileTheFirstHoldsTheLock(store);
        }
    }

    @Test
    void thePostgresStoreLetsOneProcessWriteAList() throws Exception {
        PostgresTestDatabase.assumeAvailable();
        schema = PostgresTestDatabase.newSchema();
        child.settings.putAll(PostgresTestDatabase.settings(schema));
        try (StateStore store = new PostgresStateStore(PostgresTestDatabase.URL, PostgresTestDatabase.USER,
                PostgresTestDatabase.PASSWORD, schema)) {
            secondProcessStopsWhileTheFirstHoldsTheLock(store);
        }
    }

    private void secondProcessStopsWhileTheFirstHoldsTheLock(StateStore store) throws Exception {
        Files.createDirectories(child.inbox());
        Files.writeString(child.inbox().resolve("day1.csv"), "email\na@example.com\nb@example.com\n");
        try (StateStore.Session held = store.begin(LOCK_KEY)) {
            assertThat(child.run()).as(child.log()).isEqualTo(1);
        }
        assertThat(emulator.writeCalls()).as("nothing sent").isZero();
        assertThat(child.log()).contains("another process is syncing '" + LOCK_KEY + "'");
        RunReport report = lastReport();
        assertThat(report.outcome()).isEqualTo(Outcome.FAILED);
        assertThat(report.error()).contains("another process is syncing").contains("sent nothing");

        // The file stayed in the inbox (never in .failed): once the lock is free, the next run syncs it.
        assertThat(Files.exists(child.inbox().resolve("day1.csv"))).isTrue();
        assertThat(Files.exists(child.inbox().resolve(".failed"))).isFalse();
        assertThat(child.run()).as(child.log()).isZero();
        assertThat(emulator.members(emulator.customerLists().get(0).id())).hasSize(2);
    }

    private RunReport lastReport() {
        List<RunReport> reports = child.reports();
        return reports.get(reports.size() - 1);
    }
}
