package dev.backend.reference;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.backend.server.logback.AsyncConsoleAppender;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;

/**
 * The lines the service's own logback.xml writes. Its tests log through logback-test.xml, so this reads the shipped
 * file into a context of its own.
 */
class LogbackXmlTest {

    private static final LoggerContext CONTEXT = new LoggerContext();

    @BeforeAll
    static void configure() throws Exception {
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(CONTEXT);
        configurator.doConfigure(LogbackXmlTest.class.getResource("/logback.xml"));
    }

    @AfterAll
    static void stop() {
        CONTEXT.stop();
    }

    /** The line for an INFO event of {@code logger} with {@code mdc}, without the time that starts it. */
    private static String line(String logger, Map<String, String> mdc, String message) {
        AsyncConsoleAppender console =
                (AsyncConsoleAppender) CONTEXT.getLogger(Logger.ROOT_LOGGER_NAME).getAppender("console");
        LoggingEvent event = new LoggingEvent(LogbackXmlTest.class.getName(), CONTEXT.getLogger(logger), Level.INFO,
                message, null, null);
        event.setThreadName("t");
        event.setMDCPropertyMap(mdc);
        String line = new String(console.getEncoder().encode(event), StandardCharsets.UTF_8);
        return line.substring(line.indexOf(' ') + 1);
    }

    @Test
    void theAccessLineCarriesTheRequestTraceAndSpanIdsWhileARequestIsAnswered() {
        assertEquals("INFO  [t] dev.backend.access req=4f1c trace_id=4bf92f3577b34da6a3ce929d0e0e4736"
                + " span_id=00f067aa0ba902b7 - method=GET path=/users status=200" + System.lineSeparator(),
                line("dev.backend.access", Map.of("request_id", "4f1c", "trace_id", "4bf92f3577b34da6a3ce929d0e0e4736",
                        "span_id", "00f067aa0ba902b7"), "method=GET path=/users status=200"));
        assertEquals("INFO  [t] dev.backend.access - started" + System.lineSeparator(),
                line("dev.backend.access", Map.of(), "started"));
    }

    @Test
    void keepsAnOperatorsOwnSettingOfTheLoggerNameCache() throws Exception {
        String property = "logback.namedConverter.disableCache";
        String before = System.getProperty(property);
        System.setProperty(property, "false");
        LoggerContext context = new LoggerContext();
        try {
            JoranConfigurator configurator = new JoranConfigurator();
            configurator.setContext(context);
            configurator.doConfigure(LogbackXmlTest.class.getResource("/logback.xml"));

            assertEquals("false", System.getProperty(property));
        } finally {
            context.stop();
            if (before == null) {
                System.clearProperty(property);
            } else {
                System.setProperty(property, before);
            }
        }
    }

    /**
     * What a PostgreSQL restart logged, pool of 5: HikariCP's warning for each idle connection it found dead (these
     * five lines, two of them from the readiness check's thread without a request id), then the pool's own line.
     */
    @Test
    void aDatabaseRestartIsOneLineOfThePoolsNotOneHikariWarningPerDeadConnection() {
        ListAppender<ILoggingEvent> written = new ListAppender<>();
        written.start();
        ch.qos.logback.classic.Logger root = CONTEXT.getLogger(Logger.ROOT_LOGGER_NAME);
        root.addAppender(written);
        try {
            for (int i = 0; i < 5; i++) {
                CONTEXT.getLogger("com.zaxxer.hikari.pool.PoolBase").warn("{} - Failed to validate connection {} ({})."
                        + " Possibly consider using a shorter maxLifetime value.", "db", "PgConnection@" + i,
                        "This connection has been closed.");
            }
            CONTEXT.getLogger("dev.backend.server.ConnectionPool").warn("New connections to PostgreSQL fail");
            CONTEXT.getLogger("com.zaxxer.hikari.pool.HikariPool").error("db - Exception during pool initialization.");

            assertEquals(List.of("WARN dev.backend.server.ConnectionPool New connections to PostgreSQL fail",
                    "ERROR com.zaxxer.hikari.pool.HikariPool db - Exception during pool initialization."),
                    written.list.stream().map(e -> e.getLevel() + " " + e.getLoggerName() + " " + e.getFormattedMessage())
                            .toList());
        } finally {
            root.detachAppender(written);
        }
    }

    @Test
    void aLoggerNameOfThirtyCharactersOrMoreIsShortenedTheSameEveryTime() {
        // Written twice: the second line is shortened again (logback's name cache is off), the same way.
        for (int i = 0; i < 2; i++) {
            assertEquals("INFO  [t] d.b.reference.ReferenceService - started" + System.lineSeparator(),
                    line("dev.backend.reference.ReferenceService", Map.of(), "started"));
        }
    }
}
