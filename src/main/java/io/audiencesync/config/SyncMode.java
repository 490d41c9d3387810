package io.audiencesync.config;

/** {@code segment}: the list follows the model both ways; {@code add-only}: values are added, never removed. */
public enum SyncMode {
    SEGMENT("segment"),
    ADD_ONLY("add-only");

    private final String key;

    SyncMode(String key) {
        this.key = key;
    }

    public String key() {
        return key;
    }

    static SyncMode parse(String text) {
        for (SyncMode mode : values()) {
            if (mode.key.equalsIgnoreCase(text.strip())) {
                return mode;
            }
        }
        throw new IllegalArgumentException("must be 'segment' or 'add-only', got '" + text.strip() + "'");
    }
}
