package io.audiencesync.identity;

import java.util.Locale;

/**
 * The identifier types a Pinterest customer list takes (the spec's {@code UserListType}).
 * EMAIL, MAID and IDFA may share one list; the pseudonymous partner ids each need a list of their own.
 */
public enum IdentifierType {
    EMAIL(true),
    MAID(true),
    IDFA(true),
    LR_ID(false),
    DLX_ID(false),
    HASHED_PINNER_ID(false);

    private final boolean mixable;

    IdentifierType(boolean mixable) {
        this.mixable = mixable;
    }

    /** Whether values of this type may share a customer list with EMAIL, MAID and IDFA values. */
    public boolean mixable() {
        return mixable;
    }

    public static IdentifierType parse(String text) {
        String key = text.strip().toUpperCase(Locale.ROOT).replace('-', '_');
        for (IdentifierType type : values()) {
            if (type.name().equals(key)) {
                return type;
            }
        }
        throw new IllegalArgumentException("unknown identifier type '" + text.strip() + "' (expected one of EMAIL, MAID, IDFA, LR_ID, DLX_ID, HASHED_PINNER_ID)");
    }
}
