package io.audiencesync.identity;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Which source column holds which identifier type ({@code sync.identifiers}, e.g.
 * {@code email=EMAIL,maid=MAID,idfa=IDFA}), and the customer list type that follows from it; and the column whose
 * value the rejects file carries so a rejected row can be found ({@code sync.rejects-key-column}, or null).
 */
public record IdentifierMapping(List<Column> columns, String keyColumn) {

    public record Column(String name, IdentifierType type) {
    }

    public IdentifierMapping {
        columns = List.copyOf(columns);
    }

    public IdentifierMapping(List<Column> columns) {
        this(columns, null);
    }

    /**
     * The same mapping, with {@code keyColumn}'s value in the rejects file.
     *
     * @throws IllegalArgumentException when it is a mapped identifier column (its raw values must not be written)
     */
    public IdentifierMapping withKeyColumn(String keyColumn) {
        if (keyColumn != null && columns.stream().anyMatch(c -> c.name().equalsIgnoreCase(keyColumn))) {
            throw new IllegalArgumentException("is '" + keyColumn + "', an identifier column of sync.identifiers: the"
                    + " rejects file never holds an identifier; name a column such as customer_id");
        }
        return new IdentifierMapping(columns, keyColumn);
    }

    /**
     * Parses {@code column=TYPE} pairs separated by commas.
     *
     * @throws IllegalArgumentException with a message saying what is wrong (the caller names the key)
     */
    public static IdentifierMapping parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("is empty; expected column=TYPE pairs such as email=EMAIL,maid=MAID");
        }
        Map<String, Column> byName = new LinkedHashMap<>();
        for (String pair : text.split(",")) {
            String[] parts = pair.split("=", -1);
            if (parts.length != 2 || parts[0].isBlank() || parts[1].isBlank()) {
                throw new IllegalArgumentException("has '" + pair.strip() + "'; expected column=TYPE such as email=EMAIL");
            }
            String name = parts[0].strip();
            Column column = new Column(name, IdentifierType.parse(parts[1]));
            if (byName.putIfAbsent(name.toLowerCase(Locale.ROOT), column) != null) {
                throw new IllegalArgumentException("maps column '" + name + "' twice");
            }
        }
        Set<IdentifierType> types = EnumSet.noneOf(IdentifierType.class);
        byName.values().forEach(c -> types.add(c.type()));
        boolean partnerIds = types.stream().anyMatch(t -> !t.mixable());
        if (partnerIds && types.size() > 1) {
            throw new IllegalArgumentException("mixes " + types + "; LR_ID, DLX_ID and HASHED_PINNER_ID each need a customer list"
                    + " of their own (only EMAIL, MAID and IDFA may share one)");
        }
        return new IdentifierMapping(new ArrayList<>(byName.values()));
    }

    /** The {@code list_type} to create the customer list with: EMAIL when emails are in the mix. */
    public IdentifierType listType() {
        Set<IdentifierType> types = types();
        for (IdentifierType preferred : List.of(IdentifierType.EMAIL, IdentifierType.MAID, IdentifierType.IDFA)) {
            if (types.contains(preferred)) {
                return preferred;
            }
        }
        return columns.get(0).type();
    }

    public Set<IdentifierType> types() {
        Set<IdentifierType> types = EnumSet.noneOf(IdentifierType.class);
        columns.forEach(c -> types.add(c.type()));
        return types;
    }

    @Override
    public String toString() {
        StringBuilder out = new StringBuilder();
        for (Column c : columns) {
            out.append(out.isEmpty() ? "" : ",").append(c.name()).append('=').append(c.type());
        }
        return out.toString();
    }
}
