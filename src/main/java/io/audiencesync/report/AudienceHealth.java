package io.audiencesync.report;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;

/**
 * What Pinterest made of a sync's customer list when it was last read, with Pinterest's read calls (GET customer list,
 * GET audience): the list's status and counters, the audience's status and size, and the match rate, the audience
 * size over the values this tool holds in the list. Pinterest updates these 24-48 hours after a write, so a reading
 * right after a run shows the sizes before it. Advisory: a reading that cannot be taken or kept fails nothing.
 *
 * @param readAt         when Pinterest was read (null: never, when {@code notRead} says why)
 * @param ageSeconds     how old the reading was when this was written (a report, {@code status})
 * @param listStatus     READY, PROCESSING, TOO_SMALL or UPLOADING, as Pinterest sent it
 * @param uploadedValues Pinterest's {@code num_uploaded_user_records} (every value sent counts, matched or not)
 * @param removedValues  Pinterest's {@code num_removed_user_records}
 * @param audienceSize   Pinterest's {@code size} of the audience: the values it matched to its users (null: not yet)
 * @param listValues     the values this tool holds in the list (its state) when it was read
 * @param matchRate      {@code audienceSize / listValues}, from 0 to 1 (null when either is unknown or 0)
 * @param notRead        why the run could not read Pinterest (the rest is then the last reading kept); null when read
 */
@JsonIgnoreProperties(value = {"warning", "note"}, allowGetters = true, ignoreUnknown = true)
public record AudienceHealth(
        Instant readAt,
        long ageSeconds,
        String customerListId,
        String listStatus,
        Long uploadedValues,
        Long removedValues,
        String audienceId,
        String audienceStatus,
        Long audienceSize,
        long listValues,
        Double matchRate,
        String notRead) {

    /** Pinterest targets an audience of at least this many matched users; a list with fewer is TOO_SMALL. */
    public static final long MIN_MATCHED = 100;

    public static final String NOTE = "Pinterest updates sizes 24-48 hours after a write and counts only values that"
            + " match a Pinterest account";

    /** A reading taken now. */
    public static AudienceHealth read(Instant at, String customerListId, String listStatus, Long uploadedValues,
                                      Long removedValues, String audienceId, String audienceStatus, Long audienceSize,
                                      long listValues) {
        Double rate = audienceSize == null || listValues <= 0 ? null : (double) audienceSize / listValues;
        return new AudienceHealth(at, 0, customerListId, listStatus, uploadedValues, removedValues, audienceId,
                audienceStatus, audienceSize, listValues, rate, null);
    }

    /** A run that could not read Pinterest: why, with the last reading kept (null: none). */
    public static AudienceHealth notRead(String why, AudienceHealth last) {
        return last == null ? new AudienceHealth(null, 0, null, null, null, null, null, null, null, 0, null, why)
                : new AudienceHealth(last.readAt, last.ageSeconds, last.customerListId, last.listStatus,
                last.uploadedValues, last.removedValues, last.audienceId, last.audienceStatus, last.audienceSize,
                last.listValues, last.matchRate, why);
    }

    /** This reading as seen at {@code now}: its age set. */
    public AudienceHealth at(Instant now) {
        long age = readAt == null ? 0 : Math.max(0, Duration.between(readAt, now).toSeconds());
        return new AudienceHealth(readAt, age, customerListId, listStatus, uploadedValues, removedValues, audienceId,
                audienceStatus, audienceSize, listValues, matchRate, notRead);
    }

    /** Whether Pinterest was read at some time (this run, or before). */
    public boolean hasReading() {
        return readAt != null;
    }

    /**
     * What a person should do when the audience is too small to target (list TOO_SMALL, or an audience size under
     * {@link #MIN_MATCHED}); null otherwise.
     */
    @JsonProperty("warning")
    public String warning() {
        boolean tooSmallList = "TOO_SMALL".equals(listStatus);
        boolean smallAudience = audienceSize != null && audienceSize < MIN_MATCHED;
        if (!hasReading() || !tooSmallList && !smallAudience) {
            return null;
        }
        return "the audience is too small to target: " + (audienceSize == null ? "Pinterest has not sized it yet"
                : "Pinterest matched " + audienceSize + " of the " + listValues + " values in the list")
                + (tooSmallList ? " (list status TOO_SMALL)" : "") + ", and it needs at least " + MIN_MATCHED
                + " matched users. Add values to the model (more rows, or more identifier types in sync.identifiers),"
                + " and check that the mapped columns hold the right identifiers; Pinterest updates sizes 24-48 hours"
                + " after a write";
    }

    /** {@link #NOTE}, in the report beside the sizes. */
    @JsonProperty("note")
    public String note() {
        return NOTE;
    }

    /**
     * One sentence a person reads: the size, the match rate, the statuses and how old the reading is; or, when the
     * run could not read Pinterest, that and the last reading.
     */
    public String describe() {
        String reading = !hasReading() ? "no reading yet" : sizes() + "; read " + age(ageSeconds);
        return notRead == null ? reading : "not read this run (" + notRead + "); the run is not affected; last reading: "
                + reading;
    }

    private String sizes() {
        String audience = audienceId == null ? "no audience yet"
                : audienceSize == null ? "audience size not reported yet (audience " + audienceStatus + ")"
                : String.format(Locale.ROOT, "audience size %,d of %,d values in the list%s (audience %s)", audienceSize,
                listValues, matchRate == null ? "" : String.format(Locale.ROOT, ", match rate %.0f %%", matchRate * 100),
                audienceStatus);
        return audience + ", list " + listStatus;
    }

    /** {@code just now}, {@code 40 s ago}, {@code 3 min ago}, {@code 5 h ago}, {@code 2 days ago}. */
    static String age(long seconds) {
        if (seconds < 5) {
            return "just now";
        }
        if (seconds < 120) {
            return seconds + " s ago";
        }
        if (seconds < 2 * 3600) {
            return seconds / 60 + " min ago";
        }
        if (seconds < 2 * 86_400) {
            return seconds / 3600 + " h ago";
        }
        return seconds / 86_400 + " days ago";
    }
}
