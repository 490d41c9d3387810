package io.audiencesync.source;

/**
 * One row of the model: where it came from (the line a person can look up), the cells of the mapped
 * identifier columns, in mapping order ({@code null} for an empty or absent cell), and the row's key
 * ({@code sync.rejects-key-column}; null without one).
 */
public record Row(long line, String[] cells, String key) {

    public Row(long line, String[] cells) {
        this(line, cells, null);
    }
}
