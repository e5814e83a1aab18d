package dev.backend.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class EnvTest {

    @Test
    void parsesDurationsWithEveryUnitCaseAndSpacing() {
        assertEquals(Optional.of(Duration.ofMillis(500)), Env.parseDuration("500ms"));
        assertEquals(Optional.of(Duration.ofSeconds(3)), Env.parseDuration(" 3s "));
        assertEquals(Optional.of(Duration.ofSeconds(3)), Env.parseDuration("3 S"));
        assertEquals(Optional.of(Duration.ofMinutes(10)), Env.parseDuration("10m"));
        assertEquals(Optional.of(Duration.ofMinutes(10)), Env.parseDuration("10min"));
        assertEquals(Optional.of(Duration.ofHours(1)), Env.parseDuration("1h"));
        assertEquals(Optional.of(Duration.ZERO), Env.parseDuration("0"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "s", "3", "-3s", "+3s", "1.5s", "3x", "3 s s", "10 minutes", "999999999999999999h",
            "9999999999999999999999s", "٣s"})
    void rejectsMalformedDurations(String value) {
        assertEquals(Optional.empty(), Env.parseDuration(value));
    }

    @Test
    void parsesBinarySizes() {
        assertEquals(Optional.of(512L), Env.parseSize("512"));
        assertEquals(Optional.of(512L), Env.parseSize("512B"));
        assertEquals(Optional.of(512L * 1024), Env.parseSize("512kb"));
        assertEquals(Optional.of(10L << 20), Env.parseSize(" 10 MB "));
        assertEquals(Optional.of(10L << 20), Env.parseSize("10MiB"));
        assertEquals(Optional.of(1L << 30), Env.parseSize("1G"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "MB", "-1MB", "1.5MB", "10TB", "10 M B", "99999999999GB", "9999999999999999999",
            "8589934592GB"})
    void rejectsMalformedOrOverflowingSizes(String value) {
        assertEquals(Optional.empty(), Env.parseSize(value));
    }

    @Test
    void reportsAnOverflowingSizeNamingVariableValueAndRange() {
        Env env = new Env(Map.of("BODY_LIMIT", "99999999999GB"));
        assertEquals(10L << 20, env.size("BODY_LIMIT", 10L << 20));
        ConfigException e = assertThrows(ConfigException.class, env::throwIfProblems);
        assertEquals("BODY_LIMIT=99999999999GB is not valid: it is larger than the largest size, 8589934591GB; "
                + "expected a size of at least 1 byte, such as 512KB, 10MB or 1GB, or a number of bytes",
                e.problems().getFirst());
    }

    /** "At least 0 bytes" alone would hide what is wrong with {@code 1TB}: its unit. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "1TB | the unit TB is not one of B, KB, MB and GB",
        "1.5MB | it is not a whole number",
        "-1MB | it does not start with a whole number",
        "9999999999999999999 | it is larger than the largest size, 8589934591GB"
    })
    void aSizeThatCannotBeReadSaysWhyBeforeTheRange(String value, String why) {
        Env env = new Env(Map.of("MIN_REQUEST_BODY_RATE", value));
        env.size("MIN_REQUEST_BODY_RATE", 1024, 0, Long.MAX_VALUE);
        ConfigException e = assertThrows(ConfigException.class, env::throwIfProblems);
        assertEquals("MIN_REQUEST_BODY_RATE=" + value + " is not valid: " + why + "; expected a size of at least "
                + "0 bytes, such as 512KB, 10MB or 1GB, or a number of bytes", e.problems().getFirst());
    }

    @Test
    void reportsDurationsOutsideTheirRange() {
        Env env = new Env(Map.of("A", "100ms", "B", "25h", "C", "0", "D", "0"));
        env.duration("A", Duration.ofSeconds(3), Duration.ofMillis(250), false);
        env.duration("B", Duration.ofSeconds(3));
        env.duration("C", Duration.ofSeconds(3));
        assertEquals(Duration.ZERO, env.duration("D", Duration.ofMinutes(10), Duration.ofSeconds(10), true));
        ConfigException e = assertThrows(ConfigException.class, env::throwIfProblems);
        assertEquals(3, e.problems().size());
        assertEquals("A=100ms is not valid: expected a duration from 250ms to 24h, such as 500ms, 3s, 10m or 1h",
                e.problems().get(0));
        assertEquals("B=25h is not valid: expected a duration from 1ms to 24h, such as 500ms, 3s, 10m or 1h",
                e.problems().get(1));
        assertTrue(e.problems().get(2).startsWith("C=0 is not valid"));
    }

    @Test
    void quotesAValueOnOneLineAndAtMostAHundredCharacters() {
        Env env = new Env(Map.of("PORT", "80\n80", "IDLE_TIMEOUT", "1s\r\u2028\u0000x",
                "MAX_CONNECTIONS", "9".repeat(3000)));
        env.integer("PORT", 8080, 0, 65535);
        env.duration("IDLE_TIMEOUT", Duration.ofSeconds(3));
        env.integer("MAX_CONNECTIONS", 20, 1, 1000);
        ConfigException e = assertThrows(ConfigException.class, env::throwIfProblems);

        assertTrue(e.problems().get(0).startsWith("PORT=80\\n80 is not valid: "), e.problems().get(0));
        assertTrue(e.problems().get(1).startsWith("IDLE_TIMEOUT=1s\\r\\u2028\\u0000x is not valid: "),
                e.problems().get(1));
        assertTrue(e.problems().get(2).startsWith("MAX_CONNECTIONS=" + "9".repeat(100) + "... (3000 characters) is not "
                + "valid: "), e.problems().get(2));
        e.problems().forEach(problem -> assertFalse(problem.contains("\n") || problem.contains("\r"), problem));
    }

    /** Integer.parseInt takes all of these: a sign, and the digits of every script (PORT=-0 is a random port). */
    @ParameterizedTest
    @ValueSource(strings = {"+8080", "-0", "\uFF18\uFF10\uFF18\uFF10", "\u0668\u0660\u0668\u0660", "+0"})
    void takesIntegersInAsciiDigitsAloneSayingSoWhenTheNotationIsTheFault(String value) {
        Env env = new Env(Map.of("PORT", value));
        assertEquals(8080, env.integer("PORT", 8080, 0, 65535));
        ConfigException e = assertThrows(ConfigException.class, env::throwIfProblems);
        assertEquals(List.of("PORT=" + value + " is not valid: write it in the digits 0 to 9 alone, without a sign; "
                + "expected an integer from 0 to 65535"), e.problems());
    }

    @ParameterizedTest
    @ValueSource(strings = {"0x1F90", "8080.0", "8 080", "-1", "65536", "99999999999999999999"})
    void refusesOtherIntegersNamingTheRangeAlone(String value) {
        Env env = new Env(Map.of("PORT", value));
        env.integer("PORT", 8080, 0, 65535);
        ConfigException e = assertThrows(ConfigException.class, env::throwIfProblems);
        assertEquals(List.of("PORT=" + value + " is not valid: expected an integer from 0 to 65535"), e.problems());
    }

    @Test
    void readsIntegersWithLeadingZerosAsDurationsAndSizesDo() {
        Env env = new Env(Map.of("PORT", "08080", "METRICS_PORT", "0"));
        assertEquals(8080, env.integer("PORT", 1, 0, 65535));
        assertEquals(0, env.integer("METRICS_PORT", 1, 0, 65535));
        env.throwIfProblems();
    }

    @Test
    void treatsBlankValuesAsUnsetAndTrimsTheRest() {
        Env env = new Env(Map.of("PORT", "   ", "HOST", " 127.0.0.1\t"));
        assertEquals(8080, env.integer("PORT", 8080, 0, 65535));
        assertEquals(Optional.of("127.0.0.1"), env.string("HOST"));
        env.throwIfProblems();
    }

    @Test
    void acceptsChoicesInAnyCaseAndReturnsTheCanonicalSpelling() {
        Env env = new Env(Map.of("LOG_FORMAT", "JSON"));
        assertEquals("json", env.choice("LOG_FORMAT", "text", java.util.List.of("text", "json")));
    }

    @Test
    void formatsDurationsAndSizesForMessages() {
        assertEquals("250ms", Env.human(Duration.ofMillis(250)));
        assertEquals("10s", Env.human(Duration.ofSeconds(10)));
        assertEquals("30m", Env.human(Duration.ofMinutes(30)));
        assertEquals("24h", Env.human(Duration.ofHours(24)));
        assertEquals("16KB", Env.humanSize(16 << 10));
        assertEquals("1 byte", Env.humanSize(1));
        assertEquals("1000 bytes", Env.humanSize(1000));
    }
}
