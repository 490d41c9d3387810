package io.audiencesync.sync;

import io.audiencesync.observe.SyncMetrics;
import io.audiencesync.pinterest.Audience;
import io.audiencesync.pinterest.CustomerList;
import io.audiencesync.pinterest.PinterestClient;
import io.audiencesync.plan.Operation;
import io.audiencesync.plan.Plan;
import io.audiencesync.report.AudienceHealth;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;

/**
 * After a run that sent something, reads what Pinterest made of the list with its read calls (GET customer list, GET
 * audience: the read quota, not the write quota) and keeps the reading in the sync's state, its meters and the run.
 * A read that fails (4xx, 5xx, no answer) fails nothing: the run says so in one line and shows the last reading.
 */
public final class AudienceHealthReader {

    private static final Logger LOG = LoggerFactory.getLogger(AudienceHealthReader.class);

    private final PinterestClient pinterest;
    private final AudienceHealthFile file;
    private final SyncMetrics metrics;

    public AudienceHealthReader(PinterestClient pinterest, AudienceHealthFile file, SyncMetrics metrics) {
        this.pinterest = pinterest;
        this.file = file;
        this.metrics = metrics;
    }

    /** The route's step after the sends: a reading when the run sent something, else the last one kept. */
    public void read(SyncRun run) {
        Target target = run.target();
        Plan plan = run.plan();
        if (target == null || target.customerListId() == null || plan == null) {
            return;
        }
        long added = run.sends().acknowledged(Operation.ADD);
        long removed = run.sends().acknowledged(Operation.REMOVE);
        if (added + removed == 0 || run.interrupted()) {
            // Nothing changed in Pinterest, or the process is stopping: the last reading stands, with its age.
            run.health(file.load(target.customerListId()).orElse(null));
            return;
        }
        // The list holds what the state held before the run, with what Pinterest acknowledged this run.
        long listValues = plan.stateCount() + added - removed;
        try {
            CustomerList list = pinterest.getCustomerList(target.customerListId());
            Audience audience = target.audienceId() == null ? null : pinterest.getAudience(target.audienceId());
            AudienceHealth reading = AudienceHealth.read(Instant.now(), list.id(), list.status(),
                    list.numUploadedUserRecords(), list.numRemovedUserRecords(), target.audienceId(),
                    audience == null ? null : audience.status(), audience == null ? null : audience.size(), listValues);
            file.keep(reading);
            metrics.audienceHealth(reading);
            run.health(reading);
            LOG.info("Run {}: {}", run.id(), reading.describe());
            if (reading.warning() != null) {
                LOG.warn("Run {}: WARNING {}", run.id(), reading.warning());
            }
        } catch (RuntimeException e) {
            // The client's message names the call (GET audience 123: HTTP 503 ...).
            String why = RunLifecycle.explain(e);
            LOG.warn("Run {}: the audience's health was not read ({}); the run is not affected", run.id(), why);
            run.health(AudienceHealth.notRead(why, file.load(target.customerListId()).orElse(null)));
        }
    }
}
