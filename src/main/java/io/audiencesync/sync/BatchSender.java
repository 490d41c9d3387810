package io.audiencesync.sync;

import io.audiencesync.config.SyncSettings;
import io.audiencesync.observe.SyncMetrics;
import io.audiencesync.pinterest.Call;
import io.audiencesync.pinterest.Calls;
import io.audiencesync.pinterest.CustomerList;
import io.audiencesync.pinterest.PinterestAccessException;
import io.audiencesync.pinterest.PinterestApiException;
import io.audiencesync.pinterest.PinterestClient;
import io.audiencesync.plan.Batch;
import io.audiencesync.plan.Operation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * The steps of the {@code send-batch} route that need code: the call for a batch (the first ADD batch of a new
 * sync is the create call), recording a batch Pinterest acknowledged, and halving a refused batch.
 *
 * <p>Pinterest does not say which record of a batch it refused, so a batch answered 400 is halved down to the
 * offending values: only those go to the dead letter, every other value is sent.
 */
public final class BatchSender {

    /** Extra calls one batch may spend isolating refused values; past it, what still fails is dead-lettered whole. */
    static final int MAX_SPLIT_CALLS = 64;
    private static final Logger LOG = LoggerFactory.getLogger(BatchSender.class);

    private final SyncSettings settings;
    private final PinterestClient pinterest;
    private final Provisioner provisioner;
    private final SyncMetrics metrics;
    private final Calls calls;
    private final DeadLetters deadLetters;

    public BatchSender(SyncSettings settings, PinterestClient pinterest, Provisioner provisioner, SyncMetrics metrics,
                       Calls calls, DeadLetters deadLetters) {
        this.settings = settings;
        this.pinterest = pinterest;
        this.provisioner = provisioner;
        this.metrics = metrics;
        this.calls = calls;
        this.deadLetters = deadLetters;
    }

    /** The Pinterest call that sends {@code batch}: a PATCH ADD or REMOVE, or the create call of a new list. */
    public Call call(SyncRun run, Batch batch) {
        Batch.Joined joined = batch.joined();
        PinterestClient.Records values = new PinterestClient.Records(joined.utf8(), batch.size(), joined.jsonSafe());
        String listId = run.target.customerListId();
        if (listId != null) {
            return pinterest.updateCustomerListCall(listId, batch.operation(), values);
        }
        if (batch.operation() != Operation.ADD) {
            throw new IllegalStateException("a REMOVE batch for a customer list that does not exist");
        }
        return pinterest.createCustomerListCall(run.target.customerListName(), settings.identifiers().listType(), values);
    }

    /** Pinterest acknowledged {@code batch} (2xx): the state records it, and the run counts it. */
    public void acknowledged(SyncRun run, Batch batch, CustomerList answer) {
        if (run.target.customerListId() == null) {
            provisioner.listCreated(run, answer.id());
        }
        run.state.commit(batch);
        run.acknowledged(batch.operation(), batch.size());
        metrics.batchSent(batch.operation().name());
    }

    /** Whether Pinterest refused a value of a batch of more than one (400, not about access): it is halved. */
    public boolean refusedValues(Batch batch, Exception failure) {
        return batch.size() > 1 && refused(failure);
    }

    private static boolean refused(Exception failure) {
        return failure instanceof PinterestApiException e && e.status() == 400 && !(e instanceof PinterestAccessException);
    }

    /**
     * Sends a refused batch again in halves, down to the values Pinterest refuses: only those go to the dead letter,
     * every other value is sent and recorded. Within {@link #MAX_SPLIT_CALLS} extra calls; what is still refused past
     * them is dead-lettered as it stands.
     */
    public void isolate(SyncRun run, Batch batch, Exception refusal) {
        LOG.warn("Batch {} ({} {} values) was refused ({}); splitting it to find the values Pinterest refuses",
                batch.number(), batch.operation(), batch.size(), refusal.getMessage());
        isolate(run, batch, batch.lines(), refusal, new int[] {MAX_SPLIT_CALLS});
    }

    private void isolate(SyncRun run, Batch batch, List<String> lines, Exception refusal, int[] budget) {
        if (lines.size() == 1 || budget[0] <= 0) {
            deadLetters.write(run, new Batch(batch.operation(), batch.number(), lines), refusal);
            return;
        }
        int half = lines.size() / 2;
        for (List<String> part : List.of(lines.subList(0, half), lines.subList(half, lines.size()))) {
            budget[0]--;
            Batch piece = new Batch(batch.operation(), batch.number(), part);
            try {
                acknowledged(run, piece, (CustomerList) calls.call(call(run, piece)));
            } catch (PinterestAccessException e) {
                throw e;
            } catch (PinterestApiException e) {
                if (refused(e)) {
                    isolate(run, batch, part, e, budget);
                } else {
                    deadLetters.write(run, piece, e);
                }
            }
        }
    }
}
