package dev.backend.server;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import java.util.Optional;
import org.slf4j.LoggerFactory;

/** Records what one class logs while open, so a test can read the lines a user would see. */
final class LogCapture implements AutoCloseable {

    private final Logger logger;
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

    private LogCapture(Class<?> type) {
        logger = (Logger) LoggerFactory.getLogger(type);
        appender.start();
        logger.addAppender(appender);
    }

    static LogCapture of(Class<?> type) {
        return new LogCapture(type);
    }

    /** Each event as {@code LEVEL message}, in order. */
    List<String> lines() {
        synchronized (appender) {
            return appender.list.stream().map(e -> e.getLevel() + " " + e.getFormattedMessage()).toList();
        }
    }

    /** For each event, in order, the class of the exception logged with it, if any. */
    List<Optional<String>> throwables() {
        synchronized (appender) {
            return appender.list.stream()
                    .map(e -> Optional.ofNullable(e.getThrowableProxy()).map(t -> t.getClassName()))
                    .toList();
        }
    }

    @Override
    public void close() {
        logger.detachAppender(appender);
    }
}
