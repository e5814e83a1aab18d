package dev.backend.core.middleware;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backend.core.Handler;
import dev.backend.core.Request;
import dev.backend.core.Response;
import dev.backend.core.testing.TestClient;
import dev.backend.core.testing.TestResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SecurityHeadersTest {

    private static final Handler JSON = request -> Response.json(Map.of("a", 1));
    private static final Handler TEXT = request -> Response.text("hi");

    @Test
    void sendsAllThreeOnJsonByDefault() {
        TestResponse response = TestClient.of(SecurityHeaders.create().wrap(JSON)).get("/");

        assertEquals("nosniff", response.header("X-Content-Type-Options").orElseThrow());
        assertEquals("no-referrer", response.header("Referrer-Policy").orElseThrow());
        assertEquals("no-store", response.header("Cache-Control").orElseThrow());
    }

    @Test
    void leavesCachingOfNonJsonToTheHandler() {
        TestResponse response = TestClient.of(SecurityHeaders.create().wrap(TEXT)).get("/");

        assertEquals("nosniff", response.header("X-Content-Type-Options").orElseThrow());
        assertTrue(response.header("Cache-Control").isEmpty());
    }

    @Test
    void coversJsonErrorsAndVendorJsonTypes() {
        TestClient errors = TestClient.of(SecurityHeaders.create().wrap(dev.backend.core.Router.create().build()));
        TestClient problem = TestClient.of(SecurityHeaders.create().wrap(
                request -> Response.bytes(400, "application/problem+json; charset=utf-8", new byte[] {'{', '}'})));

        assertEquals("no-store", errors.get("/missing").header("Cache-Control").orElseThrow());
        assertEquals("no-store", problem.get("/").header("Cache-Control").orElseThrow());
    }

    @Test
    void neverReplacesAHeaderTheHandlerSet() {
        Handler cached = request -> Response.json(Map.of("a", 1))
                .withHeader("Cache-Control", "max-age=60")
                .withHeader("Referrer-Policy", "same-origin");

        TestResponse response = TestClient.of(SecurityHeaders.create().wrap(cached)).get("/");

        assertEquals(List.of("max-age=60"), response.headers("Cache-Control"));
        assertEquals(List.of("same-origin"), response.headers("Referrer-Policy"));
    }

    @Test
    void addsTheMissingOnesAfterTheHandlersOwnInTheirOrder() throws Exception {
        Handler referring = request -> Response.json(Map.of("a", 1)).withHeader("Referrer-Policy", "same-origin");

        Response response = SecurityHeaders.create().wrap(referring).handle(Request.builder("GET", "/").build());

        List<String> lines = new ArrayList<>();
        response.forEachHeader((name, value) -> lines.add(name + ": " + value));
        assertEquals(List.of("Content-Type: application/json", "Referrer-Policy: same-origin",
                "X-Content-Type-Options: nosniff", "Cache-Control: no-store"), lines);
    }

    @Test
    void eachHeaderCanBeTurnedOff() {
        SecurityHeaders.Config config = SecurityHeaders.Config.defaults()
                .withNoSniff(false).withReferrerPolicy(Optional.empty()).withNoStoreJson(false);

        TestResponse response = TestClient.of(SecurityHeaders.of(config).wrap(JSON)).get("/");

        assertTrue(config.isNone());
        assertTrue(response.header("X-Content-Type-Options").isEmpty());
        assertTrue(response.header("Referrer-Policy").isEmpty());
        assertTrue(response.header("Cache-Control").isEmpty());
    }

    @Test
    void rejectsAnUnknownReferrerPolicy() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SecurityHeaders.Config.defaults().withReferrerPolicy(Optional.of("never")));

        assertTrue(e.getMessage().startsWith("referrerPolicy must be one of no-referrer,"), e.getMessage());
    }
}
