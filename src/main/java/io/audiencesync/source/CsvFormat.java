package io.audiencesync.source;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;

/**
 * How the CSV files are written: the field delimiter, the quote character and the text encoding. Files named
 * {@code *.csv.gz} are gzip-compressed CSV in the same format.
 */
public record CsvFormat(char delimiter, char quote, Charset encoding) {

    public static final CsvFormat DEFAULT = new CsvFormat(',', '"', StandardCharsets.UTF_8);

    /** The delimiters spreadsheets and exporters write, by the names the settings use. */
    private static final Map<String, Character> DELIMITERS = Map.of("comma", ',', "semicolon", ';', "tab", '\t', "pipe", '|');

    /** {@code comma}, {@code semicolon}, {@code tab}, {@code pipe}, or the character itself. */
    public static char delimiter(String name) {
        Character named = DELIMITERS.get(name.strip().toLowerCase(Locale.ROOT));
        if (named != null) {
            return named;
        }
        if (name.length() == 1 && name.charAt(0) != '"' && name.charAt(0) != '\n' && name.charAt(0) != '\r') {
            return name.charAt(0);
        }
        throw new IllegalArgumentException("must be comma, semicolon, tab, pipe or a single character, got '" + name + "'");
    }

    /** The setting's name for a delimiter: {@code semicolon} for ';'. */
    public static String name(char delimiter) {
        return DELIMITERS.entrySet().stream().filter(e -> e.getValue() == delimiter).map(Map.Entry::getKey).findFirst()
                .orElse(String.valueOf(delimiter));
    }

    /** The other delimiters a file may have been written with. */
    static char[] candidates() {
        return new char[] {',', ';', '\t', '|'};
    }

    /** Whether a file of this name is a snapshot: {@code *.csv} or {@code *.csv.gz}, in any case. */
    public static boolean isSnapshotName(String fileName) {
        String lower = fileName.toLowerCase(Locale.ROOT);
        return lower.endsWith(".csv") || lower.endsWith(".csv.gz");
    }

    static boolean isGzip(String fileName) {
        return fileName.toLowerCase(Locale.ROOT).endsWith(".gz");
    }
}
