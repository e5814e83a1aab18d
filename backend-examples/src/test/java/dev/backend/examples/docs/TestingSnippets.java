package dev.backend.examples.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.backend.core.Handler;
import dev.backend.core.testing.TestClient;
import dev.backend.core.testing.TestResponse;
import dev.backend.core.testing.TestServer;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.util.Map;
import java.util.UUID;

/** The snippets of docs/testing.md that are not whole test classes. */
final class TestingSnippets {

    private TestingSnippets() {}

    static void inProcess(Handler app) {
        // tag::test-client[]
        TestClient client = TestClient.of(app);
        TestResponse created = client.post("/api/v1/users", Map.of("email", "a@example.com", "name", "A"));
        assertEquals(201, created.status());
        assertEquals(404, client.get("/api/v1/users/" + UUID.randomUUID()).status());
        // end::test-client[]
    }

    static void overASocket(Handler app) throws Exception {
        // tag::test-server[]
        try (TestServer server = TestServer.start(app)) {
            HttpResponse<String> response = HttpClient.newHttpClient().send(
                    HttpRequest.newBuilder(server.uri("/health")).build(), BodyHandlers.ofString());
            assertEquals(200, response.statusCode());
        }
        // end::test-server[]
    }
}
