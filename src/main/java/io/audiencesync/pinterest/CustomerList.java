package io.audiencesync.pinterest;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/** The fields of Pinterest's {@code CustomerList} this tool reads. */
@JsonIgnoreProperties(ignoreUnknown = true)
public record CustomerList(
        String id,
        String name,
        String adAccountId,
        String status,
        Long numBatches,
        Long numUploadedUserRecords,
        Long numRemovedUserRecords,
        Long createdTime,
        Long updatedTime) {
}
