package io.audiencesync.sync;

/**
 * The customer list and audience a sync writes to. {@code customerListId} is null until the first ADD
 * batch creates the list (Pinterest does not create empty lists).
 */
public record Target(
        String customerListId,
        String customerListName,
        boolean customerListCreated,
        String audienceId,
        String audienceName,
        boolean audienceCreated) {

    static Target pending(String customerListName, String audienceName) {
        return new Target(null, customerListName, false, null, audienceName, false);
    }

    Target withCreatedList(String id) {
        return new Target(id, customerListName, true, audienceId, audienceName, audienceCreated);
    }

    Target withAudience(String id, boolean created) {
        return new Target(customerListId, customerListName, customerListCreated, id, audienceName, created);
    }
}
