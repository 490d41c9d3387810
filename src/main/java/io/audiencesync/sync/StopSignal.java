package io.audiencesync.sync;

import org.apache.camel.spi.CamelEvent;
import org.apache.camel.spi.EventNotifier;
import org.apache.camel.support.EventNotifierSupport;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Raised when the process is asked to stop (SIGTERM, Ctrl-C): a run then sends no further batch and waits for
 * no retry, records what was acknowledged, writes its report and ends, so the pod exits within its grace period.
 */
public final class StopSignal {

    private final AtomicBoolean requested = new AtomicBoolean();

    public boolean requested() {
        return requested.get();
    }

    public void request() {
        requested.set(true);
    }

    /** Raises the signal as Camel starts to stop. */
    public EventNotifier notifier() {
        EventNotifierSupport notifier = new EventNotifierSupport() {
            @Override
            public boolean isEnabled(CamelEvent event) {
                return event.getType() == CamelEvent.Type.CamelContextStopping;
            }

            @Override
            public void notify(CamelEvent event) {
                request();
            }
        };
        notifier.setIgnoreExchangeEvents(true);
        notifier.setIgnoreRouteEvents(true);
        notifier.setIgnoreServiceEvents(true);
        notifier.setIgnoreStepEvents(true);
        return notifier;
    }
}
