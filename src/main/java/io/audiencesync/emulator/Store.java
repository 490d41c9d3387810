package io.audiencesync.emulator;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * In-memory lists and audiences. One lock: every operation is short and in memory.
 *
 * <p>With compact membership (benchmarks), a write's fingerprints are applied after it is answered, in order, on a
 * thread of their own, as Pinterest too processes an upload after accepting it: inserting thousands of fingerprints
 * into a table of millions is a cache miss each, and done after the answer it overlaps the answer's way back and
 * the client's next request instead of adding to every call. Every read, and the next write to the list, waits for
 * the changes accepted before it; only a write's own answer does not.
 */
final class Store implements AutoCloseable {

    /** Numeric ids sort numerically, which is Pinterest's "by ID" order. */
    private static final Comparator<String> BY_ID = Comparator.comparingLong(Long::parseLong);

    private final Map<String, ListState> lists = new HashMap<>();
    private final boolean fingerprintsOnly;
    private final Map<String, EmulatorAudience> audiences = new HashMap<>();
    private final Map<String, Long> audienceSizes = new HashMap<>();
    private long nextListId = 5_497_558_859_000L;
    private long nextAudienceId = 2_542_620_000_000L;

    /** Applies compact memberships' changes, one at a time in the order accepted; null for exact membership. */
    private final ExecutorService applier;

    Store(boolean fingerprintsOnly) {
        this.fingerprintsOnly = fingerprintsOnly;
        this.applier = fingerprintsOnly ? Executors.newSingleThreadExecutor(task -> {
            Thread t = new Thread(task, "emulator-membership");
            t.setDaemon(true);
            return t;
        }) : null;
    }

    @Override
    public void close() {
        if (applier != null) {
            applier.shutdownNow();
        }
    }

    private static final class ListState {
        final String id;
        final String adAccountId;
        final String name;
        final ListType type;
        final Membership members;
        final long createdTime;
        long updatedTime;
        long batches = 1;
        long uploaded;
        long removed;
        /** The membership changes accepted so far, applied (compact membership: on the applier, in order). */
        CompletableFuture<Void> applied = CompletableFuture.completedFuture(null);
        /** The member count once every change accepted so far is applied; written by the applier. */
        volatile int appliedSize;

        ListState(String id, String adAccountId, String name, ListType type, long now, Membership members) {
            this.id = id;
            this.members = members;
            this.adAccountId = adAccountId;
            this.name = name;
            this.type = type;
            this.createdTime = now;
            this.updatedTime = now;
        }

        ListState settled() {
            applied.join();
            return this;
        }

        /** The list once every change accepted so far is applied. */
        EmulatorList snapshot() {
            return settled().answer();
        }

        /** The list as a write's answer gives it: the count may not include changes still being applied. */
        EmulatorList answer() {
            return new EmulatorList(id, adAccountId, name, type.name(), appliedSize, batches, uploaded, removed,
                    createdTime, updatedTime);
        }

        void change(Executor applier, Runnable change) {
            if (applier == null) {
                change.run();
                appliedSize = members.size();
            } else {
                applied = applied.thenRunAsync(() -> {
                    change.run();
                    appliedSize = members.size();
                }, applier);
            }
        }
    }

    synchronized EmulatorList createList(String adAccountId, String name, ListType type, Collection<String> records) {
        ListState list = new ListState(Long.toString(nextListId++), adAccountId, name, type, now(),
                fingerprintsOnly ? Membership.fingerprints() : Membership.exact());
        list.change(null, () -> list.members.addAll(records));
        list.uploaded = records.size();
        lists.put(list.id, list);
        return list.snapshot();
    }

    /** Adds or removes; counters grow by the number of records sent, whatever the membership was. */
    synchronized EmulatorList update(String listId, boolean add, Collection<String> records) {
        ListState list = lists.get(listId);
        if (add) {
            list.change(applier, () -> list.members.addAll(records));
            list.uploaded += records.size();
        } else {
            list.change(applier, () -> list.members.removeAll(records));
            list.removed += records.size();
        }
        list.batches++;
        list.updatedTime = now();
        return list.answer();
    }

    /** Empty when the list does not exist or belongs to another ad account: both look alike to a caller. */
    synchronized Optional<EmulatorList> list(String adAccountId, String listId) {
        ListState list = lists.get(listId);
        return list == null || !list.adAccountId.equals(adAccountId) ? Optional.empty() : Optional.of(list.snapshot());
    }

    synchronized Optional<EmulatorList> list(String listId) {
        return Optional.ofNullable(lists.get(listId)).map(ListState::snapshot);
    }

    /** Ascending by id; null account means every account. */
    synchronized List<EmulatorList> lists(String adAccountId) {
        return lists.values().stream()
                .filter(l -> adAccountId == null || l.adAccountId.equals(adAccountId))
                .sorted(Comparator.comparing(l -> l.id, BY_ID))
                .map(ListState::snapshot)
                .toList();
    }

    synchronized Optional<SortedSet<String>> members(String listId) {
        return Optional.ofNullable(lists.get(listId)).map(l -> l.settled().members.values().orElseThrow(() ->
                new UnsupportedOperationException("the emulator keeps fingerprints only (compact membership)")));
    }

    synchronized EmulatorAudience createAudience(String adAccountId, String name, String listId, String description) {
        EmulatorAudience audience = new EmulatorAudience(Long.toString(nextAudienceId++), adAccountId, name,
                "CUSTOMER_LIST", listId, description, now());
        audiences.put(audience.id(), audience);
        return audience;
    }

    synchronized Optional<EmulatorAudience> audience(String adAccountId, String audienceId) {
        return Optional.ofNullable(audiences.get(audienceId)).filter(a -> a.adAccountId().equals(adAccountId));
    }

    /** Ascending by id; null account means every account. */
    synchronized List<EmulatorAudience> audiences(String adAccountId) {
        return audiences.values().stream()
                .filter(a -> adAccountId == null || a.adAccountId().equals(adAccountId))
                .sorted(Comparator.comparing(EmulatorAudience::id, BY_ID))
                .toList();
    }

    /** Null until reported: Pinterest fills the size in 24-48 hours after a change. */
    synchronized Long audienceSize(String audienceId) {
        return audienceSizes.get(audienceId);
    }

    synchronized void reportAudienceSize(String audienceId, long size) {
        if (!audiences.containsKey(audienceId)) {
            throw new IllegalArgumentException("No audience " + audienceId);
        }
        audienceSizes.put(audienceId, size);
    }

    synchronized List<String> audienceIdsOf(String listId) {
        List<String> ids = new ArrayList<>();
        for (EmulatorAudience a : audiences(null)) {
            if (a.customerListId().equals(listId)) {
                ids.add(a.id());
            }
        }
        return ids;
    }

    synchronized Set<String> removedValues(String listId) {
        ListState list = lists.get(listId);
        return list == null ? Set.of() : list.settled().members.removedEver();
    }

    synchronized int memberCount(String listId) {
        ListState list = lists.get(listId);
        return list == null ? 0 : list.snapshot().memberCount();
    }

    private static long now() {
        return Instant.now().getEpochSecond();
    }
}
