package io.audiencesync.config;

/**
 * Which customer list audience a sync writes to: its own ({@code Customer List-{name}}, created or adopted by
 * name), or an existing one chosen by the name {@code audiences} shows or by ids. A choice that does not
 * resolve is a configuration error: nothing is created in its place.
 */
public sealed interface AudienceSelection {

    /** {@code Customer List-{name}} and {@code Audience-{name}}: adopted when they exist, else created. */
    record Own() implements AudienceSelection {
    }

    /** {@code sync.audience}: exactly as {@code audiences} prints it, e.g. {@code Customer List-Users 1, Audience-Users 1}. */
    record Named(String name) implements AudienceSelection {
    }

    /** {@code sync.customer-list-id} and/or {@code sync.audience-id}; either may be null, not both. */
    record Ids(String customerListId, String audienceId) implements AudienceSelection {
    }
}
