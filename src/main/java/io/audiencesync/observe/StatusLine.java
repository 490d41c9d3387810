package io.audiencesync.observe;

import java.io.PrintStream;

/**
 * The one line a progress bar holds at the bottom of an interactive terminal (stderr). A log line written while
 * it is shown first clears it, so the two never run into each other; the bar is drawn again at its next update.
 */
public final class StatusLine {

    /** A terminal line that never wraps. */
    public static final int WIDTH = 79;

    private static volatile PrintStream shown;

    private StatusLine() {
    }

    /** Draws {@code text} (cut to {@link #WIDTH}) over the current status line of {@code terminal}. */
    public static synchronized void show(PrintStream terminal, String text) {
        String line = text.length() > WIDTH ? text.substring(0, WIDTH - 1) + "…" : text;
        terminal.print("\r" + line + " ".repeat(WIDTH - line.length()) + "\r" + line);
        terminal.flush();
        shown = terminal;
    }

    /** Removes the status line, if one is shown. */
    public static synchronized void clear() {
        PrintStream terminal = shown;
        if (terminal != null) {
            terminal.print("\r" + " ".repeat(WIDTH) + "\r");
            terminal.flush();
            shown = null;
        }
    }

    /** What a log line must start with to begin at the start of an empty line. */
    static String beforeLogLine() {
        if (shown == null) {
            return "";
        }
        // A bar drawn at the same moment must not be wiped twice, nor kept as shown once wiped.
        synchronized (StatusLine.class) {
            if (shown == null) {
                return "";
            }
            shown = null;
            return "\r" + " ".repeat(WIDTH) + "\r";
        }
    }
}
