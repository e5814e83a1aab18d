package dev.backend.server;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.LoggerFactory;

/**
 * Records what one class, or every logger, logs while open, so a test can read the lines a user would see. Public,
 * in the test jar, for reference-service's tests.
 */
public final class LogCapture implements AutoCloseable {

    private final Logger logger;
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

    private LogCapture(Logger logger) {
        this.logger = logger;
        appender.start();
        logger.addAppender(appender);
    }

    public static LogCapture of(Class<?> type) {
        return new LogCapture((Logger) LoggerFactory.getLogger(type));
    }

    /** Everything logged while open, whatever the logger: the application's, HikariCP's, pgJDBC's. */
    public static LogCapture all() {
        return new LogCapture((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME));
    }

    /** Each event as {@code LEVEL message}, in order. */
    public List<String> lines() {
        return events().stream().map(e -> e.getLevel() + " " + e.getFormattedMessage()).toList();
    }

    /** Each event at INFO or above as {@code LEVEL logger message}, in order. */
    public List<String> linesAtInfo() {
        return events().stream()
                .filter(e -> e.getLevel().isGreaterOrEqual(Level.INFO))
                .map(e -> e.getLevel() + " " + e.getLoggerName() + " " + e.getFormattedMessage())
                .toList();
    }

    /** The value of MDC entry {@code key} in each event that has one, in order. */
    public List<String> mdcValues(String key) {
        return events().stream().map(e -> e.getMDCPropertyMap().get(key)).filter(Objects::nonNull).toList();
    }

    /** How many events carry a stack trace. */
    public long traces() {
        return events().stream().filter(e -> e.getThrowableProxy() != null).count();
    }

    private List<ILoggingEvent> events() {
        synchronized (appender) {
            return List.copyOf(appender.list);
        }
    }

    /** For each event, in order, the class of the exception logged with it, if any. */
    public List<Optional<String>> throwables() {
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
