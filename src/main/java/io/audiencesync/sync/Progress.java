package io.audiencesync.sync;

import io.audiencesync.observe.StatusLine;
import io.audiencesync.plan.Plan;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Progress of a long run: a log line every {@code sync.progress-interval-seconds} (rows read, values sent, rate,
 * ETA once the plan gives the total), or a progress bar redrawn on stderr when a person watches a terminal.
 */
public final class Progress {

    private static final Logger LOG = LoggerFactory.getLogger(Progress.class);
    private static final int BAR = 20;

    private final Duration interval;
    private final PrintStream terminal;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "progress");
        t.setDaemon(true);
        return t;
    });

    /** @param terminal where to draw a bar, or null to log lines */
    public Progress(Duration interval, PrintStream terminal) {
        this.interval = interval;
        this.terminal = terminal;
    }

    /** Draws a bar when stderr is an interactive terminal, else logs lines. */
    public static Progress forThisProcess(Duration interval) {
        boolean tty = System.console() != null && !"dumb".equals(System.getenv("TERM"));
        return new Progress(tty ? Duration.ofMillis(500) : interval, tty ? System.err : null);
    }

    /** Starts reporting on {@code run}; the returned handle stops it. */
    AutoCloseable track(SyncRun run) {
        long started = System.nanoTime();
        ScheduledFuture<?> task = timer.scheduleAtFixedRate(() -> report(run, started),
                interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
        return () -> {
            task.cancel(false);
            if (terminal != null) {
                StatusLine.clear();
            }
        };
    }

    private void report(SyncRun run, long started) {
        Plan plan = run.plan();
        double seconds = (System.nanoTime() - started) / 1e9;
        String line;
        if (plan == null) {
            line = String.format(Locale.ROOT, "Run %s reading: %,d rows (%,.0f rows/s)", run.id(), run.read().rows(),
                    run.read().rows() / Math.max(seconds, 1e-3));
            if (terminal != null) {
                draw(-1, String.format(Locale.ROOT, "reading %s: %,d rows (%,.0f rows/s)", run.source(),
                        run.read().rows(), run.read().rows() / Math.max(seconds, 1e-3)));
                return;
            }
        } else {
            long total = plan.addCount() + plan.removeCount();
            long done = run.sends().done();
            // The rate since the plan was made (sending starts then), so the first line already has one.
            double sendSeconds = Math.max((System.nanoTime() - run.plannedAt()) / 1e9, 1e-3);
            double rate = done / sendSeconds;
            String eta = rate > 0 ? formatDuration((long) ((total - done) / rate)) : "?";
            if (terminal != null) {
                draw(total == 0 ? 1 : (double) done / total, String.format(Locale.ROOT, "%,d/%,d values %,.0f/s ETA %s",
                        done, total, rate, eta));
                return;
            }
            line = String.format(Locale.ROOT, "Run %s sending: %,d of %,d values (%,.0f/s, ETA %s), %,d rows read",
                    run.id(), done, total, rate, eta, run.read().rows());
        }
        LOG.info(line);
    }

    private void draw(double fraction, String line) {
        String bar = fraction < 0 ? "" : "[" + "#".repeat((int) (fraction * BAR)) + ".".repeat(BAR - (int) (fraction * BAR)) + "] ";
        StatusLine.show(terminal, bar + line);
    }

    private static String formatDuration(long seconds) {
        return seconds >= 3600 ? String.format("%d:%02d:%02d", seconds / 3600, seconds / 60 % 60, seconds % 60)
                : String.format("%d:%02d", seconds / 60, seconds % 60);
    }
}
