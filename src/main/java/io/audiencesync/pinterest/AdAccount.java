package io.audiencesync.pinterest;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/** The fields of Pinterest's {@code AdAccount} this tool shows. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record AdAccount(String id, String name, Owner owner, String country, String currency) {

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Owner(String id, String username) {
    }
}
