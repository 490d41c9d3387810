package io.audiencesync.source;

/**
 * One row of the model: where it came from (the line a person can look up) and the cells of the mapped
 * identifier columns, in mapping order ({@code null} for an empty or absent cell).
 */
public record Row(long line, String[] cells) {
}
