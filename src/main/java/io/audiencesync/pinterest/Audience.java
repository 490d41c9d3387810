package io.audiencesync.pinterest;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/** The fields of Pinterest's {@code Audience} this tool reads. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Audience(
        String id,
        String name,
        String adAccountId,
        String audienceType,
        Rule rule,
        Long size,
        String status,
        String description) {

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Rule(String customerListId) {
    }

    /** The customer list this audience wraps, or null when it is not a customer list audience. */
    public String customerListId() {
        return rule == null ? null : rule.customerListId();
    }
}
