package io.audiencesync.identity;

/**
 * Makes a sample of a value that helps a person recognise the kind of mistake without revealing the value:
 * {@code jane.doe@example.com} becomes {@code j***@***.com}, {@code 6d1f...c4} becomes {@code 6***4 (36 chars)}.
 */
public final class Redactor {

    private Redactor() {
    }

    public static String redact(String raw) {
        if (raw == null || raw.isEmpty()) {
            return "";
        }
        int at = raw.lastIndexOf('@');
        if (at > 0) {
            int dot = raw.lastIndexOf('.');
            String tld = dot > at ? printable(raw.substring(dot)) : "";
            return printable(raw.substring(0, 1)) + "***@***" + (tld.length() <= 8 ? tld : "");
        }
        if (raw.length() <= 4) {
            return "*".repeat(raw.length());
        }
        return printable(raw.substring(0, 1)) + "***" + printable(raw.substring(raw.length() - 1))
                + " (" + raw.length() + " chars)";
    }

    private static String printable(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            out.append(c < 0x20 || c == 0x7f || c == ',' || c == '"' ? '?' : c);
        }
        return out.toString();
    }
}
