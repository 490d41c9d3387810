package io.audiencesync.sync;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Collects every log line (message and stack trace) while open, optionally with chosen loggers turned up. */
final class LogCapture implements AutoCloseable {

    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
    private final Map<Logger, Level> restore = new HashMap<>();
    private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);

    LogCapture() {
        appender.start();
        root.addAppender(appender);
    }

    /** Logs {@code loggers} (and everything under them) at {@code level} until closed. */
    LogCapture level(Level level, String... loggers) {
        for (String name : loggers) {
            Logger logger = (Logger) LoggerFactory.getLogger(name);
            restore.putIfAbsent(logger, logger.getLevel());
            logger.setLevel(level);
        }
        return this;
    }

    List<String> lines() {
        return List.copyOf(appender.list).stream().map(e -> e.getLevel() + " " + e.getLoggerName() + " - " + e.getFormattedMessage()
                + (e.getThrowableProxy() == null ? "" : "\n" + ThrowableProxyUtil.asString(e.getThrowableProxy()))).toList();
    }

    String text() {
        return String.join("\n", lines());
    }

    @Override
    public void close() {
        root.detachAppender(appender);
        restore.forEach(Logger::setLevel);
    }
}
