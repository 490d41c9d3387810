package io.audiencesync.sync;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.Semaphore;

/**
 * How many runs of the workspace's syncs go on at once ({@code sync.max-concurrent-runs}): CPU and heap are shared,
 * and each run sorts in memory up to {@code sync.sort-buffer-values} values (about 138 bytes each) and merges with up
 * to 32 read buffers of 1 MB. A run that finds every slot taken waits for one; runs of one sync never overlap anyway.
 */
public final class RunSlots {

    private static final Logger LOG = LoggerFactory.getLogger(RunSlots.class);

    private final int slots;
    private final Semaphore free;

    public RunSlots(int slots) {
        this.slots = slots;
        this.free = new Semaphore(slots, true);
    }

    /** Takes a slot for {@code run}, waiting (and saying so) while every one is taken. */
    void take(SyncRun run) {
        if (free.tryAcquire()) {
            return;
        }
        LOG.info("Run {} waits for a run slot: {} runs are going (sync.max-concurrent-runs={})", run.id(), slots, slots);
        free.acquireUninterruptibly();
    }

    void give() {
        free.release();
    }
}
