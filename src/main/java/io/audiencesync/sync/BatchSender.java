package io.audiencesync.sync;

import io.audiencesync.config.SyncSettings;
import io.audiencesync.observe.SyncMetrics;
import io.audiencesync.pinterest.Call;
import io.audiencesync.pinterest.CustomerList;
import io.audiencesync.pinterest.PinterestAccessException;
import io.audiencesync.pinterest.PinterestClient;
import io.audiencesync.plan.Batch;
import io.audiencesync.plan.Operation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;


/**
 * The steps of the {@code send-batch} routes that need code: the call for a batch (the first ADD batch of a new
 * sync is the create call), recording a batch Pinterest acknowledged, and the {@link Isolation} of the values
 * Pinterest refused in a batch answered 400 (it does not say which): only those go to the dead letter, every other
 * value is sent.
 */
public final class BatchSender {

    private static final Logger LOG = LoggerFactory.getLogger(BatchSender.class);

    private final SyncSettings settings;
    private final PinterestClient pinterest;
    private final Provisioner provisioner;
    private final SyncMetrics metrics;

    public BatchSender(SyncSettings settings, PinterestClient pinterest, Provisioner provisioner, SyncMetrics metrics) {
        this.settings = settings;
        this.pinterest = pinterest;
        this.provisioner = provisioner;
        this.metrics = metrics;
    }

    /** The Pinterest call that sends {@code batch}: a PATCH ADD or REMOVE, or the create call of a new list. */
    public Call call(SyncRun run, Batch batch) {
        Batch.Joined joined = batch.joined();
        PinterestClient.Records values = new PinterestClient.Records(joined.utf8(), batch.size(), joined.jsonSafe());
        String listId = run.target().customerListId();
        if (listId != null) {
            return pinterest.updateCustomerListCall(listId, batch.operation(), values);
        }
        if (batch.operation() != Operation.ADD) {
            throw new IllegalStateException("a REMOVE batch for a customer list that does not exist");
        }
        return pinterest.createCustomerListCall(run.target().customerListName(), settings.identifiers().listType(), values);
    }

    /**
     * {@code batch} is about to be sent: the state gets its record ready meanwhile (the PostgreSQL store writes its
     * rows, uncommitted), so that the commit after the 2xx is quick. A new list's first batch, the create call, has no
     * state open yet.
     */
    public void prepare(SyncRun run, Batch batch) {
        if (run.state() != null && run.target().customerListId() != null) {
            run.state().prepare(batch);
        }
    }

    /** Pinterest acknowledged {@code batch} (2xx): the state records it, and the run counts it. */
    public void acknowledged(SyncRun run, Batch batch, CustomerList answer) {
        if (run.target().customerListId() == null) {
            provisioner.listCreated(run, answer.id());
        }
        boolean first = run.sends().acknowledged(Operation.ADD) + run.sends().acknowledged(Operation.REMOVE) == 0;
        run.state().commit(batch);
        if (first) {
            provisioner.listStateWritten();
        }
        run.sends().acknowledged(batch.operation(), batch.size());
        metrics.batchSent(batch.operation().name());
    }

    /** Whether the batch failed otherwise than by an access error: it goes to the dead-letter channel. */
    public boolean deadLetters(Exception failure) {
        return failure != null && !(failure instanceof PinterestAccessException);
    }

    /** Whether Pinterest refused a value of a batch of more than one (400, not about access): it is halved. */
    public boolean refusedValues(Batch batch, Exception failure) {
        return batch.size() > 1 && Isolation.refused(failure);
    }

    /** Starts isolating the values Pinterest refused in {@code batch}: its halves are the first parts to send. */
    public Isolation isolation(Batch batch, Exception refusal) {
        LOG.warn("Batch {} ({} {} values) was refused ({}); splitting it to find the values Pinterest refuses",
                batch.number(), batch.operation(), batch.size(), refusal.getMessage());
        return new Isolation(batch);
    }

    /** Whether parts of the refused batch are still to send. */
    public boolean more(Isolation isolation) {
        return isolation.more();
    }

    /** The next part of the refused batch to send. */
    public Batch next(Isolation isolation) {
        return isolation.next();
    }

    /** A part failed: whether it goes to the dead letter (else its halves are queued). */
    public boolean deadLetter(Isolation isolation, Batch part, Exception failure) {
        return isolation.deadLetter(part, failure);
    }

    /** An access error (401/403/404), of the batch or of a part of it, stops the run: thrown on, it ends the split. */
    public void stopOnAccess(Exception failure) {
        if (failure instanceof PinterestAccessException access) {
            throw access;
        }
    }
}
