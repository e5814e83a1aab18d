package dev.backend.server;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.PatternLayout;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import dev.backend.server.logback.AsyncConsoleAppender;
import dev.backend.server.logback.MdcFieldConverter;
import java.util.Iterator;
import java.util.Locale;
import org.slf4j.ILoggerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code LOG_LEVEL} and {@code LOG_FORMAT} on logback, applied in code rather than through a {@code
 * logback.xml}: an application keeps its own file, and only what the operator set changes. The level is the
 * root logger's (loggers the application configured on their own keep theirs); the format replaces the
 * encoder of every stream-writing appender on the root logger, {@link AsyncConsoleAppender} included, so its
 * lines keep leaving the request threads in batches in either format. Loaded only when logback is the backend.
 */
final class LogbackSettings {

    /**
     * One line per event: time with offset, level, thread, logger, the request id and the W3C trace and span ids
     * when there are ({@link MdcFieldConverter}), message. JSON events carry the same ids in their {@code mdc}
     * object.
     */
    static final String TEXT_PATTERN = "%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level [%thread] %logger{30}"
            + "%mdcField{request_id, req}%mdcField{trace_id}%mdcField{span_id} - %msg%n";

    private static final Logger LOG = LoggerFactory.getLogger(LogbackSettings.class);

    private LogbackSettings() {}

    static void apply(ILoggerFactory backend, Config.Log log) {
        LoggerContext context = (LoggerContext) backend;
        ch.qos.logback.classic.Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        log.level().ifPresent(level -> root.setLevel(Level.toLevel(level)));
        log.format().ifPresent(format -> {
            int replaced = 0;
            for (Iterator<Appender<ILoggingEvent>> appenders = root.iteratorForAppenders(); appenders.hasNext(); ) {
                Appender<ILoggingEvent> appender = appenders.next();
                // Swapped in place, not by restarting the appender: a stop would close a file appender's file.
                if (appender instanceof OutputStreamAppender<ILoggingEvent> stream) {
                    Encoder<ILoggingEvent> previous = stream.getEncoder();
                    stream.setEncoder(encoder(context, format));
                    stopIfSet(previous);
                    replaced++;
                } else if (appender instanceof AsyncConsoleAppender async) {
                    Encoder<ILoggingEvent> previous = async.getEncoder();
                    async.setEncoder(encoder(context, format));
                    stopIfSet(previous);
                    replaced++;
                }
            }
            if (replaced == 0) {
                LOG.warn("LOG_FORMAT={} ignored: logback's root logger has no appender writing to a stream",
                        format.name().toLowerCase(Locale.ROOT));
            }
        });
    }

    private static void stopIfSet(Encoder<ILoggingEvent> previous) {
        if (previous != null) {
            previous.stop();
        }
    }

    private static Encoder<ILoggingEvent> encoder(LoggerContext context, Config.LogFormat format) {
        Encoder<ILoggingEvent> encoder = switch (format) {
            case TEXT -> {
                // A layout of its own, so %mdcField is known to it alone, whatever the application's file declares.
                PatternLayout layout = new PatternLayout();
                layout.getInstanceConverterMap().put("mdcField", MdcFieldConverter::new);
                layout.setPattern(TEXT_PATTERN);
                layout.setContext(context);
                layout.start();
                LayoutWrappingEncoder<ILoggingEvent> text = new LayoutWrappingEncoder<>();
                text.setLayout(layout);
                yield text;
            }
            case JSON -> {
                JsonEncoder json = new JsonEncoder();
                json.setWithSequenceNumber(false);
                json.setWithNanoseconds(false);
                json.setWithContext(false);
                json.setWithMessage(false);
                json.setWithArguments(false);
                json.setWithFormattedMessage(true);
                yield json;
            }
        };
        encoder.setContext(context);
        encoder.start();
        return encoder;
    }
}
