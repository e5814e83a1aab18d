package consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backend.testing.TestDatabase;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code BackendServer.builder()...start()} with no {@code .config(...)}: the environment is the
 * configuration, as for the reference service's jar; LOG_LEVEL and LOG_FORMAT reach logback when the
 * application chose it and are reported as ignored otherwise.
 */
class EnvironmentIsTheConfigurationIT {

    @RegisterExtension
    static final TestDatabase DB = new TestDatabase();

    private static final ObjectMapper JSON = JsonMapper.builder().build();

    @Test
    void portAndDatabaseComeFromTheEnvironmentAndTheStartUpLineSaysSo() throws Exception {
        int port = AppProcess.freePort();
        try (AppProcess app = AppProcess.onClassPath(AppProcess.backend("simple"), Map.of("DATABASE_URL", DB.url(),
                "HOST", "127.0.0.1", "PORT", Integer.toString(port), "MIN_CONNECTIONS", "1", "LOG_LEVEL", "DEBUG"))) {
            String started = app.awaitLine("Listening on");
            assertTrue(started.contains("Listening on http://127.0.0.1:" + port + " "), started);
            assertTrue(started.contains("/" + DB.name() + ", metrics on /metrics, configuration from the environment) in "), started);

            HttpResponse<String> greeting = AppProcess.get(port, "/greetings/1");
            assertEquals(200, greeting.statusCode(), greeting.body());
            assertEquals("Hello from PostgreSQL", JSON.readTree(greeting.body()).get("text").asString());

            List<String> ignored = app.lines().stream().filter(l -> l.contains("LOG_LEVEL=DEBUG ignored")).toList();
            assertEquals(1, ignored.size(), app.output());
            assertTrue(ignored.getFirst().contains("WARN") && ignored.getFirst().contains(
                    "the SLF4J backend is org.slf4j.simple.SimpleLoggerFactory"), ignored.getFirst());
        }
    }

    @Test
    void logFormatJsonTurnsAnApplicationsLogbackIntoOneJsonObjectPerLine() throws Exception {
        int port = AppProcess.freePort();
        try (AppProcess app = AppProcess.onClassPath(AppProcess.backend("logback"), Map.of("DATABASE_URL", DB.url(),
                "HOST", "127.0.0.1", "PORT", Integer.toString(port), "MIN_CONNECTIONS", "1", "LOG_LEVEL", "INFO",
                "LOG_FORMAT", "json"))) {
            String started = app.awaitLine("configuration from the environment");
            JsonNode event = JSON.readTree(started);
            assertEquals("INFO", event.get("level").asString());
            assertEquals("dev.backend.server.BackendServer", event.get("loggerName").asString());
            for (String line : app.lines()) {
                assertTrue(JSON.readTree(line).isObject(), line);
            }
        }
    }

    @Test
    void withoutDatabaseUrlOrTheEmbeddedDatabaseTheStartFailsAtOnceSayingWhatToAddOrSet() throws Exception {
        try (AppProcess app = AppProcess.onClassPath(AppProcess.backend("simple"), Map.of("PORT", "0"))) {
            assertNotEquals(0, app.awaitExit());
            String output = app.output();
            assertTrue(output.contains("DATABASE_URL is not set and no embedded development database is on the class "
                    + "path: set DATABASE_URL, such as postgres://user:password@localhost:5432/app, or, for development, "
                    + "add the dependency dev.backend:backend-embedded-postgres:" + System.getProperty("backend.version")),
                    output);
        }
    }
}
