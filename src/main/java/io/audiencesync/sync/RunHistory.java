package io.audiencesync.sync;

import io.audiencesync.report.Json;
import io.audiencesync.report.RunReport;
import io.audiencesync.state.LocalStateFiles;
import io.audiencesync.state.StateFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.List;

/**
 * The run reports of a sync ({@code runs/} of its directory), oldest first (run ids sort by time), and their pruning;
 * kept where the workspace's files are (on the disk, or in PostgreSQL, where every replica sees them).
 */
public final class RunHistory {

    private static final Logger LOG = LoggerFactory.getLogger(RunHistory.class);

    private final StateFiles files;
    private final Path dataDir;

    public RunHistory(StateFiles files, Path dataDir) {
        this.files = files;
        this.dataDir = dataDir;
    }

    /** The reports of a sync whose files are on the disk. */
    public RunHistory(Path dataDir) {
        this(LocalStateFiles.INSTANCE, dataDir);
    }

    /** Where the reports are, for messages. */
    public String where() {
        return files.describe(dataDir.resolve("runs"));
    }

    /** Where the report of run {@code runId} is written. */
    public Path report(String runId) {
        return dataDir.resolve("runs").resolve(runId + ".json");
    }

    public List<RunReport> reports() {
        return files.list(dataDir.resolve("runs"), ".json").stream()
                .map(file -> Json.parse(files.read(file).orElseThrow(), RunReport.class, files.describe(file))).toList();
    }

    /** Deletes all but the newest {@code keep} reports, with the rejects and dead-letter files of their runs. */
    public int prune(int keep) {
        List<Path> reports = files.list(dataDir.resolve("runs"), ".json");
        int excess = Math.max(0, reports.size() - keep);
        for (Path report : reports.subList(0, excess)) {
            String runId = report.getFileName().toString().replaceFirst("\\.json$", "");
            LocalStateFiles.INSTANCE.delete(dataDir.resolve("rejects").resolve(runId + ".csv"));
            files.delete(dataDir.resolve("dead-letter").resolve(runId + ".jsonl"));
            files.delete(report);
        }
        if (excess > 0) {
            LOG.info("Pruned {} old run report(s), keeping the newest {} (sync.keep-runs)", excess, keep);
        }
        return excess;
    }
}
