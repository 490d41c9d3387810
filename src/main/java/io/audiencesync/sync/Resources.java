package io.audiencesync.sync;

import java.io.IOException;
import java.util.Optional;

/**
 * Failures for want of a resource of the machine (heap, disk, file handles), explained with the resource and the
 * setting or limit to change: such a failure otherwise surfaces as whatever the code that ran out was doing.
 */
final class Resources {

    private Resources() {
    }

    /** The explanation when {@code failure}, or a cause of it, is a resource running out; empty otherwise. */
    static Optional<String> explain(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof OutOfMemoryError) {
                return Optional.of("the JVM ran out of heap memory (" + Runtime.getRuntime().maxMemory() / (1 << 20)
                        + " MB, -Xmx): give it more heap with -Xmx, or lower sync.sort-buffer-values (memory for sorting"
                        + " is about 138 bytes a value); what Pinterest acknowledged is recorded and the next run sends"
                        + " what is owed (" + t.getMessage() + ")");
            }
            String message = t instanceof IOException && t.getMessage() != null ? t.getMessage() : "";
            if (message.contains("No space left on device") || message.contains("Disk quota exceeded")) {
                return Optional.of("the disk is full (" + message + "): sync.data-dir holds the state, the sorted runs"
                        + " of a run in progress and the reports; free space there and run again, the next run sends"
                        + " what is owed");
            }
            if (message.contains("Too many open files")) {
                return Optional.of("the process may open no more files (" + message + "): raise its limit (ulimit -n,"
                        + " or the container's nofile limit) and run again");
            }
        }
        return Optional.empty();
    }
}
