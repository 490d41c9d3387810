package io.audiencesync.sync;

import io.audiencesync.config.SyncSettings;
import io.audiencesync.pinterest.PinterestClient;
import io.audiencesync.plan.Batch;
import io.audiencesync.plan.Operation;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Sends one batch and records it in the state only once Pinterest acknowledged it (2xx). The first ADD
 * batch of a new sync is the create call. Writes to one customer list never overlap: Pinterest answers
 * code 8 to concurrent writes on one object.
 */
public final class BatchSender {

    private final SyncSettings settings;
    private final PinterestClient pinterest;
    private final Provisioner provisioner;
    private final Map<String, ReentrantLock> listLocks = new ConcurrentHashMap<>();

    public BatchSender(SyncSettings settings, PinterestClient pinterest, Provisioner provisioner) {
        this.settings = settings;
        this.pinterest = pinterest;
        this.provisioner = provisioner;
    }

    public void send(SyncRun run, Batch batch) {
        ReentrantLock lock = listLocks.computeIfAbsent(run.target.customerListName(), name -> new ReentrantLock());
        lock.lock();
        try {
            String listId = run.target.customerListId();
            if (listId == null) {
                if (batch.operation() != Operation.ADD) {
                    throw new IllegalStateException("a REMOVE batch for a customer list that does not exist");
                }
                String created = pinterest.createCustomerList(run.target.customerListName(),
                        settings.identifiers().listType(), batch.values()).id();
                provisioner.listCreated(run, created);
            } else {
                pinterest.updateCustomerList(listId, batch.operation(), batch.values());
            }
            run.state.commit(batch.operation(), batch.lines());
            run.count(run.sent, batch.operation(), batch.lines().size());
        } finally {
            lock.unlock();
        }
    }
}
