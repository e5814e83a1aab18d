package dev.backend.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import dev.backend.server.logback.AsyncConsoleAppender;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/** The lines the examples' logback.xml writes (the module has no logback-test.xml: its tests run with it). */
class LogbackXmlTest {

    private static final LoggerContext CONTEXT = (LoggerContext) LoggerFactory.getILoggerFactory();

    /** The line for an INFO event of {@code logger}, without the time that starts it. */
    private static String line(String logger, String message) {
        AsyncConsoleAppender console =
                (AsyncConsoleAppender) CONTEXT.getLogger(Logger.ROOT_LOGGER_NAME).getAppender("console");
        LoggingEvent event = new LoggingEvent(LogbackXmlTest.class.getName(), CONTEXT.getLogger(logger), Level.INFO,
                message, null, null);
        event.setThreadName("t");
        String line = new String(console.getEncoder().encode(event), StandardCharsets.UTF_8);
        return line.substring(line.indexOf(' ') + 1);
    }

    @Test
    void theAccessLineCarriesTheRequestIdWhileARequestIsAnswered() {
        MDC.put("request_id", "4f1c");
        try {
            assertEquals("INFO  [t] dev.backend.access req=4f1c - method=GET path=/json status=200 bytes=27"
                    + " latency_ms=0.012" + System.lineSeparator(),
                    line("dev.backend.access", "method=GET path=/json status=200 bytes=27 latency_ms=0.012"));
        } finally {
            MDC.remove("request_id");
        }
        assertEquals("INFO  [t] dev.backend.access - started" + System.lineSeparator(), line("dev.backend.access", "started"));
    }

    @Test
    void aLoggerNameOfThirtyCharactersOrMoreIsShortenedTheSameEveryTime() {
        // Written twice: the second line is shortened again (logback's name cache is off), the same way.
        for (int i = 0; i < 2; i++) {
            assertEquals("INFO  [t] d.b.e.t.TechEmpowerService - started" + System.lineSeparator(),
                    line("dev.backend.examples.techempower.TechEmpowerService", "started"));
        }
    }
}
