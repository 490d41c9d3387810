package io.audiencesync;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Captures every log event of the JVM (the root logger) while open, with this tool's loggers at DEBUG, so a test can
 * check what would reach a log file: messages with their arguments and stack traces.
 */
public final class LogCapture implements AutoCloseable {

    private final Logger root = (Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME);
    private final Logger tool = (Logger) LoggerFactory.getLogger("io.audiencesync");
    private final Level toolLevel = tool.getLevel();
    private final Map<Logger, Level> restore = new HashMap<>();
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

    public LogCapture() {
        appender.setContext(root.getLoggerContext());
        appender.start();
        root.addAppender(appender);
        tool.setLevel(Level.DEBUG);
    }

    /** Logs {@code loggers} (and everything under them) at {@code level} until closed. */
    public LogCapture level(Level level, String... loggers) {
        for (String name : loggers) {
            Logger logger = (Logger) LoggerFactory.getLogger(name);
            restore.putIfAbsent(logger, logger.getLevel());
            logger.setLevel(level);
        }
        return this;
    }

    /** Every event so far as one text: level, logger, message, stack trace. */
    public String text() {
        return events().stream()
                .map(e -> e.getLevel() + " " + e.getLoggerName() + " " + e.getFormattedMessage()
                        + (e.getThrowableProxy() == null ? "" : "\n" + ThrowableProxyUtil.asString(e.getThrowableProxy())))
                .collect(Collectors.joining("\n"));
    }

    public List<ILoggingEvent> events() {
        synchronized (appender.list) {
            return List.copyOf(appender.list);
        }
    }

    /** Messages logged at WARN or above. */
    public List<String> warnings() {
        return events().stream().filter(e -> e.getLevel().isGreaterOrEqual(Level.WARN)).map(ILoggingEvent::getFormattedMessage).toList();
    }

    @Override
    public void close() {
        root.detachAppender(appender);
        appender.stop();
        tool.setLevel(toolLevel);
        restore.forEach(Logger::setLevel);
    }
}
