package io.audiencesync.source;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The marker an exporter writes beside a snapshot file once the file is whole ({@code source.file.marker}): its name,
 * from a pattern with {@code {name}} (the file's name, {@code {name}.done} → {@code x.csv.done}) or {@code {base}}
 * (without its extension, {@code {base}.ok} → {@code x.ok}), and the number of data rows it may vouch for. The count is
 * the marker's whole content when that is one whole number ({@code 12345}, whitespace and a final line end allowed),
 * or a line {@code rows=12345} ({@code rows: 12345}, any case) among other lines; any other content vouches for no
 * count. A count is the one check that catches a file cut exactly at a line end.
 */
public final class Marker {

    /** What a marker vouches for. */
    public sealed interface RowCount {
        /** The marker holds no row count (an empty marker, other content). */
        record None() implements RowCount {
        }

        /** The exporter wrote this many data rows (the header row and empty lines not counted). */
        record Rows(long rows) implements RowCount {
        }

        /** The marker has a {@code rows} line whose value is not a row count, or cannot be read. */
        record Invalid(String problem) implements RowCount {
        }
    }

    /** A marker is a few bytes; one this large is not one this tool can read a count from. */
    private static final int MAX_BYTES = 64 * 1024;
    private static final Pattern WHOLE_NUMBER = Pattern.compile("\\d+");
    private static final Pattern ROWS_LINE = Pattern.compile("(?im)^[ \\t]*rows[ \\t]*[=:][ \\t]*(.*?)[ \\t]*\\r?$");

    private final String pattern;
    private final Pattern names;

    private Marker(String pattern) {
        this.pattern = pattern;
        this.names = Pattern.compile(Pattern.quote(pattern).replace("{name}", "\\E.+\\Q").replace("{base}", "\\E.+\\Q"));
    }

    /**
     * The marker of {@code pattern}, e.g. {@code {name}.done}.
     *
     * @throws IllegalArgumentException when the pattern does not name a file beside the snapshot, saying why
     */
    public static Marker of(String pattern) {
        if (!pattern.contains("{name}") && !pattern.contains("{base}") || pattern.contains("/") || pattern.contains("\\")
                || CsvFormat.isSnapshotName(pattern)) {
            throw new IllegalArgumentException("must name a file beside the snapshot with {name} (the file's name) or {base}"
                    + " (without its extension), not ending in .csv, e.g. {name}.done or {base}.ok; got '" + pattern + "'");
        }
        return new Marker(pattern);
    }

    public String pattern() {
        return pattern;
    }

    /** Whether {@code fileName} is some snapshot's marker (its name fits the pattern). */
    public boolean isMarker(String fileName) {
        return names.matcher(fileName).matches();
    }

    /** The marker's file name for the snapshot file {@code fileName}: {@code x.csv.gz} → {@code x.csv.gz.done} or {@code x.ok}. */
    public String nameFor(String fileName) {
        String lower = fileName.toLowerCase(Locale.ROOT);
        int cut = lower.endsWith(".csv.gz") ? fileName.length() - 7 : fileName.lastIndexOf('.');
        String base = cut > 0 ? fileName.substring(0, cut) : fileName;
        return pattern.replace("{name}", fileName).replace("{base}", base);
    }

    /** The marker file beside {@code snapshotFile}. */
    public Path beside(Path snapshotFile) {
        return snapshotFile.resolveSibling(nameFor(snapshotFile.getFileName().toString()));
    }

    /** The row count the marker beside {@code snapshotFile} vouches for; none when there is no marker file. */
    public RowCount rowCount(Path snapshotFile) {
        Path marker = beside(snapshotFile);
        byte[] content;
        try (InputStream in = Files.newInputStream(marker)) {
            content = in.readNBytes(MAX_BYTES + 1);
        } catch (NoSuchFileException e) {
            return new RowCount.None();
        } catch (IOException e) {
            return new RowCount.Invalid("cannot be read (" + e.getClass().getSimpleName() + ": " + e.getMessage() + ")");
        }
        // A count is ASCII; ISO-8859-1 reads any byte, so a marker in another encoding is never an error.
        return content.length > MAX_BYTES ? new RowCount.None() : rowCount(new String(content, StandardCharsets.ISO_8859_1));
    }

    /** The row count {@code content}, a marker's text, vouches for. */
    public static RowCount rowCount(String content) {
        String whole = content.strip();
        if (WHOLE_NUMBER.matcher(whole).matches()) {
            return count(whole, "its content");
        }
        Matcher rows = ROWS_LINE.matcher(content);
        if (!rows.find()) {
            return new RowCount.None();
        }
        String value = rows.group(1);
        if (!WHOLE_NUMBER.matcher(value).matches()) {
            // The value is the exporter's, not an identifier, but it is not shown: a marker may hold anything.
            return new RowCount.Invalid("has a rows line whose value is not a whole number ("
                    + (value.isEmpty() ? "it is empty" : value.length() + " characters") + ")");
        }
        return count(value, "its rows line");
    }

    private static RowCount count(String digits, String where) {
        try {
            return new RowCount.Rows(Long.parseLong(digits));
        } catch (NumberFormatException e) {
            return new RowCount.Invalid(where + " is a number too large to be a row count (" + digits.length() + " digits)");
        }
    }

    @Override
    public String toString() {
        return pattern;
    }
}
