package io.audiencesync.sync;

import io.audiencesync.emulator.PinterestEmulator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A snapshot larger than the heap syncs in a separate JVM capped at 64 MB, proving the whole path streams.
 * The same run shows the override order: the environment variable beats the config file.
 */
class LargeFileStreamingTest {

    private static final int ROWS = 1_000_000;
    private static final String HEAP = "-Xmx64m";

    @TempDir
    Path dir;

    @Test
    void aFileLargerThanTheHeapSyncsCompletely() throws Exception {
        Path inbox = dir.resolve("data/inbox");
        Files.createDirectories(inbox);
        Path csv = inbox.resolve("big.csv");
        String padding = "x".repeat(70);
        try (BufferedWriter out = Files.newBufferedWriter(csv, StandardCharsets.UTF_8)) {
            out.write("id,email,notes\n");
            for (int i = 0; i < ROWS; i++) {
                out.write(i + ",user" + i + "@example.com," + padding + "\n");
            }
        }
        assertThat(Files.size(csv)).as("bigger than the child's heap").isGreaterThan(64L * 1024 * 1024);

        try (PinterestEmulator emulator = PinterestEmulator.builder().port(0).start()) {
            Path config = dir.resolve("sync.properties");
            Files.writeString(config, String.join("\n",
                    "pinterest.api-url=" + emulator.baseUrl(),
                    "pinterest.ad-account-id=" + PinterestEmulator.DEFAULT_AD_ACCOUNT_ID,
                    "pinterest.access-token=" + PinterestEmulator.DEFAULT_ACCESS_TOKEN,
                    "sync.name=wrong name, overridden by -D",
                    "sync.batch-size=5000",
                    "sync.sort-buffer-values=100000",
                    "sync.data-dir=" + dir.resolve("data"),
                    "source.file.read-lock-check-interval-ms=50", "source.file.stable-seconds=0",
                    "source.file.poll-delay-ms=50", ""));
            List<String> command = new ArrayList<>(List.of(
                    ChildSync.java(), HEAP,
                    "-Dsync.name=Big", "-cp", ChildSync.classPath(),
                    "io.audiencesync.cli.Cli", "run", "--once", "--config", config.toString()));
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("child.log").toFile());
            builder.environment().put("SYNC_BATCH_SIZE", "25000");
            Process child = builder.start();
            assertThat(child.waitFor(5, TimeUnit.MINUTES)).as("child finished").isTrue();
            String log = Files.readString(dir.resolve("child.log"));
            assertThat(child.exitValue()).as(log).isZero();
            assertThat(log).doesNotContain("OutOfMemoryError").contains("SUCCEEDED");

            String listId = emulator.customerLists().get(0).id();
            assertThat(emulator.customerLists().get(0).name()).isEqualTo("Customer List-Big");
            assertThat(emulator.members(listId)).hasSize(ROWS);
            // 1,000,000 values in batches of 25,000 (the environment variable, not the file's 5,000): 40 list writes
            assertThat(emulator.customerLists().get(0).numBatches()).isEqualTo(40);
        }
    }
}
