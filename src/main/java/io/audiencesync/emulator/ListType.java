package io.audiencesync.emulator;

import java.util.Arrays;
import java.util.stream.Collectors;

/** Pinterest's UserListType. */
enum ListType {
    EMAIL(true), IDFA(true), MAID(true), LR_ID(false), DLX_ID(false), HASHED_PINNER_ID(false);

    static final String NAMES = Arrays.stream(values()).map(Enum::name).collect(Collectors.joining(", "));

    /** Lists whose records must be lowercase emails or hex digests (the spec's records rule). */
    final boolean emailOrDigest;

    ListType(boolean emailOrDigest) {
        this.emailOrDigest = emailOrDigest;
    }

    /** Case-sensitive like the API; null when the name is not a list type. */
    static ListType parse(String name) {
        for (ListType t : values()) {
            if (t.name().equals(name)) {
                return t;
            }
        }
        return null;
    }
}
