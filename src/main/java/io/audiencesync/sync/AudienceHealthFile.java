package io.audiencesync.sync;

import io.audiencesync.report.AudienceHealth;
import io.audiencesync.state.SealedJson;
import io.audiencesync.state.StateFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.Optional;

/**
 * Where a sync keeps its last {@link AudienceHealth} reading: {@code state/health/<sync>.json}, sealed like the other
 * small state files. Unlike them it is advisory: a reading missing, damaged or that cannot be written is said in the
 * log and taken as no reading (the next run's reading replaces it), never a reason to stop a run.
 */
public final class AudienceHealthFile {

    private static final Logger LOG = LoggerFactory.getLogger(AudienceHealthFile.class);

    private final StateFiles files;
    private final Path file;

    public AudienceHealthFile(StateFiles files, Path stateDir, String syncName) {
        this.files = files;
        this.file = stateDir.resolve("health").resolve(SyncBinding.file(stateDir, syncName).getFileName());
    }

    public Path file() {
        return file;
    }

    /** The last reading of {@code customerListId} (any list when null), or empty when there is none or it is damaged. */
    public Optional<AudienceHealth> load(String customerListId) {
        try {
            AudienceHealth reading = SealedJson.read(files, file, AudienceHealth.class, false, "It is only a reading: the"
                    + " next run that sends something reads Pinterest again and replaces it").orElse(null);
            if (reading == null) {
                return Optional.empty();
            }
            // A reading of another list (the sync was bound to another one since) says nothing of this one.
            return customerListId == null || customerListId.equals(reading.customerListId()) ? Optional.of(reading)
                    : Optional.empty();
        } catch (RuntimeException e) {
            LOG.warn("The last audience health reading is not used: {}", e.getMessage());
            return Optional.empty();
        }
    }

    /** Keeps {@code reading} as the last one; a reading that cannot be written is said in the log, not thrown. */
    public void keep(AudienceHealth reading) {
        try {
            SealedJson.write(files, file, reading);
        } catch (RuntimeException e) {
            LOG.warn("Cannot keep the audience health reading in {} ({}); the run is not affected", file, e.getMessage());
        }
    }
}
