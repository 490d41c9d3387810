package io.audiencesync.sync;

import io.audiencesync.emulator.PinterestEmulator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A query result larger than the heap syncs in a separate JVM capped at 64 MB: the rows really stream from
 * PostgreSQL a fetch size at a time (with the whole result in memory the same run dies of OutOfMemoryError).
 */
class PostgresStreamingTest {

    private static final int ROWS = 1_000_000;
    private static final String HEAP = "-Xmx64m";
    private static final String PASSWORD = "pas-it-Secret-9e4b";
    private TestPostgres pg;

    @TempDir
    Path dir;

    @BeforeEach
    void database() {
        pg = TestPostgres.require();
    }

    @AfterEach
    void dropTables() {
        if (pg != null) {
            pg.dropAll();
        }
    }

    @Test
    void aResultLargerThanTheHeapSyncsCompletely() throws Exception {
        String big = pg.name("big");
        pg.execute("CREATE UNLOGGED TABLE " + big + " AS SELECT i AS id, 'user' || i || '@example.com' AS email,"
                + " repeat('x', 100) AS notes FROM generate_series(1, " + ROWS + ") i");
        try (Connection connection = TestPostgres.connect(); Statement statement = connection.createStatement();
             ResultSet size = statement.executeQuery("SELECT sum(octet_length(email) + octet_length(notes)) FROM " + big)) {
            size.next();
            assertThat(size.getLong(1)).as("bytes of text in the result, bigger than the child's heap").isGreaterThan(64L * 1024 * 1024);
        }

        try (PinterestEmulator emulator = PinterestEmulator.builder().port(0).start()) {
            Path config = dir.resolve("sync.properties");
            Files.writeString(config, String.join("\n",
                    "pinterest.api-url=" + emulator.baseUrl(),
                    "pinterest.ad-account-id=" + PinterestEmulator.DEFAULT_AD_ACCOUNT_ID,
                    "pinterest.access-token=" + PinterestEmulator.DEFAULT_ACCESS_TOKEN,
                    "sync.name=Warehouse",
                    "sync.batch-size=25000",
                    "sync.sort-buffer-values=100000",
                    "sync.data-dir=" + dir.resolve("data"),
                    "source.jdbc.url=" + TestPostgres.URL,
                    "source.jdbc.user=" + TestPostgres.USER,
                    "source.jdbc.password=" + PASSWORD,
                    "source.jdbc.query=SELECT id, email, notes FROM " + big, ""));
            List<String> command = List.of(ChildSync.java(), HEAP,
                    "-cp", ChildSync.classPath(), "io.audiencesync.cli.Cli", "run", "--once", "--config", config.toString());
            Process child = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(dir.resolve("child.log").toFile()).start();
            assertThat(child.waitFor(5, TimeUnit.MINUTES)).as("child finished").isTrue();
            String log = Files.readString(dir.resolve("child.log"));
            assertThat(child.exitValue()).as(log).isZero();
            assertThat(log).doesNotContain("OutOfMemoryError").contains("SUCCEEDED").contains(ROWS + " rows read")
                    .doesNotContain(PASSWORD);

            String listId = emulator.customerLists().get(0).id();
            assertThat(emulator.members(listId)).hasSize(ROWS);
            System.out.println(log.lines().filter(l -> l.contains("SUCCEEDED")).findFirst().orElse(""));
        }
    }
}
