package io.audiencesync.report;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** The run reports under {@code sync.data-dir/runs}, oldest first (run ids sort by time), and their pruning. */
public final class RunHistory {

    private static final Logger LOG = LoggerFactory.getLogger(RunHistory.class);

    private final Path dataDir;

    public RunHistory(Path dataDir) {
        this.dataDir = dataDir;
    }

    public List<RunReport> reports() {
        return reportFiles().stream().map(file -> Json.read(file, RunReport.class)).toList();
    }

    /** Deletes all but the newest {@code keep} reports, with the rejects and dead-letter files of their runs. */
    public int prune(int keep) {
        List<Path> files = reportFiles();
        int excess = Math.max(0, files.size() - keep);
        for (Path report : files.subList(0, excess)) {
            String runId = report.getFileName().toString().replaceFirst("\\.json$", "");
            try {
                Files.deleteIfExists(dataDir.resolve("rejects").resolve(runId + ".csv"));
                Files.deleteIfExists(dataDir.resolve("dead-letter").resolve(runId + ".jsonl"));
                Files.deleteIfExists(report);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot prune the files of run " + runId, e);
            }
        }
        if (excess > 0) {
            LOG.info("Pruned {} old run report(s), keeping the newest {} (sync.keep-runs)", excess, keep);
        }
        return excess;
    }

    private List<Path> reportFiles() {
        Path runs = dataDir.resolve("runs");
        if (!Files.isDirectory(runs)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(runs)) {
            return files.filter(p -> p.getFileName().toString().endsWith(".json")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + runs, e);
        }
    }
}
