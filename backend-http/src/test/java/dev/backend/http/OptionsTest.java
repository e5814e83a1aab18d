package dev.backend.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link HttpServerOptions}: validated once, with messages naming the component, and the JDK's property names. */
class OptionsTest {

    @Test
    void defaultsAreTheDocumentedOnes() {
        HttpServerOptions options = HttpServerOptions.defaults();

        assertEquals(8192, options.maxRequestLineLength());
        assertEquals(200, options.maxHeaderCount());
        assertEquals(32768, options.maxHeaderSize());
        assertEquals(Duration.ofSeconds(10), options.requestReadTimeout());
        assertEquals(Duration.ofSeconds(30), options.idleTimeout());
        assertEquals(10_000, options.maxConnections());
        assertEquals(64, options.overflowConnections());
        assertTrue(options.tcpNoDelay());
        assertEquals(65536, options.drainAmount());
    }

    @Test
    void invalidValuesAreRefusedByName() {
        HttpServerOptions options = HttpServerOptions.defaults();

        assertMessage("maxRequestLineLength must be from 64 to 1048576 bytes, was 10", () -> options.withMaxRequestLineLength(10));
        assertMessage("maxHeaderCount must be at least 1, was 0", () -> options.withMaxHeaderCount(0));
        assertMessage("maxHeaderSize must be from 256 to 16777216 bytes, was 100", () -> options.withMaxHeaderSize(100));
        assertMessage("requestReadTimeout must be from 1ms to 24 days, was PT0S", () -> options.withRequestReadTimeout(Duration.ZERO));
        assertMessage("idleTimeout must be from 1ms to 24 days, was PT-1S", () -> options.withIdleTimeout(Duration.ofSeconds(-1)));
        assertMessage("maxConnections must be at least 1, was 0", () -> options.withMaxConnections(0));
        assertMessage("overflowConnections must not be negative, was -1", () -> options.withOverflowConnections(-1));
        assertMessage("drainAmount must not be negative, was -1", () -> options.withDrainAmount(-1));
        assertThrows(NullPointerException.class, () -> options.withIdleTimeout(null));
    }

    @Test
    void theJdksPropertiesSetTheDefaultsOfEachNewServer() {
        Map<String, String> properties = Map.of("sun.net.httpserver.maxReqHeaders", "50",
                "sun.net.httpserver.maxReqHeaderSize", "4096", "sun.net.httpserver.maxReqTime", "3",
                "sun.net.httpserver.idleInterval", "7", "jdk.httpserver.maxConnections", "99",
                "sun.net.httpserver.nodelay", "false", "sun.net.httpserver.drainAmount", "10");
        properties.forEach(System::setProperty);
        try {
            HttpServerOptions options = HttpServerOptions.fromSystemProperties();

            assertEquals(50, options.maxHeaderCount());
            assertEquals(4096, options.maxHeaderSize());
            assertEquals(Duration.ofSeconds(3), options.requestReadTimeout());
            assertEquals(Duration.ofSeconds(7), options.idleTimeout());
            assertEquals(99, options.maxConnections());
            assertFalse(options.tcpNoDelay());
            assertEquals(10, options.drainAmount());
        } finally {
            properties.keySet().forEach(System::clearProperty);
        }
    }

    @Test
    void valuesTheJdkReadsAsUnlimitedKeepEveryLimitOn() {
        Map<String, String> properties = Map.of("sun.net.httpserver.maxReqHeaderSize", "-1",
                "sun.net.httpserver.maxReqTime", "-1", "jdk.httpserver.maxConnections", "0");
        properties.forEach(System::setProperty);
        try {
            assertEquals(HttpServerOptions.defaults(), HttpServerOptions.fromSystemProperties());
        } finally {
            properties.keySet().forEach(System::clearProperty);
        }
    }

    private static void assertMessage(String message, org.junit.jupiter.api.function.Executable executable) {
        assertEquals(message, assertThrows(IllegalArgumentException.class, executable).getMessage());
    }
}
