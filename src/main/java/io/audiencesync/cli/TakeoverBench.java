package io.audiencesync.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.audiencesync.state.LocalStateFiles;
import io.audiencesync.sync.LeaderRecord;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * {@code bench --takeover N}: how long a sync stops when the replica leading it dies. Two daemons of one workspace on
 * one data directory ({@code cluster.service=file}, the default lease), a first sync of {@code --rows} rows sending
 * at a set write rate; the leader is killed with SIGKILL in the middle of the send, and the time from the kill to the
 * first batch the other replica sends (the list's count growing again) is measured, N times, each on a list of its own.
 */
final class TakeoverBench {

    /** Writes a minute, of batches of 500 values, while the leader sends: slow enough that the kill lands mid-send. */
    private static final int WRITE_RATE = 600;
    private static final int BATCH = 500;
    private static final String SYNC = "takeover";

    private final PrintStream out;
    private final int repeats;
    private final long rows;

    TakeoverBench(PrintStream out, int repeats, long rows) {
        this.out = out;
        this.repeats = repeats;
        this.rows = rows;
    }

    int run(Path home, BenchCommand.Emulator emulator) throws Exception {
        out.printf("bench --takeover: %d takeovers of a %,d-row first sync, cluster.service=file, the default lease, %d"
                + " writes a minute of %d values, %d cores%n", repeats, rows, WRITE_RATE, BATCH, Runtime.getRuntime().availableProcessors());
        Path model = home.resolve("model.csv");
        SyntheticModel.write(model, rows);
        List<Double> seconds = new ArrayList<>();
        boolean failed = false;
        for (int i = 1; i <= repeats; i++) {
            Optional<Double> taken = takeover(home.resolve("takeover-" + i), model, emulator, "Takeover " + i);
            taken.ifPresent(seconds::add);
            out.printf(Locale.ROOT, "takeover %d: %s%n", i, taken.map(s -> String.format(Locale.ROOT, "%.1f s", s))
                    .orElse("CHECK FAILED (see the replicas' logs under " + home.resolve("takeover-" + i) + ")"));
            failed |= taken.isEmpty();
        }
        List<Double> sorted = seconds.stream().sorted().toList();
        if (!sorted.isEmpty()) {
            out.printf(Locale.ROOT, "takeover time, kill -9 of the leader to the other replica's first batch: median %.1f s"
                    + " (min %.1f, max %.1f, n %d)%n", sorted.get(sorted.size() / 2), sorted.get(0),
                    sorted.get(sorted.size() - 1), sorted.size());
        }
        return failed ? 1 : 0;
    }

    private Optional<Double> takeover(Path dir, Path model, BenchCommand.Emulator emulator, String name) throws Exception {
        Path data = dir.resolve("data");
        Path definitions = Files.createDirectories(dir.resolve("syncs"));
        Files.writeString(definitions.resolve(SYNC + ".properties"), "sync.name=" + name + "\nsync.identifiers="
                + SyntheticModel.MAPPING + "\n");
        List<Process> replicas = new ArrayList<>();
        try {
            Process a = replica(dir, data, definitions, emulator, "replica-a");
            replicas.add(a);
            if (!await(() -> LeaderRecord.read(LocalStateFiles.INSTANCE, data.resolve("state"), SYNC).isPresent(), 120)) {
                return Optional.empty();
            }
            Process b = replica(dir, data, definitions, emulator, "replica-b");
            replicas.add(b);
            if (!await(() -> log(dir, "replica-b").contains("Workspace "), 120)) {
                return Optional.empty();
            }
            Path inbox = Files.createDirectories(data.resolve("syncs").resolve(SYNC).resolve("inbox"));
            Files.createLink(inbox.resolve("model.csv"), model);
            String list = "Customer List-" + name;
            if (!await(() -> count(emulator, list) > 0, 300)) {
                return Optional.empty();
            }
            a.destroyForcibly();
            long killed = System.nanoTime();
            a.waitFor(30, TimeUnit.SECONDS);
            // A batch the killed leader had sent may still land: the count once it has settled is the mark.
            Thread.sleep(500);
            long mark = count(emulator, list);
            if (!await(() -> count(emulator, list) > mark, 300)) {
                return Optional.empty();
            }
            return Optional.of((System.nanoTime() - killed) / 1e9);
        } finally {
            for (Process replica : replicas) {
                replica.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            }
        }
    }

    private static Process replica(Path dir, Path data, Path definitions, BenchCommand.Emulator emulator, String member)
            throws IOException {
        Properties settings = WorkspaceBench.settings(emulator, data);
        settings.setProperty("pinterest.write-rate-per-minute", Integer.toString(WRITE_RATE));
        settings.setProperty("logging.level", "INFO"); // the replica's log says when its workspace has started
        settings.setProperty("sync.batch-size", Integer.toString(BATCH));
        settings.setProperty("sync.definitions-dir", definitions.toString());
        settings.setProperty("camel.management.enabled", "false");
        settings.setProperty("cluster.service", "file");
        settings.setProperty("cluster.member", member);
        Path config = dir.resolve(member + ".properties");
        try (var writer = Files.newBufferedWriter(config)) {
            settings.store(writer, null);
        }
        return new ProcessBuilder(BenchCommand.tool("512m", "run", "--config", config.toString())).redirectErrorStream(true).redirectOutput(dir.resolve(member + ".log").toFile())
                .start();
    }

    private static String log(Path dir, String member) {
        try {
            return Files.readString(dir.resolve(member + ".log"));
        } catch (IOException e) {
            return "";
        }
    }

    private static long count(BenchCommand.Emulator emulator, String list) {
        try {
            for (JsonNode l : emulator.lists()) {
                if (l.path("name").asText().equals(list)) {
                    return l.path("member_count").asLong();
                }
            }
            return 0;
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private static boolean await(BooleanSupplier condition, int seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(50);
        }
        return true;
    }
}
