package dev.backend.examples.notes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backend.core.Json;
import dev.backend.server.BackendServer;
import dev.backend.server.Config;
import dev.backend.testing.TestDatabase;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

/** The notes service as its users see it: started with its own migrations on a real PostgreSQL. */
class NotesServiceTest {

    @RegisterExtension
    static final TestDatabase DB = new TestDatabase();

    private static BackendServer server;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() {
        server = NotesService.builder(Config.fromEnvironment(Map.of(
                "DATABASE_URL", DB.url(), "HOST", "127.0.0.1", "PORT", "0",
                "MIN_CONNECTIONS", "1", "MAX_CONNECTIONS", "4"))).start();
    }

    @AfterAll
    static void stop() {
        server.stop();
    }

    @Test
    void createsReadsListsAndDeletesANote() throws Exception {
        HttpResponse<String> created = send(HttpRequest.newBuilder(uri("/api/notes"))
                .header("Content-Type", "application/json")
                .POST(BodyPublishers.ofString("{\"title\":\" Groceries \",\"body\":\"milk; eggs\"}")));
        assertEquals(201, created.statusCode(), created.body());
        String location = created.headers().firstValue("Location").orElseThrow();
        JsonNode note = Json.mapper().readTree(created.body());
        assertEquals("/api/notes/" + note.get("id").asString(), location, "where the note lives, under the nesting");

        note = Json.mapper().readTree(send(HttpRequest.newBuilder(uri(location))).body());
        assertEquals("Groceries", note.get("title").asString());
        assertEquals("milk; eggs", note.get("body").asString());
        assertEquals(1, Json.mapper().readTree(send(HttpRequest.newBuilder(uri("/api/notes"))).body()).size());

        assertEquals(204, send(HttpRequest.newBuilder(uri(location)).DELETE()).statusCode());
        assertEquals(404, send(HttpRequest.newBuilder(uri(location))).statusCode());
    }

    @Test
    void rejectsAnEmptyTitleWith400() throws Exception {
        HttpResponse<String> response = send(HttpRequest.newBuilder(uri("/api/notes"))
                .header("Content-Type", "application/json")
                .POST(BodyPublishers.ofString("{\"title\":\"  \",\"body\":\"\"}")));

        assertEquals(400, response.statusCode());
        assertTrue(response.body().contains("title must be 1 to 200 characters"), response.body());
    }

    @Test
    void servesTheServersHealthRoutesBesideItsOwn() throws Exception {
        assertEquals(200, send(HttpRequest.newBuilder(uri("/health"))).statusCode());
    }

    private static URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.port() + path);
    }

    private static HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return HTTP.send(request.build(), BodyHandlers.ofString());
    }
}
