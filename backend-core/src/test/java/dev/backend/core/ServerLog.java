package dev.backend.core;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import org.slf4j.LoggerFactory;

/**
 * What the server side logged at WARN or above while open, from both logging paths a server uses: slf4j (the
 * pipeline) and {@code java.util.logging}, where {@code System.Logger} sends backend-http's records and the
 * JDK's server logs its own. Shared with backend-server's tests through this module's test jar.
 */
@SuppressWarnings("exports")
public final class ServerLog implements AutoCloseable {

    /** One logged line: where from, its level, its message, and whether it carried a stack trace. */
    public record Line(String logger, String level, String message, boolean withTrace) {}

    private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
    private final java.util.logging.Logger julRoot = java.util.logging.Logger.getLogger("");
    private final List<Line> julLines = new ArrayList<>();
    private final Handler julHandler = new Handler() {
        @Override
        public void publish(LogRecord record) {
            if (record.getLevel().intValue() >= java.util.logging.Level.WARNING.intValue()) {
                synchronized (julLines) {
                    julLines.add(new Line(record.getLoggerName(), record.getLevel().getName(), record.getMessage(),
                            record.getThrown() != null));
                }
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    public ServerLog() {
        appender.start();
        root.addAppender(appender);
        julRoot.addHandler(julHandler);
    }

    /** Every line at WARN (JUL: WARNING) or above so far. */
    public List<Line> warnings() {
        List<Line> lines = new ArrayList<>();
        synchronized (appender.list) {
            for (ILoggingEvent event : appender.list) {
                if (event.getLevel().isGreaterOrEqual(Level.WARN)) {
                    lines.add(new Line(event.getLoggerName(), event.getLevel().toString(), event.getFormattedMessage(),
                            event.getThrowableProxy() != null));
                }
            }
        }
        synchronized (julLines) {
            lines.addAll(julLines);
        }
        return lines;
    }

    /** The lines at ERROR, or with a stack trace at any level from WARN up. */
    public List<Line> errorsOrTraces() {
        return warnings().stream().filter(line -> line.withTrace() || line.level().equals("ERROR")
                || line.level().equals("SEVERE")).toList();
    }

    @Override
    public void close() {
        julRoot.removeHandler(julHandler);
        root.detachAppender(appender);
        appender.stop();
    }
}
