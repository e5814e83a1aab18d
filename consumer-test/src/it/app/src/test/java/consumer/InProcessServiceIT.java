package consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backend.core.Request;
import dev.backend.core.testing.TestClient;
import dev.backend.core.testing.TestResponse;
import dev.backend.server.Config;
import dev.backend.server.migration.Migrator;
import dev.backend.testing.TestDatabase;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The service tested as its users test it: in process through TestClient, with exactly the stack and limits
 * the server runs, against real PostgreSQL migrated with the application's own migrations, every test
 * starting from the data they left.
 */
class InProcessServiceIT {

    @RegisterExtension
    static final TestDatabase DB = new TestDatabase()
            .withMigrations(dataSource -> Migrator.create(dataSource, App.MIGRATIONS, Config.defaults().migrations())
                    .migrate())
            .withResetBeforeEachTest();

    private static TestClient client() {
        return TestClient.of(App.server().config(Config.defaults()).handler(DB.dataSource()));
    }

    /** Run twice: the second run sees neither the first one's row nor its use of the id sequence. */
    @RepeatedTest(2)
    void everyTestStartsFromTheDataTheMigrationsLeft() {
        TestClient client = client();

        assertEquals("Hello from PostgreSQL", client.get("/greetings/1").json().get("text").asString());
        TestResponse created = client.post("/greetings", Map.of("text", "from a test"));
        assertEquals(201, created.status(), created.text());
        assertEquals(2, created.json().get("id").asLong());
    }

    @Test
    void requestsGoThroughTheServersStandardStackAndAreFramedAsOnTheWire() {
        TestResponse found = client().get("/greetings/1");
        TestResponse missing = client().get("/nowhere");

        assertTrue(found.header("X-Request-Id").isPresent(), "the request id of the Trace layer");
        assertEquals(Optional.of("nosniff"), found.header("X-Content-Type-Options"));
        assertEquals(Optional.of(Integer.toString(found.bodyBytes().length)), found.header("Content-Length"));
        assertEquals(404, missing.status());
        assertEquals(Optional.of("No route for GET /nowhere"), missing.error());
    }

    @Test
    void bodiesAreLimitedAsTheServerLimitsThem() {
        // More than the 2 MiB of a request no middleware limited, less than the server's BODY_LIMIT.
        String large = "x".repeat(3 * 1024 * 1024);
        byte[] tooLarge = new byte[(int) Config.defaults().http().bodyLimit() + 1];

        assertEquals(201, client().post("/greetings", Map.of("text", large)).status());
        assertEquals(413, client().send(Request.builder("POST", "/greetings")
                .header("Content-Type", "application/json").body(tooLarge)).status());
    }

    @Test
    void readinessNamesTheApplicationsFailingCheckWhileLivenessIgnoresIt() {
        TestClient client = TestClient.of(App.server().config(Config.defaults())
                .readinessCheck("payments", Duration.ofMillis(500), () -> {
                    throw new IllegalStateException("payments.internal:8443 refused the connection");
                })
                .handler(DB.dataSource()));

        TestResponse ready = client.get("/health/ready");

        assertEquals(503, ready.status());
        assertEquals("{\"status\":\"DOWN\",\"checks\":[{\"name\":\"server\",\"status\":\"UP\"},{\"name\":\"database\","
                + "\"status\":\"UP\"},{\"name\":\"payments\",\"status\":\"DOWN\"}]}", ready.text());
        assertEquals(200, client.get("/health/live").status());
    }
}
