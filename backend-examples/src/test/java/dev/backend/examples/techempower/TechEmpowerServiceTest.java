package dev.backend.examples.techempower;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backend.core.Json;
import dev.backend.server.BackendServer;
import dev.backend.server.Config;
import dev.backend.testing.TestDatabase;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

/** The benchmark endpoints checked the way the TechEmpower verifier checks them. */
class TechEmpowerServiceTest {

    @RegisterExtension
    static final TestDatabase DB = new TestDatabase();

    private static BackendServer server;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() {
        server = TechEmpowerService.builder(Config.fromEnvironment(Map.of(
                "DATABASE_URL", DB.url(), "HOST", "127.0.0.1", "PORT", "0",
                "MIN_CONNECTIONS", "1", "MAX_CONNECTIONS", "4"))).start();
    }

    @AfterAll
    static void stop() {
        server.stop();
    }

    @Test
    void jsonAndPlaintextAnswerTheFixedMessages() throws Exception {
        HttpResponse<String> json = get("/json");
        HttpResponse<String> text = get("/plaintext");

        assertEquals("{\"message\":\"Hello, World!\"}", json.body());
        assertEquals("application/json", json.headers().firstValue("Content-Type").orElseThrow());
        assertEquals("Hello, World!", text.body());
        assertEquals("text/plain", text.headers().firstValue("Content-Type").orElseThrow());
        assertEquals("backend", json.headers().firstValue("Server").orElseThrow());
        assertTrue(json.headers().firstValue("Date").isPresent(), "the rules ask for a Date header");
    }

    @Test
    void dbAnswersOneWorldInRange() throws Exception {
        JsonNode world = Json.mapper().readTree(get("/db").body());

        assertWorld(world);
    }

    @Test
    void queriesClampsTheCountTo1Through500() throws Exception {
        assertEquals(1, Json.mapper().readTree(get("/queries?queries=foo").body()).size());
        assertEquals(1, Json.mapper().readTree(get("/queries?queries=0").body()).size());
        assertEquals(1, Json.mapper().readTree(get("/queries").body()).size());
        JsonNode twenty = Json.mapper().readTree(get("/queries?queries=20").body());
        assertEquals(20, twenty.size());
        twenty.forEach(TechEmpowerServiceTest::assertWorld);
        assertEquals(500, Json.mapper().readTree(get("/queries?queries=501").body()).size());
    }

    @Test
    void fortunesAddsOneSortsAndEscapes() throws Exception {
        HttpResponse<String> response = get("/fortunes");
        String html = response.body();

        assertEquals("text/html; charset=utf-8", response.headers().firstValue("Content-Type").orElseThrow());
        assertEquals(13, html.split("<tr><td>", -1).length - 1);
        assertTrue(html.contains("<tr><td>0</td><td>Additional fortune added at request time.</td></tr>"));
        assertTrue(html.contains("&lt;script&gt;alert(&quot;This should not be displayed in a browser alert box.&quot;);&lt;/script&gt;"));
        assertTrue(html.contains("フレームワークのベンチマーク"));
        assertTrue(html.indexOf("<td>11</td>") < html.indexOf("<td>4</td>"), "'<script>' sorts before 'A bad'");
        assertTrue(html.indexOf("<td>4</td>") < html.indexOf("<td>0</td>"), "'A bad' sorts before 'Additional'");
        assertTrue(html.indexOf("Feature") < html.indexOf("フレームワーク"));
    }

    private static void assertWorld(JsonNode world) {
        int id = world.get("id").asInt();
        int random = world.get("randomNumber").asInt();
        assertTrue(id >= 1 && id <= 10_000, world.toString());
        assertTrue(random >= 1 && random <= 10_000, world.toString());
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).build(),
                BodyHandlers.ofString());
    }
}
