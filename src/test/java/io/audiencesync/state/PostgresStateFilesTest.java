package io.audiencesync.state;

import io.audiencesync.LogCapture;
import io.audiencesync.PostgresTestDatabase;
import io.audiencesync.pinterest.StoredToken;
import io.audiencesync.pinterest.TokenFile;
import io.audiencesync.pinterest.TokenStore;
import io.audiencesync.pinterest.TokenStoreException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What replicas without a shared volume share through PostgreSQL, on a real one: the workspace's files (two replicas'
 * data directories see the same ones, large files stream in parts, the files an earlier release left on the disk are
 * taken in once), and the tokens (refreshes serialized by the row's lock, a token file taken in).
 */
class PostgresStateFilesTest {

    @TempDir
    Path dir;
    private String schema;
    private PostgresStateStore store;

    @BeforeEach
    void open() throws SQLException {
        PostgresTestDatabase.assumeAvailable();
        schema = PostgresTestDatabase.newSchema();
        store = new PostgresStateStore(PostgresTestDatabase.URL, PostgresTestDatabase.USER, PostgresTestDatabase.PASSWORD, schema);
    }

    @AfterEach
    void drop() {
        if (schema != null) {
            PostgresTestDatabase.dropSchema(schema);
        }
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void twoReplicasDataDirectoriesShareTheSameFilesByTheirPathInTheWorkspace() {
        Path a = dir.resolve("a");
        Path b = dir.resolve("b");
        StateFiles onA = store.files(a);
        StateFiles onB = store.files(b);

        onA.write(a.resolve("state/syncs/x.json"), utf8("{\"v\":1}"));
        onA.write(a.resolve("state/syncs/x.json"), utf8("{\"v\":2}"));
        onA.write(a.resolve("state/syncs/y_1.json"), utf8("{}"));
        onA.write(a.resolve("state/syncs/deeper/z.json"), utf8("{}"));
        onA.write(a.resolve("state/syncs/x.txt"), utf8("no"));
        onA.write(a.resolve("state/syncsx/w.json"), utf8("no"));

        assertThat(onB.read(b.resolve("state/syncs/x.json"))).hasValueSatisfying(c -> assertThat(c).isEqualTo(utf8("{\"v\":2}")));
        assertThat(onB.list(b.resolve("state/syncs"), ".json")).as("directly in the directory, with the suffix, in order")
                .containsExactly(b.resolve("state/syncs/x.json"), b.resolve("state/syncs/y_1.json"));
        assertThat(Files.exists(a.resolve("state/syncs/x.json"))).as("nothing on the disk").isFalse();

        onB.append(b.resolve("dead-letter/r.jsonl"), utf8("one\n"));
        onA.append(a.resolve("dead-letter/r.jsonl"), utf8("two\n"));
        assertThat(new String(onB.read(b.resolve("dead-letter/r.jsonl")).orElseThrow(), StandardCharsets.UTF_8)).isEqualTo("one\ntwo\n");

        assertThat(onB.move(b.resolve("state/syncs/x.json"), b.resolve("state/set-aside/t/syncs/x.json"))).isTrue();
        assertThat(onA.read(a.resolve("state/syncs/x.json"))).isEmpty();
        assertThat(onA.read(a.resolve("state/set-aside/t/syncs/x.json"))).isPresent();
        assertThat(onA.delete(a.resolve("state/set-aside/t/syncs/x.json"))).isTrue();
        assertThat(onA.delete(a.resolve("state/set-aside/t/syncs/x.json"))).isFalse();
        assertThat(onA.describe(a.resolve("state/syncs/y_1.json"))).isEqualTo("'state/syncs/y_1.json' of the PostgreSQL table "
                + schema + ".state_file");
        assertThatThrownBy(() -> onA.write(dir.resolve("elsewhere.json"), utf8("{}"))).hasMessageContaining("not under the data directory");
    }

    @Test
    void aLargeFileIsStoredInPartsAndFetchedToAnotherReplicasDiskOnlyWhenItsCopyDiffers() throws Exception {
        Path a = dir.resolve("a");
        Path b = dir.resolve("b");
        byte[] content = new byte[PostgresStateFiles.PART * 2 + 12_345];
        new Random(7).nextBytes(content);
        Path onA = a.resolve("state/desired/l-1.bin");
        Files.createDirectories(onA.getParent());
        Files.write(onA, content);
        store.files(a).store(onA);
        assertThat(PostgresTestDatabase.query("select count(*) from " + schema + ".state_file where name = 'state/desired/l-1.bin'"))
                .containsExactly("3");

        Path onB = b.resolve("state/desired/l-1.bin");
        assertThat(store.files(b).fetch(onB)).isTrue();
        assertThat(Files.readAllBytes(onB)).isEqualTo(content);
        long fetched = Files.getLastModifiedTime(onB).toMillis();
        Thread.sleep(20);
        assertThat(store.files(b).fetch(onB)).isTrue();
        assertThat(Files.getLastModifiedTime(onB).toMillis()).as("the same copy is not fetched again").isEqualTo(fetched);

        // A copy that differs (another lineage of the same name) is replaced by the one in force.
        byte[] other = content.clone();
        other[other.length - 1] ^= 1;
        Files.write(onB, other);
        assertThat(store.files(b).fetch(onB)).isTrue();
        assertThat(Files.readAllBytes(onB)).isEqualTo(content);
        assertThat(store.files(b).fetch(b.resolve("state/desired/l-2.bin"))).isFalse();
    }

    @Test
    void aLargeFileIsUploadedWhileItIsWrittenAndReplacesTheOldOneOnlyWhenFinished() throws Exception {
        Path a = dir.resolve("a");
        Path onA = a.resolve("state/desired/l-1.bin");
        Files.createDirectories(onA.getParent());
        byte[] old = utf8("the generation before");
        Files.write(onA, old);
        store.files(a).store(onA);

        byte[] content = new byte[PostgresStateFiles.PART * 6 + 777];
        new Random(11).nextBytes(content);
        Path onB = dir.resolve("b/state/desired/l-1.bin");
        try (StateFiles.Upload upload = store.files(a).upload(onA)) {
            // Written in odd pieces, as a writer's buffer fills: more parts than wait in memory at once.
            for (int off = 0; off < content.length; off += 100_003) {
                upload.write(content, off, Math.min(100_003, content.length - off));
            }
            assertThat(store.files(dir.resolve("b")).fetch(onB)).isTrue();
            assertThat(Files.readAllBytes(onB)).as("not finished: the old one is in force").isEqualTo(old);
            upload.finish();
        }
        assertThat(store.files(dir.resolve("b")).fetch(onB)).isTrue();
        assertThat(Files.readAllBytes(onB)).isEqualTo(content);
        assertThat(PostgresTestDatabase.query("select count(*) from " + schema + ".state_file where name = 'state/desired/l-1.bin'"))
                .containsExactly("7");

        // Closed without finishing (the writer failed): nothing of it is kept.
        try (StateFiles.Upload upload = store.files(a).upload(onA)) {
            upload.write(old, 0, old.length);
        }
        assertThat(store.files(dir.resolve("b")).fetch(onB)).isTrue();
        assertThat(Files.readAllBytes(onB)).isEqualTo(content);
    }

    @Test
    void aFileAnEarlierReleaseLeftOnTheDiskIsTakenInOnceAndTheTablesCopyWinsAfterThat() throws Exception {
        StateFiles files = store.files(dir);
        Path binding = dir.resolve("state/syncs/x.json");
        Files.createDirectories(binding.getParent());
        Files.writeString(binding, "{\"v\":\"disk\"}");

        assertThat(files.list(dir.resolve("state/syncs"), ".json")).containsExactly(binding);
        assertThat(binding).doesNotExist();
        assertThat(binding.resolveSibling("x.json.in-postgres")).hasContent("{\"v\":\"disk\"}");
        files.write(binding, utf8("{\"v\":\"table\"}"));
        Files.writeString(binding, "{\"v\":\"stale\"}");
        try (LogCapture logs = new LogCapture()) {
            assertThat(files.read(binding)).hasValueSatisfying(c -> assertThat(new String(c, StandardCharsets.UTF_8))
                    .isEqualTo("{\"v\":\"table\"}"));
            files.read(binding);
            assertThat(logs.warnings()).as("not used, and said once").containsExactly(binding + " is not used: the"
                    + " PostgreSQL state store keeps 'state/syncs/x.json' in " + schema + ".state_file (state.store=postgres),"
                    + " and that one is in force. Delete the file, or move it aside");
        }
    }

    private static StoredToken token(String access, String refresh) {
        return new StoredToken(access, refresh, Instant.now().plusSeconds(3600), null, "ads:read,ads:write", "549755885175");
    }

    @Test
    void refreshesOfTwoProcessesAreSerializedByTheTokensRowLock() throws Exception {
        TokenStore first = store.tokens(null);
        TokenStore second = new PostgresStateStore(PostgresTestDatabase.URL, PostgresTestDatabase.USER,
                PostgresTestDatabase.PASSWORD, schema).tokens(null);
        assertThat(first.exists()).isFalse();
        assertThatThrownBy(first::load).isInstanceOf(TokenStoreException.class).hasMessageContaining("run 'pinterest-audience-sync auth'");
        first.save(token("access-0", "refresh-0"));

        // Each "refresh" reads the kept refresh token and saves the next one; overlapping, one would spend a token twice.
        AtomicInteger spent = new AtomicInteger();
        CountDownLatch holding = new CountDownLatch(1);
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try {
            Future<String> a = threads.submit(() -> first.whileLocked(() -> {
                StoredToken kept = first.load();
                holding.countDown();
                sleep(500);
                spent.incrementAndGet();
                first.save(token("access-1", "refresh-1"));
                return kept.refreshToken();
            }));
            assertThat(holding.await(10, TimeUnit.SECONDS)).isTrue();
            Future<String> b = threads.submit(() -> second.whileLocked(() -> {
                StoredToken kept = second.load();
                spent.incrementAndGet();
                second.save(token("access-2", "refresh-2"));
                return kept.refreshToken();
            }));
            assertThat(a.get(20, TimeUnit.SECONDS)).isEqualTo("refresh-0");
            assertThat(b.get(20, TimeUnit.SECONDS)).as("the second waited and read the rotated token").isEqualTo("refresh-1");
        } finally {
            threads.shutdownNow();
        }
        assertThat(spent).hasValue(2);
        assertThat(second.load().refreshToken()).isEqualTo("refresh-2");
        assertThat(first.where()).isEqualTo("the PostgreSQL table " + schema + ".token");
    }

    @Test
    void aTokenFileIsTakenInWhenTheTableHasNoTokensAndThenTheTableIsTheSource() throws Exception {
        Path file = dir.resolve("pinterest-token.json");
        new TokenFile(file).save(token("access-file", "refresh-file"));
        TokenStore tokens = store.tokens(new TokenFile(file));

        assertThat(tokens.exists()).isTrue();
        assertThat(tokens.load().accessToken()).isEqualTo("access-file");
        assertThat(file).doesNotExist();
        assertThat(file.resolveSibling("pinterest-token.json.in-postgres")).exists();

        // A token file written again later (auth run with the file store by mistake) does not replace the table's,
        // and is said to be unused.
        tokens.save(token("access-table", "refresh-table"));
        new TokenFile(file).save(token("access-stale", "refresh-stale"));
        try (LogCapture logs = new LogCapture()) {
            assertThat(store.tokens(new TokenFile(file)).load().accessToken()).isEqualTo("access-table");
            assertThat(logs.warnings()).singleElement().asString().startsWith("The token file " + file + " is not used:"
                    + " the tokens are kept in the PostgreSQL table " + schema + ".token").doesNotContain("access-");
        }
        assertThat(file).content().as("left as it is, not read").contains("access-stale");
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
