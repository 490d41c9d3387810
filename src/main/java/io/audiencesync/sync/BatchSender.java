package io.audiencesync.sync;

import io.audiencesync.config.SyncSettings;
import io.audiencesync.observe.SyncMetrics;
import io.audiencesync.pinterest.PinterestAccessException;
import io.audiencesync.pinterest.PinterestApiException;
import io.audiencesync.pinterest.PinterestClient;
import io.audiencesync.plan.Batch;
import io.audiencesync.plan.Operation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Sends one batch and records it in the state only once Pinterest acknowledged it (2xx). The first ADD
 * batch of a new sync is the create call. Writes to one customer list never overlap: Pinterest answers
 * code 8 to concurrent writes on one object.
 *
 * <p>Pinterest does not say which record of a batch it refused, so a 400 splits the batch in halves, down to
 * the offending values: only those go to the dead letter, every other value is sent. A batch that fails
 * otherwise (retries exhausted) is thrown to the route, whose dead-letter channel takes it whole.
 */
public final class BatchSender {

    /** Extra calls one batch may spend isolating refused values; past it, what still fails is dead-lettered whole. */
    static final int MAX_SPLIT_CALLS = 64;
    private static final Logger LOG = LoggerFactory.getLogger(BatchSender.class);

    private final SyncSettings settings;
    private final PinterestClient pinterest;
    private final Provisioner provisioner;
    private final DeadLetters deadLetters;
    private final SyncMetrics metrics;
    private final Map<String, ReentrantLock> listLocks = new ConcurrentHashMap<>();

    public BatchSender(SyncSettings settings, PinterestClient pinterest, Provisioner provisioner, DeadLetters deadLetters,
                       SyncMetrics metrics) {
        this.settings = settings;
        this.pinterest = pinterest;
        this.provisioner = provisioner;
        this.deadLetters = deadLetters;
        this.metrics = metrics;
    }

    public void send(SyncRun run, Batch batch) {
        ReentrantLock lock = listLocks.computeIfAbsent(run.target.customerListName(), name -> new ReentrantLock());
        lock.lock();
        try {
            try {
                write(run, batch);
            } catch (PinterestApiException e) {
                if (!refusedRecords(e)) {
                    throw e;
                }
                LOG.warn("Batch {} ({} {} values) was refused ({}); splitting it to find the values Pinterest refuses",
                        batch.number(), batch.operation(), batch.size(), e.getMessage());
                int[] budget = {MAX_SPLIT_CALLS};
                isolate(run, batch, batch.lines(), e, budget);
            }
        } finally {
            lock.unlock();
        }
    }

    private void isolate(SyncRun run, Batch batch, List<String> lines, PinterestApiException refusal, int[] budget) {
        if (lines.size() == 1 || budget[0] <= 0) {
            deadLetters.write(run, new Batch(batch.operation(), batch.number(), lines), refusal);
            return;
        }
        int half = lines.size() / 2;
        for (List<String> part : List.of(lines.subList(0, half), lines.subList(half, lines.size()))) {
            budget[0]--;
            try {
                write(run, new Batch(batch.operation(), batch.number(), part));
            } catch (PinterestApiException e) {
                if (refusedRecords(e)) {
                    isolate(run, batch, part, e, budget);
                } else if (e instanceof PinterestAccessException) {
                    throw e;
                } else {
                    deadLetters.write(run, new Batch(batch.operation(), batch.number(), part), e);
                }
            }
        }
    }

    private static boolean refusedRecords(PinterestApiException e) {
        return e.status() == 400 && !(e instanceof PinterestAccessException);
    }

    private void write(SyncRun run, Batch batch) {
        Operation operation = batch.operation();
        Batch.Joined joined = batch.joined();
        PinterestClient.Records values = new PinterestClient.Records(joined.utf8(), batch.size(), joined.jsonSafe());
        String listId = run.target.customerListId();
        if (listId == null) {
            if (operation != Operation.ADD) {
                throw new IllegalStateException("a REMOVE batch for a customer list that does not exist");
            }
            String created = pinterest.createCustomerList(run.target.customerListName(),
                    settings.identifiers().listType(), values).id();
            provisioner.listCreated(run, created);
        } else {
            pinterest.updateCustomerList(listId, operation, values);
        }
        run.state.commit(batch);
        run.acknowledged(operation, batch.size());
        metrics.batchSent(operation.name());
    }
}
