package io.audiencesync.sync;

import java.util.function.Consumer;

/**
 * Whether this replica leads a sync: only the leader polls its inbox, runs its query and resumes what it owes, and
 * a run going on when the leadership is lost sends no further batch (what Pinterest acknowledged is recorded; the
 * new leader sends the rest). Without replicas ({@code cluster.service=none}) this process always leads.
 */
public final class SyncLeader {

    private final String sync;
    private final String member;
    private volatile boolean leads;
    private volatile Consumer<Boolean> listener = leads -> { };

    private SyncLeader(String sync, String member, boolean leads) {
        this.sync = sync;
        this.member = member;
        this.leads = leads;
    }

    /** A sync this process runs alone. */
    public static SyncLeader alone(String sync) {
        return new SyncLeader(sync, null, true);
    }

    /** A sync of replicas: led by none of them until the cluster service says so. */
    public static SyncLeader elected(String sync, String member) {
        return new SyncLeader(sync, member, false);
    }

    public String sync() {
        return sync;
    }

    /** This replica's name, or null without replicas. */
    public String member() {
        return member;
    }

    public boolean leads() {
        return leads;
    }

    /** Whether the cluster service decides (replicas), rather than this process leading alone. */
    public boolean elected() {
        return member != null;
    }

    /** Told by the cluster service. */
    public void lead(boolean now) {
        if (leads != now) {
            leads = now;
            listener.accept(now);
        }
    }

    /** Called on each change (the metric, the leader's record). */
    public void onChange(Consumer<Boolean> listener) {
        this.listener = listener;
    }
}
