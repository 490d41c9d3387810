package io.audiencesync.pinterest;

/** A customer list's {@code status} and what it means for the person looking at it. */
public enum CustomerListStatus {
    READY("matched: the audience can be used for targeting"),
    PROCESSING("Pinterest is matching the uploaded values to its users; check again later"),
    TOO_SMALL("fewer than 100 values match Pinterest users: too few to target until more match"),
    UPLOADING("values are still being uploaded to Pinterest");

    private final String meaning;

    CustomerListStatus(String meaning) {
        this.meaning = meaning;
    }

    public String meaning() {
        return meaning;
    }

    /** The meaning of a status as Pinterest sent it; one this tool does not know is said to be so. */
    public static String meaningOf(String status) {
        for (CustomerListStatus s : values()) {
            if (s.name().equals(status)) {
                return s.meaning;
            }
        }
        return "a status this tool does not know";
    }
}
