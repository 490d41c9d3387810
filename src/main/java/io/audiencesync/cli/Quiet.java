package io.audiencesync.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.slf4j.LoggerFactory;

/** Keeps the tool's own INFO lines off a command's screen output (unless --verbose), and puts the level back after. */
final class Quiet implements AutoCloseable {

    private final Logger logger = (Logger) LoggerFactory.getLogger("io.audiencesync");
    private final Level before = logger.getLevel();

    Quiet(boolean verbose) {
        if (!verbose) {
            logger.setLevel(Level.WARN);
        }
    }

    @Override
    public void close() {
        logger.setLevel(before);
    }
}
