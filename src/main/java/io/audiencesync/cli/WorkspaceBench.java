package io.audiencesync.cli;

import io.audiencesync.report.RunReport;
import io.audiencesync.sync.RunHistory;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * {@code bench --syncs N}: N syncs of {@code --rows} rows each, first synced by one workspace process (every sync of
 * one definitions directory), then by N single-sync processes one after another, on the same files, into the same
 * emulator (its write rate unthrottled). Each is a JVM of its own with the same heap, timed from its start to its
 * exit, its peak resident memory read from /proc while it runs.
 */
final class WorkspaceBench {

    private final PrintStream out;
    private final int syncs;
    private final long rows;
    private final String heap;

    WorkspaceBench(PrintStream out, int syncs, long rows, String heap) {
        this.out = out;
        this.syncs = syncs;
        this.rows = rows;
        this.heap = heap;
    }

    /** What one process took. */
    record Measured(double seconds, long peakRssMb, int exit) {
    }

    int run(Path home, BenchCommand.Emulator emulator) throws Exception {
        out.printf("bench --syncs: %d syncs of %,d rows each, %d cores, each process -Xmx%s, %s%n", syncs, rows,
                Runtime.getRuntime().availableProcessors(), heap, home);
        List<Path> models = new ArrayList<>();
        long t0 = System.nanoTime();
        for (int i = 0; i < syncs; i++) {
            Path model = home.resolve("models").resolve("model-" + i + ".csv");
            Files.createDirectories(model.getParent());
            SyntheticModel.write(model, rows);
            models.add(model);
        }
        out.printf("generated %d models in %.1f s%n", syncs, (System.nanoTime() - t0) / 1e9);

        // One workspace: a sync file per model, each model in its sync's inbox.
        Path workspace = home.resolve("workspace");
        Path definitions = Files.createDirectories(workspace.resolve("syncs"));
        for (int i = 0; i < syncs; i++) {
            Files.writeString(definitions.resolve("s" + i + ".properties"), "sync.name=Workspace " + i + "\n"
                    + "sync.identifiers=" + SyntheticModel.MAPPING + "\n");
            Path inbox = Files.createDirectories(workspace.resolve("data/syncs/s" + i + "/inbox"));
            Files.createLink(inbox.resolve("model.csv"), models.get(i));
        }
        Properties shared = settings(emulator, workspace.resolve("data"));
        shared.setProperty("sync.definitions-dir", definitions.toString());
        Measured one = process(workspace, shared);

        // The same syncs, each a process of its own, one after another.
        List<Measured> singles = new ArrayList<>();
        for (int i = 0; i < syncs; i++) {
            Path single = home.resolve("single-" + i);
            Path inbox = Files.createDirectories(single.resolve("data/inbox"));
            Files.createLink(inbox.resolve("model.csv"), models.get(i));
            Properties settings = settings(emulator, single.resolve("data"));
            settings.setProperty("sync.name", "Single " + i);
            settings.setProperty("sync.identifiers", SyntheticModel.MAPPING);
            singles.add(process(single, settings));
        }

        double sum = singles.stream().mapToDouble(Measured::seconds).sum();
        long singleRss = singles.stream().mapToLong(Measured::peakRssMb).max().orElse(0);
        out.println();
        out.println("| run | processes | seconds | peak RSS MB (one process) | exit codes |");
        out.println("|---|---:|---:|---:|---|");
        out.printf(Locale.ROOT, "| one workspace of %d syncs | 1 | %.1f | %,d | %d |%n", syncs, one.seconds(), one.peakRssMb(),
                one.exit());
        out.printf(Locale.ROOT, "| %d single-sync processes, one after another | %d | %.1f (sum) | %,d (the largest) | %s |%n",
                syncs, syncs, sum, singleRss, singles.stream().map(m -> Integer.toString(m.exit())).distinct().toList());
        out.println();
        out.printf(Locale.ROOT, "workspace time ÷ sum of the single processes: %.2f; workspace peak RSS ÷ one single process's: %.2f%n",
                one.seconds() / sum, (double) one.peakRssMb() / singleRss);
        boolean failed = one.exit() != 0 || singles.stream().anyMatch(m -> m.exit() != 0);
        if (failed) {
            out.println("note: CHECK FAILED: a process did not exit 0; see the run reports under " + home);
        }
        for (int i = 0; i < syncs; i++) {
            // Each workspace sync's list holds what its single-sync twin sent: the workspace did the same work.
            RunReport workspaceRun = lastRun(workspace.resolve("data/syncs/s" + i));
            RunReport singleRun = lastRun(home.resolve("single-" + i).resolve("data"));
            long members = workspaceRun == null ? -1 : emulator.memberCount(workspaceRun.customerListId());
            if (singleRun == null || members != singleRun.adds().sent()) {
                out.printf("note: CHECK FAILED: sync s%d's list holds %,d values, its single-sync process sent %s%n", i,
                        members, singleRun == null ? "nothing" : String.format("%,d", singleRun.adds().sent()));
                failed = true;
            }
        }
        return failed ? 1 : 0;
    }

    private static RunReport lastRun(Path data) {
        List<RunReport> reports = new RunHistory(data).reports();
        return reports.isEmpty() ? null : reports.get(reports.size() - 1);
    }

    /** The settings of a process that syncs into the bench's emulator (its write rate unthrottled) from {@code data}. */
    static Properties settings(BenchCommand.Emulator emulator, Path data) {
        Properties settings = new Properties();
        settings.setProperty("pinterest.api-url", emulator.baseUrl());
        settings.setProperty("pinterest.ad-account-id", "549755885175");
        settings.setProperty("pinterest.access-token", "emulator-token");
        settings.setProperty("pinterest.write-rate-per-minute", "100000");
        settings.setProperty("sync.data-dir", data.toString());
        settings.setProperty("source.file.stable-seconds", "0");
        settings.setProperty("logging.level", "WARN");
        return settings;
    }

    /** {@code run --once} in a JVM of its own; its time and the largest resident memory it reached. */
    private Measured process(Path dir, Properties settings) throws IOException, InterruptedException {
        Path config = dir.resolve("bench.properties");
        try (var writer = Files.newBufferedWriter(config)) {
            settings.store(writer, null);
        }
        List<String> command = BenchCommand.tool(heap, "run", "--once", "--config", config.toString());
        long t0 = System.nanoTime();
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve("process.log").toFile()).start();
        long peakKb = 0;
        Path status = Path.of("/proc", Long.toString(process.pid()), "status");
        while (!process.waitFor(20, TimeUnit.MILLISECONDS)) {
            peakKb = Math.max(peakKb, highWaterMarkKb(status));
        }
        if (process.exitValue() != 0) {
            List<String> log = Files.readAllLines(dir.resolve("process.log"));
            out.println("note: run --once in " + dir + " exited " + process.exitValue() + "; its last lines:");
            log.subList(Math.max(0, log.size() - 8), log.size()).forEach(line -> out.println("  " + line));
        }
        return new Measured((System.nanoTime() - t0) / 1e9, peakKb >> 10, process.exitValue());
    }

    /** VmHWM, the peak resident set of a running process (Linux); 0 where it cannot be read. */
    private static long highWaterMarkKb(Path status) {
        try {
            for (String line : Files.readAllLines(status)) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | NumberFormatException e) {
            // the process ended between two reads
        }
        return 0;
    }
}
