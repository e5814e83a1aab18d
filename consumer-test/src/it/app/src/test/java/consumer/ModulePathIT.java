package consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backend.testing.TestDatabase;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * The application as a named module ({@code module consumer}, see its module-info.java) on the module path,
 * with backend-server and its dependencies as modules: JSON both ways, the library's JSON errors, its
 * migrations found inside the module jar, and the missing-database message.
 */
class ModulePathIT {

    @RegisterExtension
    static final TestDatabase DB = new TestDatabase();

    private static final ObjectMapper JSON = JsonMapper.builder().build();

    private static AppProcess app;
    private static int port;

    @BeforeAll
    static void start() throws Exception {
        port = AppProcess.freePort();
        // logback on the module path too, so the run's lines are readable when a test fails.
        app = AppProcess.onModulePath(AppProcess.backend("logback"), Map.of("DATABASE_URL", DB.url(), "HOST", "127.0.0.1",
                "PORT", Integer.toString(port), "MIN_CONNECTIONS", "1", "LOG_LEVEL", "INFO"));
        app.awaitLine("configuration from the environment");
    }

    @AfterAll
    static void stop() throws Exception {
        app.close();
    }

    @Test
    void aRouteAnswers200WithTheApplicationsRecordReadFromPostgres() throws Exception {
        HttpResponse<String> response = AppProcess.get(port, "/greetings/1");

        assertEquals(200, response.statusCode(), app.output());
        assertEquals("{\"id\":1,\"text\":\"Hello from PostgreSQL\"}", response.body());
    }

    @Test
    void aJsonBodyIsReadIntoTheApplicationsRecordAndStored() throws Exception {
        HttpResponse<String> created = AppProcess.postJson(port, "/greetings", "{\"text\":\"from a module\"}");

        assertEquals(201, created.statusCode(), created.body());
        long id = JSON.readTree(created.body()).get("id").asLong();
        assertEquals("from a module", JSON.readTree(AppProcess.get(port, "/greetings/" + id).body()).get("text").asString());
    }

    @Test
    void anUnknownPathIsA404WithAJsonError() throws Exception {
        HttpResponse<String> response = AppProcess.get(port, "/nowhere");

        assertEquals(404, response.statusCode());
        assertEquals("application/json", response.headers().firstValue("Content-Type").orElseThrow().split(";")[0]);
        JsonNode body = JSON.readTree(response.body());
        assertEquals("No route for GET /nowhere", body.get("error").asString());
    }

    @Test
    void metricsAreServedWithTheRouteTemplateThePoolAndTheJvm() throws Exception {
        assertEquals(200, AppProcess.get(port, "/greetings/1").statusCode());

        // The JVM meters are bound aside once the server has started: give them a moment on a loaded machine.
        HttpResponse<String> scrape = AppProcess.get(port, "/metrics");
        for (int i = 0; i < 300 && !scrape.body().contains("jvm_threads_virtual_parallelism "); i++) {
            Thread.sleep(100);
            scrape = AppProcess.get(port, "/metrics");
        }

        assertEquals(200, scrape.statusCode(), app.output());
        assertTrue(scrape.body().contains("uri=\"/greetings/{id}\""), scrape.body());
        for (String name : List.of("hikaricp_connections_active{", "jvm_memory_used_bytes{", "process_uptime_seconds ",
                "process_cpu_usage ", "jvm_threads_virtual_parallelism ")) {
            assertTrue(scrape.body().contains(name), name);
        }
    }

    @Test
    void withoutDatabaseUrlOrTheEmbeddedDatabaseTheStartFailsNamingTheDependencyAndItsVersion() throws Exception {
        try (AppProcess withoutDatabase = AppProcess.onModulePath(AppProcess.backend("logback"), Map.of("PORT", "0"))) {
            assertNotEquals(0, withoutDatabase.awaitExit());
            assertTrue(withoutDatabase.output().contains("add the dependency dev.backend:backend-embedded-postgres:"
                    + System.getProperty("backend.version") + " (it starts"), withoutDatabase.output());
        }
    }

    @Test
    void wronglyShapedJsonIsA422WithAJsonError() throws Exception {
        HttpResponse<String> response = AppProcess.postJson(port, "/greetings", "{\"text\":{\"not\":\"a string\"}}");

        assertEquals(422, response.statusCode(), response.body());
        JsonNode body = JSON.readTree(response.body());
        assertEquals(true, body.get("error").isString(), response.body());
    }
}
