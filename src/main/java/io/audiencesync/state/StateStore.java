package io.audiencesync.state;

import io.audiencesync.plan.Batch;
import io.audiencesync.plan.Operation;
import io.audiencesync.plan.Plan;
import io.audiencesync.records.SortedRecords;
import java.nio.file.Path;
import java.util.List;

/**
 * Where the state of customer lists lives: {@code state.store=file} (embedded, under {@code sync.data-dir}) or
 * {@code postgres}. A run begins a session, which holds the write lock of its customer list until it is closed,
 * so two processes never write the same list; in the session it opens the list's state, which recovers what an
 * earlier run left (a crash at any point), plans against it, commits each batch Pinterest acknowledged, and
 * finishes.
 */
public interface StateStore extends AutoCloseable {

    /** {@code file} or {@code postgres}, as in {@code state.store}. */
    String kind();

    /**
     * Where the workspace's own files are kept beside the lists' members (bindings, desired states, run reports,
     * dead letters): on the disk under {@code dataDir}, or in the PostgreSQL store for replicas without a shared volume.
     */
    StateFiles files(Path dataDir);

    /**
     * Takes the write lock of one customer list for one run. The key names the list (ad account and list name),
     * not its id: a list that does not exist yet must be locked before the run creates it.
     *
     * @throws StateLockedException when another process holds it (it is not waited for)
     */
    Session begin(String lockKey);

    @Override
    void close();

    /** One run's hold on one customer list; closing it releases the lock. */
    interface Session extends AutoCloseable {

        /** The list's state, recovered: batches an earlier run committed are in, a torn last write is dropped. */
        StoredList open(String customerListId);

        /** Whether this tool has recorded any state for the list (acknowledged batches, folded or not). */
        boolean hasState(String customerListId);

        /**
         * Sets the list's state aside ({@code run --once --reset-state}): it is kept, no longer used, and the list
         * has no state afterwards.
         *
         * @param setAsideDir where a store of files moves it
         * @return where it went, for the log
         */
        String setAside(String customerListId, Path setAsideDir);

        @Override
        void close();
    }

    /** The state of one customer list: the wire values Pinterest acknowledged as added and not removed since. */
    interface StoredList {

        /** adds = snapshot − state, removes = state − snapshot; closes the snapshot cursor. */
        Plan plan(SortedRecords snapshot, Path workDir);

        /**
         * Says that the batches recorded from here on are those of a plan of {@code desired}, in its order. A store may
         * then record a first sync's batches as the desired state's values they are rather than as copies of them (the
         * PostgreSQL store: each value of a first sync written once). A store with nothing to gain does nothing.
         */
        default void sending(DesiredState desired) {
        }

        /**
         * Gets the record of {@code batch} ready while it is on its way to Pinterest, without recording it: the
         * {@link #commit} that follows its 2xx then only has to make it count. Whatever else comes next (another batch,
         * {@link #finish()}, the end of the session) drops what was made ready. A store with nothing to prepare does
         * nothing.
         */
        default void prepare(Batch batch) {
        }

        /**
         * Records a batch Pinterest acknowledged (2xx) before the next one is sent: a killed process never loses it.
         * It may reach the disk while the next batch is on its way; {@link #finish()} returns once everything has.
         */
        void commit(Batch batch);

        /** {@link #commit(Batch)} of {@code value<TAB>TYPE} lines. */
        default void commit(Operation operation, List<String> lines) {
            commit(new Batch(operation, 0, lines));
        }

        /** Ends a run's writes (the file store folds its journal); safe to call more than once. */
        void finish();
    }
}
