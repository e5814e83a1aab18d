package dev.backend.core.middleware;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * Collects what is logged while it is open, with each event's MDC, so tests can count log lines; shared by
 * the pipeline's and the middleware's tests. Test code on the module path: its logback types need no export.
 */
@SuppressWarnings("exports")
public final class LogCapture implements AutoCloseable {

    private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

    public LogCapture() {
        appender.start();
        root.addAppender(appender);
    }

    /** Events logged so far, in order. */
    public List<ILoggingEvent> events() {
        synchronized (appender.list) {
            return List.copyOf(appender.list);
        }
    }

    /** Events of {@code logger} at {@code level} or above. */
    public List<ILoggingEvent> events(String logger, Level level) {
        return events().stream()
                .filter(e -> e.getLoggerName().equals(logger) && e.getLevel().isGreaterOrEqual(level))
                .toList();
    }

    /** Events at ERROR from any logger. */
    public List<ILoggingEvent> errors() {
        return events().stream().filter(e -> e.getLevel() == Level.ERROR).toList();
    }

    @Override
    public void close() {
        root.detachAppender(appender);
        appender.stop();
    }
}
