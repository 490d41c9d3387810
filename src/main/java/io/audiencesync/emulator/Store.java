package io.audiencesync.emulator;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
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
 * <p>Pinterest updates what it shows of a list (its counters, its status) and of an audience (its size, its status)
 * some time after a write, 24-48 hours; the emulator does so {@code sizeDelay} after the list's last write, or after
 * the audience's creation or change. Until then a list is PROCESSING and an audience shows its previous size (null
 * and INITIALIZING before the first update). Updates fall due lazily: every operation first makes those whose time
 * has come, so no thread of its own is needed and a zero delay makes each write's own answer up to date.
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
    static final String INITIALIZING = "INITIALIZING";

    private final Map<String, ListState> lists = new HashMap<>();
    private final boolean fingerprintsOnly;
    private final long sizeDelayMillis;
    private final Map<String, AudienceState> audiences = new HashMap<>();
    /** Lists and audiences with an update due, in the order they were written. */
    private final Set<ListState> pendingLists = new LinkedHashSet<>();
    private final Set<AudienceState> pendingAudiences = new LinkedHashSet<>();
    private long nextListId = 5_497_558_859_000L;
    private long nextAudienceId = 2_542_620_000_000L;
    /** Grows with every change, so a data directory knows whether there is anything to write. */
    private long version;

    /** Applies compact memberships' changes, one at a time in the order accepted; null for exact membership. */
    private final ExecutorService applier;

    Store(boolean fingerprintsOnly) {
        this(fingerprintsOnly, Duration.ZERO);
    }

    Store(boolean fingerprintsOnly, Duration sizeDelay) {
        this.fingerprintsOnly = fingerprintsOnly;
        this.sizeDelayMillis = sizeDelay.toMillis();
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
        /** What the API shows, as of the last update; null before the first. */
        ListUpdate lastUpdate;
        /** When the next update is due (epoch milliseconds); null when none is pending. */
        Long dueAt;
        /** The membership changes accepted so far, applied (compact membership: on the applier, in order). */
        CompletableFuture<Void> applied = CompletableFuture.completedFuture(null);
        /** The member count once every change accepted so far is applied; written by the applier. */
        volatile int appliedSize;
        volatile int appliedMatched;

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

        /** The list as a write's answer gives it: the counts may not include changes still being applied. */
        EmulatorList answer() {
            ListUpdate shown = lastUpdate == null ? ListUpdate.NONE : lastUpdate;
            return new EmulatorList(id, adAccountId, name, type.name(), appliedSize, appliedMatched, batches,
                    shown.numUploadedUserRecords(), shown.numRemovedUserRecords(), createdTime, updatedTime,
                    dueAt != null ? "PROCESSING" : EmulatorList.statusOf(shown.matched()));
        }

        void change(Executor applier, Runnable change) {
            if (applier == null) {
                change.run();
                counted();
            } else {
                applied = applied.thenRunAsync(() -> {
                    change.run();
                    counted();
                }, applier);
            }
        }

        private void counted() {
            appliedSize = members.size();
            appliedMatched = members.matched();
        }
    }

    private static final class AudienceState {
        final String id;
        final String adAccountId;
        final long createdTimestamp;
        String name;
        String customerListId;
        String description;
        long updatedTimestamp;
        Long size;
        String status = INITIALIZING;
        Long dueAt;

        AudienceState(String id, String adAccountId, String name, String customerListId, String description, long now) {
            this.id = id;
            this.adAccountId = adAccountId;
            this.name = name;
            this.customerListId = customerListId;
            this.description = description;
            this.createdTimestamp = now;
            this.updatedTimestamp = now;
        }

        EmulatorAudience snapshot() {
            return new EmulatorAudience(id, adAccountId, name, "CUSTOMER_LIST", customerListId, description,
                    createdTimestamp, updatedTimestamp, size, status);
        }

        void sized(int matched) {
            size = (long) matched;
            status = EmulatorList.statusOf(matched);
        }
    }

    /** What {@link #settle} updated, and what is still waiting for its time. */
    record Settled(List<String> customerLists, List<String> audiences, List<String> pendingCustomerLists,
                   List<String> pendingAudiences) {
    }

    synchronized EmulatorList createList(String adAccountId, String name, ListType type, Collection<String> records) {
        settleDue();
        ListState list = new ListState(Long.toString(nextListId++), adAccountId, name, type, now(),
                fingerprintsOnly ? Membership.fingerprints() : Membership.exact());
        list.change(null, () -> list.members.addAll(records));
        list.uploaded = records.size();
        lists.put(list.id, list);
        written(list);
        return list.snapshot();
    }

    /** Adds or removes; counters grow by the number of records sent, whatever the membership was. */
    synchronized EmulatorList update(String listId, boolean add, Collection<String> records) {
        settleDue();
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
        written(list);
        return list.answer();
    }

    /**
     * The list's update falls due {@code sizeDelay} from now. With no delay it is made at once, so the write's own
     * answer is up to date: with compact membership that answer then waits for the write to be applied (the
     * emulator command's benchmarks run with a delay, so their answers still overlap the applying).
     */
    private void written(ListState list) {
        version++;
        list.dueAt = System.currentTimeMillis() + sizeDelayMillis;
        pendingLists.remove(list);
        pendingLists.add(list);
        if (sizeDelayMillis == 0) {
            settle(list, list.dueAt);
        }
    }

    /** Empty when the list does not exist or belongs to another ad account: both look alike to a caller. */
    synchronized Optional<EmulatorList> list(String adAccountId, String listId) {
        settleDue();
        ListState list = lists.get(listId);
        return list == null || !list.adAccountId.equals(adAccountId) ? Optional.empty() : Optional.of(list.snapshot());
    }

    synchronized Optional<EmulatorList> list(String listId) {
        settleDue();
        return Optional.ofNullable(lists.get(listId)).map(ListState::snapshot);
    }

    /** Ascending by id; null account means every account. */
    synchronized List<EmulatorList> lists(String adAccountId) {
        settleDue();
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

    boolean fingerprintsOnly() {
        return fingerprintsOnly;
    }

    synchronized EmulatorAudience createAudience(String adAccountId, String name, String listId, String description) {
        settleDue();
        AudienceState audience = new AudienceState(Long.toString(nextAudienceId++), adAccountId, name, listId,
                description, now());
        audiences.put(audience.id, audience);
        changed(audience);
        return audience.snapshot();
    }

    /**
     * Changes what is given (null leaves a field as it is), or removes the audience (Pinterest's REMOVE operation):
     * it is then no longer served. Answers the audience as changed; empty when it is not one of the ad account's.
     */
    synchronized Optional<EmulatorAudience> updateAudience(String adAccountId, String audienceId, String name,
                                                           String description, String customerListId, boolean remove) {
        settleDue();
        AudienceState audience = audiences.get(audienceId);
        if (audience == null || !audience.adAccountId.equals(adAccountId)) {
            return Optional.empty();
        }
        version++;
        audience.updatedTimestamp = now();
        if (name != null) {
            audience.name = name;
        }
        if (description != null) {
            audience.description = description;
        }
        if (remove) {
            audiences.remove(audienceId);
            pendingAudiences.remove(audience);
        } else if (customerListId != null && !customerListId.equals(audience.customerListId)) {
            audience.customerListId = customerListId;
            changed(audience);
        }
        return Optional.of(audience.snapshot());
    }

    /** A new audience, or one over another list: its size is updated {@code sizeDelay} from now. */
    private void changed(AudienceState audience) {
        version++;
        audience.dueAt = System.currentTimeMillis() + sizeDelayMillis;
        pendingAudiences.remove(audience);
        pendingAudiences.add(audience);
        if (sizeDelayMillis == 0) {
            settle(audience);
        }
    }

    synchronized Optional<EmulatorAudience> audience(String adAccountId, String audienceId) {
        settleDue();
        return Optional.ofNullable(audiences.get(audienceId)).filter(a -> a.adAccountId.equals(adAccountId))
                .map(AudienceState::snapshot);
    }

    /** Ascending by id; null account means every account. */
    synchronized List<EmulatorAudience> audiences(String adAccountId) {
        settleDue();
        return audiences.values().stream()
                .filter(a -> adAccountId == null || a.adAccountId.equals(adAccountId))
                .sorted(Comparator.comparing(a -> a.id, BY_ID))
                .map(AudienceState::snapshot)
                .toList();
    }

    /** Sets the size (and the status that goes with it) until the audience's next update replaces it. */
    synchronized void reportAudienceSize(String audienceId, long size) {
        settleDue();
        AudienceState audience = audiences.get(audienceId);
        if (audience == null) {
            throw new IllegalArgumentException("No audience " + audienceId);
        }
        version++;
        audience.size = size;
        audience.status = EmulatorList.statusOf(size);
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

    /**
     * Lets {@code passed} go by for the updates still pending (null: as long as it takes for all of them), then
     * makes those that are due.
     */
    synchronized Settled settle(Duration passed) {
        long now = System.currentTimeMillis();
        long shift = passed == null ? Long.MAX_VALUE : passed.toMillis();
        List<String> listIds = new ArrayList<>();
        for (ListState list : List.copyOf(pendingLists)) {
            if (list.dueAt - now <= shift) {
                settle(list, now);
                listIds.add(list.id);
            }
        }
        List<String> audienceIds = new ArrayList<>();
        for (AudienceState audience : List.copyOf(pendingAudiences)) {
            if (audience.dueAt - now <= shift) {
                settle(audience);
                audienceIds.add(audience.id);
            }
        }
        if (passed != null) {
            // What stays pending is that much nearer its time.
            pendingLists.forEach(l -> l.dueAt -= passed.toMillis());
            pendingAudiences.forEach(a -> a.dueAt -= passed.toMillis());
        }
        return new Settled(listIds, audienceIds, pendingLists.stream().map(l -> l.id).toList(),
                pendingAudiences.stream().map(a -> a.id).toList());
    }

    private void settleDue() {
        if (!pendingLists.isEmpty() || !pendingAudiences.isEmpty()) {
            settle(Duration.ZERO);
        }
    }

    /**
     * Pinterest's update of a list: its counters and matched count as they are now, and the same size for every
     * audience over it whose own update is not still to come.
     */
    private void settle(ListState list, long now) {
        version++;
        list.settled();
        list.lastUpdate = new ListUpdate(list.uploaded, list.removed, list.members.matched());
        list.dueAt = null;
        pendingLists.remove(list);
        for (AudienceState audience : audiences.values()) {
            if (audience.customerListId.equals(list.id) && (audience.dueAt == null || audience.dueAt <= now)) {
                audience.sized(list.lastUpdate.matched());
                audience.dueAt = null;
                pendingAudiences.remove(audience);
            }
        }
    }

    /** An audience's own update takes its list's last update; before the list's first it stays as it is. */
    private void settle(AudienceState audience) {
        version++;
        audience.dueAt = null;
        pendingAudiences.remove(audience);
        ListState list = lists.get(audience.customerListId);
        if (list != null && list.lastUpdate != null) {
            audience.sized(list.lastUpdate.matched());
        }
    }

    synchronized long version() {
        return version;
    }

    /** Everything, for a data directory; exact membership only. */
    synchronized SavedState export() {
        List<SavedState.SavedList> savedLists = new ArrayList<>();
        for (ListState l : lists.values()) {
            List<String> members = List.copyOf(l.settled().members.values().orElseThrow(() ->
                    new UnsupportedOperationException("the emulator keeps fingerprints only (compact membership)")));
            savedLists.add(new SavedState.SavedList(l.id, l.adAccountId, l.name, l.type.name(), l.createdTime,
                    l.updatedTime, l.batches, l.uploaded, l.removed, l.lastUpdate, l.dueAt, members));
        }
        savedLists.sort(Comparator.comparing(SavedState.SavedList::id, BY_ID));
        List<SavedState.SavedAudience> savedAudiences = audiences.values().stream()
                .sorted(Comparator.comparing(a -> a.id, BY_ID))
                .map(a -> new SavedState.SavedAudience(a.id, a.adAccountId, a.name, a.customerListId, a.description,
                        a.createdTimestamp, a.updatedTimestamp, a.size, a.status, a.dueAt))
                .toList();
        return new SavedState(SavedState.FORMAT, nextListId, nextAudienceId, savedLists, savedAudiences);
    }

    /** Takes in what {@link #export} gave, into a store that holds nothing yet. */
    synchronized void restore(SavedState saved) {
        if (!lists.isEmpty() || !audiences.isEmpty()) {
            throw new IllegalStateException("restore into an empty store only");
        }
        for (SavedState.SavedList s : saved.customerLists()) {
            ListType type = ListType.parse(s.listType());
            if (type == null) {
                throw new IllegalArgumentException("customer list " + s.id() + " has no list type the emulator knows");
            }
            ListState list = new ListState(s.id(), s.adAccountId(), s.name(), type, s.createdTime(),
                    fingerprintsOnly ? Membership.fingerprints() : Membership.exact());
            list.change(null, () -> list.members.addAll(s.members()));
            list.updatedTime = s.updatedTime();
            list.batches = s.numBatches();
            list.uploaded = s.numUploadedUserRecords();
            list.removed = s.numRemovedUserRecords();
            list.lastUpdate = s.lastUpdate();
            list.dueAt = s.updateDueAtMillis();
            lists.put(list.id, list);
            if (list.dueAt != null) {
                pendingLists.add(list);
            }
            nextListId = Math.max(nextListId, Long.parseLong(list.id) + 1);
        }
        for (SavedState.SavedAudience s : saved.audiences()) {
            AudienceState audience = new AudienceState(s.id(), s.adAccountId(), s.name(), s.customerListId(),
                    s.description(), s.createdTimestamp());
            audience.updatedTimestamp = s.updatedTimestamp();
            audience.size = s.size();
            audience.status = s.status();
            audience.dueAt = s.updateDueAtMillis();
            audiences.put(audience.id, audience);
            if (audience.dueAt != null) {
                pendingAudiences.add(audience);
            }
            nextAudienceId = Math.max(nextAudienceId, Long.parseLong(audience.id) + 1);
        }
        nextListId = Math.max(nextListId, saved.nextListId());
        nextAudienceId = Math.max(nextAudienceId, saved.nextAudienceId());
    }

    private static long now() {
        return Instant.now().getEpochSecond();
    }
}
