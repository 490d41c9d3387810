package io.audiencesync.pinterest.emulator;

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

/** In-memory lists and audiences. One lock: every operation is short and in memory. */
final class Store {

    /** Numeric ids sort numerically, which is Pinterest's "by ID" order. */
    private static final Comparator<String> BY_ID = Comparator.comparingLong(Long::parseLong);

    private final Map<String, ListState> lists = new HashMap<>();
    private final boolean fingerprintsOnly;
    private final Map<String, EmulatorAudience> audiences = new HashMap<>();
    private final Map<String, Long> audienceSizes = new HashMap<>();
    private long nextListId = 5_497_558_859_000L;
    private long nextAudienceId = 2_542_620_000_000L;

    Store(boolean fingerprintsOnly) {
        this.fingerprintsOnly = fingerprintsOnly;
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

        ListState(String id, String adAccountId, String name, ListType type, long now, Membership members) {
            this.id = id;
            this.members = members;
            this.adAccountId = adAccountId;
            this.name = name;
            this.type = type;
            this.createdTime = now;
            this.updatedTime = now;
        }

        EmulatorList snapshot() {
            return new EmulatorList(id, adAccountId, name, type.name(), members.size(), batches, uploaded, removed,
                    createdTime, updatedTime);
        }
    }

    synchronized EmulatorList createList(String adAccountId, String name, ListType type, Collection<String> records) {
        ListState list = new ListState(Long.toString(nextListId++), adAccountId, name, type, now(),
                fingerprintsOnly ? Membership.fingerprints() : Membership.exact());
        list.members.addAll(records);
        list.uploaded = records.size();
        lists.put(list.id, list);
        return list.snapshot();
    }

    /** Adds or removes; counters grow by the number of records sent, whatever the membership was. */
    synchronized EmulatorList update(String listId, boolean add, Collection<String> records) {
        ListState list = lists.get(listId);
        if (add) {
            list.members.addAll(records);
            list.uploaded += records.size();
        } else {
            list.members.removeAll(records);
            list.removed += records.size();
        }
        list.batches++;
        list.updatedTime = now();
        return list.snapshot();
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
        return Optional.ofNullable(lists.get(listId)).map(l -> l.members.values().orElseThrow(() ->
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
        return list == null ? Set.of() : list.members.removedEver();
    }

    synchronized int memberCount(String listId) {
        ListState list = lists.get(listId);
        return list == null ? 0 : list.members.size();
    }

    private static long now() {
        return Instant.now().getEpochSecond();
    }
}
