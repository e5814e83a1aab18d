package dev.backend.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.encoder.Encoder;
import dev.backend.core.Json;
import dev.backend.server.logback.AsyncConsoleAppender;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.ILoggerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.slf4j.helpers.NOPLogger;
import tools.jackson.databind.JsonNode;

/** LOG_LEVEL and LOG_FORMAT as an embedding application sees them: logback here, another backend faked. */
class LogSettingsTest {

    private final LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    private final ch.qos.logback.classic.Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    private final ByteArrayOutputStream written = new ByteArrayOutputStream();
    private final OutputStreamAppender<ILoggingEvent> application = new OutputStreamAppender<>();
    private final PatternLayoutEncoder applicationEncoder = new PatternLayoutEncoder();
    private Level rootLevel;
    private final Map<OutputStreamAppender<ILoggingEvent>, Encoder<ILoggingEvent>> encoders = new HashMap<>();

    @BeforeEach
    void anApplicationsOwnAppender() {
        rootLevel = root.getLevel();
        root.iteratorForAppenders().forEachRemaining(a -> {
            if (a instanceof OutputStreamAppender<ILoggingEvent> stream) {
                encoders.put(stream, stream.getEncoder());
            }
        });
        applicationEncoder.setContext(context);
        applicationEncoder.setPattern("app %level %msg%n");
        applicationEncoder.start();
        application.setContext(context);
        application.setEncoder(applicationEncoder);
        application.setOutputStream(written);
        application.start();
        root.addAppender(application);
    }

    @AfterEach
    void restore() {
        root.detachAppender(application);
        root.setLevel(rootLevel);
        encoders.forEach(OutputStreamAppender::setEncoder);
    }

    private static Config.Log log(String level, Config.LogFormat format) {
        return new Config.Log(Optional.ofNullable(level), Optional.ofNullable(format));
    }

    private List<String> lines() {
        return written.toString(StandardCharsets.UTF_8).lines().toList();
    }

    @Test
    void withNeitherVariableSetTheApplicationsConfigurationIsLeftAlone() {
        LogSettings.apply(log(null, null));

        assertEquals(rootLevel, root.getLevel());
        assertSame(applicationEncoder, application.getEncoder());
        LoggerFactory.getLogger(LogSettingsTest.class).info("hello");
        assertEquals(List.of("app INFO hello"), lines());
    }

    @Test
    void logLevelSetsTheRootLevelAndKeepsTheApplicationsFormat() {
        LogSettings.apply(log("WARN", null));

        assertEquals(Level.WARN, root.getLevel());
        Logger logger = LoggerFactory.getLogger(LogSettingsTest.class);
        logger.info("dropped");
        logger.warn("kept");
        assertEquals(List.of("app WARN kept"), lines());
    }

    @Test
    void logFormatJsonWritesOneJsonObjectPerLineThroughTheApplicationsAppenders() {
        LogSettings.apply(log(null, Config.LogFormat.JSON));

        LoggerFactory.getLogger(LogSettingsTest.class).info("as {}", "json");
        JsonNode event = Json.mapper().readTree(lines().getFirst());
        assertEquals("INFO", event.get("level").asString());
        assertEquals("as json", event.get("formattedMessage").asString());
    }

    @Test
    void logFormatTextWritesTheDocumentedLine() {
        LogSettings.apply(log(null, Config.LogFormat.TEXT));

        LoggerFactory.getLogger(LogSettingsTest.class).info("plain");
        String line = lines().getFirst();
        assertTrue(line.matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}\\S* INFO  \\[[^]]+] "
                + "d\\.b\\.server\\.LogSettingsTest - plain"), line);
    }

    @Test
    void bothFormatsCarryTheRequestAndTraceIdsOfTheRequestBeingAnswered() {
        Logger logger = LoggerFactory.getLogger(LogSettingsTest.class);
        MDC.put("request_id", "r-1");
        MDC.put("trace_id", "4bf92f3577b34da6a3ce929d0e0e4736");
        MDC.put("span_id", "00f067aa0ba902b7");
        try {
            LogSettings.apply(log(null, Config.LogFormat.TEXT));
            logger.info("text");
            LogSettings.apply(log(null, Config.LogFormat.JSON));
            logger.info("json");
        } finally {
            MDC.clear();
        }

        assertTrue(lines().get(0).endsWith(" d.b.server.LogSettingsTest req=r-1 trace_id=4bf92f3577b34da6a3ce929d0e0e4736 "
                + "span_id=00f067aa0ba902b7 - text"), lines().get(0));
        JsonNode mdc = Json.mapper().readTree(lines().get(1)).get("mdc");
        assertEquals("r-1", mdc.get("request_id").asString());
        assertEquals("4bf92f3577b34da6a3ce929d0e0e4736", mdc.get("trace_id").asString());
        assertEquals("00f067aa0ba902b7", mdc.get("span_id").asString());
    }

    @Test
    void logFormatJsonReachesTheAsyncConsoleAppenderWhichKeepsWritingInTheBackground() throws InterruptedException {
        PrintStream out = System.out;
        ByteArrayOutputStream console = new ByteArrayOutputStream();
        AsyncConsoleAppender async = new AsyncConsoleAppender();
        PatternLayoutEncoder text = new PatternLayoutEncoder();
        text.setContext(context);
        text.setPattern("async %msg%n");
        text.start();
        async.setContext(context);
        async.setEncoder(text);
        System.setOut(new PrintStream(console, true, StandardCharsets.UTF_8));
        async.start();
        root.addAppender(async);
        try {
            LogSettings.apply(log(null, Config.LogFormat.JSON));
            LoggerFactory.getLogger(LogSettingsTest.class).info("queued as json");

            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!console.toString(StandardCharsets.UTF_8).contains("queued as json") && System.nanoTime() < end) {
                Thread.sleep(5);
            }
            String line = console.toString(StandardCharsets.UTF_8).lines()
                    .filter(l -> l.contains("queued as json")).findFirst().orElseThrow();
            assertEquals("queued as json", Json.mapper().readTree(line).get("formattedMessage").asString());
        } finally {
            root.detachAppender(async);
            async.stop();
            System.setOut(out);
        }
    }

    @Test
    void anotherBackendIsNamedInOneWarningAndLeftAlone() {
        ILoggerFactory simple = name -> NOPLogger.NOP_LOGGER;
        try (LogCapture log = LogCapture.of(LogSettings.class)) {
            LogSettings.apply(log("DEBUG", Config.LogFormat.JSON), simple);

            assertEquals(List.of("WARN LOG_LEVEL=DEBUG and LOG_FORMAT=json ignored: the SLF4J backend is "
                    + simple.getClass().getName() + ", which backend-server configures only when it is logback; set "
                    + "levels and format in that backend's own configuration"), log.lines());
        }
        assertEquals(rootLevel, root.getLevel());
    }
}
