package dev.backend.reference;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.backend.server.LogCapture;
import java.util.List;
import org.junit.jupiter.api.Test;

class LoggingTest {

    @Test
    void sendsJavaUtilLoggingAndSystemLoggerRecordsThroughSlf4j() {
        Logging.routeJavaUtilLogging();
        Logging.routeJavaUtilLogging(); // idempotent: a second call adds no second handler
        try (LogCapture log = LogCapture.of(LoggingTest.class)) {
            // backend-http logs through System.Logger, whose default backend is java.util.logging.
            System.getLogger(LoggingTest.class.getName()).log(System.Logger.Level.WARNING, "from System.Logger");
            java.util.logging.Logger.getLogger(LoggingTest.class.getName()).warning("from JUL");
            assertEquals(List.of("WARN from System.Logger", "WARN from JUL"), log.lines());
        }
    }
}
