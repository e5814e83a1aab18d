package dev.backend.examples.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.backend.core.Router;
import dev.backend.core.testing.TestClient;
import dev.backend.core.testing.TestResponse;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The handlers, routes and attributes docs/pipeline.md shows do what the page says they do. */
class PipelineSnippetsTest {

    private final TestClient client = TestClient.of(UsersExample.app());

    @Test
    void aCreatedUserIsFoundAtItsLocation() {
        TestResponse created = client.post("/api/v1/users", Map.of("email", "ada@example.com", "name", "Ada"));

        assertEquals(201, created.status());
        TestResponse found = client.get(created.header("Location").orElseThrow());
        assertEquals(200, found.status());
        assertEquals("ada@example.com", found.json().get("email").asString());
    }

    @Test
    void extractionFailuresAreTheClientsErrors() {
        assertEquals(400, client.get("/api/v1/users/not-a-uuid").status());
        assertEquals(422, client.post("/api/v1/users", Map.of("email", "ada@example.com")).status());
        assertEquals(404, client.get("/api/v1/users/00000000-0000-0000-0000-000000000000").status());
        assertEquals(Optional.of("No route for GET /nowhere"), client.get("/nowhere").error());
    }

    @Test
    void theHandlerReadsTheAttributeTheMiddlewareSet() {
        TestClient greeted = TestClient.of(PipelineSnippets.identify()
                .wrap(Router.create().get("/hello", PipelineSnippets::hello).build()));

        assertEquals("Hello, alice", greeted.get("/hello").json().get("message").asString());
    }
}
