package dev.backend.server;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.slf4j.ILoggerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies {@code LOG_LEVEL} and {@code LOG_FORMAT}, when the operator set them, to the application's SLF4J
 * backend. backend-server brings no backend of its own: with logback it sets the root level and the encoder
 * of the root logger's appenders ({@link LogbackSettings}); with any other backend it says, once, that the
 * variables are ignored. When neither variable is set the application's own logging configuration is left
 * exactly as it is.
 */
final class LogSettings {

    private static final Logger LOG = LoggerFactory.getLogger(LogSettings.class);
    private static final String LOGBACK = "ch.qos.logback.classic.LoggerContext";

    private LogSettings() {}

    static void apply(Config.Log log) {
        apply(log, LoggerFactory.getILoggerFactory());
    }

    static void apply(Config.Log log, ILoggerFactory backend) {
        List<String> set = new ArrayList<>();
        log.level().ifPresent(level -> set.add("LOG_LEVEL=" + level));
        log.format().ifPresent(format -> set.add("LOG_FORMAT=" + format.name().toLowerCase(Locale.ROOT)));
        if (set.isEmpty()) {
            return;
        }
        // Compared by name: logback is an optional dependency, so its classes are only touched when it is there.
        if (backend.getClass().getName().equals(LOGBACK)) {
            LogbackSettings.apply(backend, log);
        } else {
            LOG.warn("{} ignored: the SLF4J backend is {}, which backend-server configures only when it is logback; "
                    + "set levels and format in that backend's own configuration", String.join(" and ", set),
                    backend.getClass().getName());
        }
    }
}
