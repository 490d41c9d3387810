package io.audiencesync.sync;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import io.audiencesync.identity.Normalizer;

import java.nio.file.Path;
import java.time.Instant;

/**
 * A sync's own record of its customer list ({@code state/syncs/<sync>.json}, sealed, see {@link BindingFile}):
 * which list and audience it is bound to, so later runs do not look them up by name, and what of its state this tool
 * wrote, so that state missing where this record says it existed is found as damage, never taken for a fresh start.
 *
 * @param listKey             the key (ad account and list name) its desired state and write lock are named by
 * @param desiredGeneration   the generation of the last desired state kept for {@code listKey} (0: none yet)
 * @param listState           whether this tool has recorded acknowledged batches for {@code customerListId}
 * @param adoptedWithoutState when the list was adopted by name with no state of this tool (a new machine, a lost
 *                            volume, a reset): values that left the model before may still be in it; null otherwise
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record SyncBinding(String adAccountId, String customerListId, String customerListName, String audienceId,
                          String audienceName, String listKey, long desiredGeneration, boolean listState,
                          Instant adoptedWithoutState) {

    static final SyncBinding NONE = new SyncBinding(null, null, null, null, null, null, 0, false, null);

    static Path file(Path stateDir, String syncName) {
        String safe = syncName.replaceAll("[^A-Za-z0-9._-]", "_");
        return stateDir.resolve("syncs").resolve(safe + "-" + Normalizer.sha256(syncName).substring(0, 8) + ".json");
    }

    /** Bound to {@code target}'s list and audience; what it records of the state stays when the list is the same. */
    SyncBinding boundTo(String adAccountId, Target target) {
        boolean sameList = target.customerListId() != null && target.customerListId().equals(customerListId);
        return new SyncBinding(adAccountId, target.customerListId(), target.customerListName(), target.audienceId(),
                target.audienceName(), listKey, desiredGeneration, sameList && listState,
                sameList ? adoptedWithoutState : null);
    }

    SyncBinding withDesired(String key, long generation) {
        return new SyncBinding(adAccountId, customerListId, customerListName, audienceId, audienceName, key, generation,
                listState, adoptedWithoutState);
    }

    SyncBinding withListState() {
        return new SyncBinding(adAccountId, customerListId, customerListName, audienceId, audienceName, listKey,
                desiredGeneration, true, adoptedWithoutState);
    }

    SyncBinding adoptedWithoutState(Instant at) {
        return new SyncBinding(adAccountId, customerListId, customerListName, audienceId, audienceName, listKey,
                desiredGeneration, listState, at);
    }

    /** The generation of the desired state of {@code key} this record knows of (0: none). */
    long desiredGenerationOf(String key) {
        return key.equals(listKey) ? desiredGeneration : 0;
    }
}
