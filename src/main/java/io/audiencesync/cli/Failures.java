package io.audiencesync.cli;

import io.audiencesync.SyncApp;
import io.audiencesync.config.ConfigException;
import io.audiencesync.pinterest.PinterestApiException;
import io.audiencesync.pinterest.TokenStoreException;
import io.audiencesync.sync.RunLifecycle;

import java.io.PrintWriter;

/** The one-line error and exit code of the commands that talk to Pinterest without running a sync. */
final class Failures {

    private Failures() {
    }

    /** True for the failures a command explains in one line; anything else is a bug worth its stack trace. */
    static boolean explained(RuntimeException e) {
        return e instanceof ConfigException || e instanceof PinterestApiException || e instanceof TokenStoreException;
    }

    static int report(PrintWriter err, RuntimeException e) {
        err.println("pinterest-audience-sync: " + RunLifecycle.explain(e));
        err.flush();
        return SyncApp.exitCode(e);
    }
}
