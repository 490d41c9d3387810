package io.audiencesync.records;

import io.audiencesync.identity.IdentifierType;

import java.util.Comparator;

/**
 * The on-disk form of a wire value: {@code value<TAB>TYPE}, one a line. Values never hold a tab
 * (whitespace is rejected before), so the natural order of lines is the order of values, and two lines
 * name the same member of a list when their values are equal, whatever the type.
 */
public final class WireLines {

    /** Orders and compares lines by their value only (distinct merges keep one line per value). */
    public static final Comparator<String> BY_VALUE = (a, b) -> {
        int n = Math.min(end(a), end(b));
        for (int i = 0; i < n; i++) {
            int d = a.charAt(i) - b.charAt(i);
            if (d != 0) {
                return d;
            }
        }
        return end(a) - end(b);
    };

    private WireLines() {
    }

    public static String line(String value, IdentifierType type) {
        return value + '\t' + type.name();
    }

    public static String value(String line) {
        return line.substring(0, end(line));
    }

    public static IdentifierType type(String line) {
        int tab = line.indexOf('\t');
        return tab < 0 ? IdentifierType.EMAIL : IdentifierType.valueOf(line.substring(tab + 1));
    }

    private static int end(String line) {
        int tab = line.indexOf('\t');
        return tab < 0 ? line.length() : tab;
    }
}
