package dev.backend.reference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MainTest {

    @TempDir
    Path temp;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(Map<String, String> environment, String... args) throws InterruptedException {
        return Main.run(args, environment, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void exitsWith2AndTheMessageOnABadPortBeforeStartingAnything() throws InterruptedException {
        Path data = temp.resolve("postgres");
        assertEquals(2, run(Map.of("PORT", "http", "EMBEDDED_DATABASE_DIR", data.toString())));
        assertEquals("Invalid configuration: PORT=http is not valid: expected an integer from 0 to 65535\n",
                err.toString(StandardCharsets.UTF_8));
        assertFalse(Files.exists(data), "no embedded PostgreSQL was started");
        assertEquals("", out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void listsEveryProblemAtOnce() throws InterruptedException {
        assertEquals(2, run(Map.of("PORT", "-1", "LOG_LEVEL", "loud", "BODY_LIMIT", "99999999999GB")));
        assertEquals("""
                Invalid configuration:
                  - PORT=-1 is not valid: expected an integer from 0 to 65535
                  - BODY_LIMIT=99999999999GB is not valid: it is larger than the largest size, 8589934591GB; expected a size of at least 1 byte, such as 512KB, 10MB or 1GB, or a number of bytes
                  - LOG_LEVEL=loud is not valid: expected one of TRACE, DEBUG, INFO, WARN, ERROR
                """, err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void exitsWith2OnAnUnknownCommand() throws InterruptedException {
        assertEquals(2, run(Map.of(), "serv"));
        assertEquals("Usage: java -jar reference-service.jar [serve | migrate | info | validate]\n",
                err.toString(StandardCharsets.UTF_8));
    }
}
