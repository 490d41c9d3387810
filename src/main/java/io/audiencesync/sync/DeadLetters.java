package io.audiencesync.sync;

import io.audiencesync.observe.Secrets;
import io.audiencesync.pinterest.PinterestApiException;
import io.audiencesync.plan.Batch;
import io.audiencesync.report.DeadLetter;
import io.audiencesync.report.Json;
import io.audiencesync.state.StateFiles;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;

/**
 * The dead-letter channel for batches Pinterest did not acknowledge. The batch stays out of the state, so the next
 * run plans and sends it again; here it is written down with Pinterest's answer, one JSON line per batch in its run's
 * file ({@code dead-letter/<run>.jsonl}, durable before the run goes on, in PostgreSQL with the PostgreSQL store), and
 * counted.
 */
public final class DeadLetters {

    private static final Logger LOG = LoggerFactory.getLogger(DeadLetters.class);

    private final StateFiles files;
    private final Path dir;

    public DeadLetters(StateFiles files, Path dir) {
        this.files = files;
        this.dir = dir;
    }

    public void write(SyncRun run, Batch batch, Exception failure) {
        PinterestApiException api = failure instanceof PinterestApiException e ? e : null;
        DeadLetter letter = new DeadLetter(run.id(), batch.operation().name(), run.target().customerListId(), batch.values(),
                api == null ? 0 : api.status(),
                api == null ? null : api.code(),
                Secrets.mask(api == null ? String.valueOf(failure.getMessage()) : api.pinterestMessage()),
                api == null ? null : api.requestId(),
                api == null ? 1 : api.attempts(), Instant.now());
        Path file = dir.resolve(letter.runId() + ".jsonl");
        try {
            files.append(file, (Json.MAPPER.writeValueAsString(letter) + "\n").getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the dead letter " + files.describe(file), e);
        }
        run.sends().deadLettered(batch.operation(), batch.size(), files.describe(file));
        LOG.warn("Batch {} ({} {} values) went to the dead letter {} after {} attempt(s): {}", batch.number(),
                batch.operation(), batch.size(), files.describe(file), letter.attempts(), failure.getMessage());
    }
}
