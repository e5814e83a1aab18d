package dev.backend.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backend.core.Handler;
import dev.backend.core.Request;
import dev.backend.core.Response;
import dev.backend.core.Router;
import dev.backend.core.middleware.Cors;
import dev.backend.core.testing.TestClient;
import dev.backend.core.testing.TestResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The standard stack as BackendServer builds it from the environment: order, defaults, switches. */
class StandardMiddlewareTest {

    private static final String ORIGIN = "https://app.example.com";
    private static final String BIG = "{\"text\":\"" + "lorem ipsum ".repeat(200) + "\"}";

    private static final CountDownLatch RELEASE = new CountDownLatch(1);

    private static Router routes(CountDownLatch entered) {
        return Router.create()
                .get("/big", request -> Response.bytes(200, "application/json", BIG.getBytes()))
                .post("/echo", request -> Response.text(request.bodyText()))
                .get("/slow", request -> {
                    Thread.sleep(60_000);
                    return Response.noContent();
                })
                .get("/hold", request -> {
                    entered.countDown();
                    RELEASE.await();
                    return Response.noContent();
                });
    }

    private static TestClient client(Map<String, String> env) {
        return client(env, new CountDownLatch(1));
    }

    private static TestClient client(Map<String, String> env, CountDownLatch entered) {
        Config.Http http = Config.fromEnvironment(env).http();
        Handler app = StandardMiddleware.from(http).wrap(routes(entered).build());
        return TestClient.of(app);
    }

    private static Request.Builder fromOrigin(String method, String target) {
        return Request.builder(method, target).header("Origin", ORIGIN).header("Accept-Encoding", "gzip");
    }

    @Test
    void byDefaultTracesSecuresAndCompressesButHasNoCors() {
        TestResponse response = client(Map.of()).send(fromOrigin("GET", "/big"));

        assertTrue(response.header("X-Request-Id").isPresent());
        assertEquals("nosniff", response.header("X-Content-Type-Options").orElseThrow());
        assertEquals("no-referrer", response.header("Referrer-Policy").orElseThrow());
        assertEquals("no-store", response.header("Cache-Control").orElseThrow());
        assertEquals("gzip", response.header("Content-Encoding").orElseThrow());
        assertTrue(response.header("Access-Control-Allow-Origin").isEmpty());
    }

    @Test
    void givesTheRejectionsOfInnerLayersTheCorsTraceAndSecurityHeaders() {
        TestClient client = client(Map.of("CORS_ORIGINS", ORIGIN, "BODY_LIMIT", "16", "REQUEST_TIMEOUT", "100ms"));

        TestResponse tooLarge = client.send(fromOrigin("POST", "/echo").body("x".repeat(17)));
        TestResponse timedOut = client.send(fromOrigin("GET", "/slow"));

        for (TestResponse response : List.of(tooLarge, timedOut)) {
            assertEquals(ORIGIN, response.header("Access-Control-Allow-Origin").orElseThrow());
            assertTrue(response.header("X-Request-Id").isPresent());
            assertEquals("nosniff", response.header("X-Content-Type-Options").orElseThrow());
        }
        assertEquals(413, tooLarge.status());
        assertEquals(503, timedOut.status());
        assertEquals("1", timedOut.header("Retry-After").orElseThrow());
        assertEquals("Request timed out after 100ms", timedOut.error().orElseThrow());
    }

    @Test
    void answersTimeoutsWithTheConfiguredStatus() {
        TestClient client = client(Map.of("REQUEST_TIMEOUT", "100ms", "REQUEST_TIMEOUT_STATUS", "504"));

        TestResponse timedOut = client.get("/slow");

        assertEquals(504, timedOut.status());
        assertTrue(timedOut.header("Retry-After").isEmpty());
        assertEquals("Request timed out after 100ms", timedOut.error().orElseThrow());
    }

    @Test
    void shedsLoadPastMaxInFlightWithCorsHeaders() throws Exception {
        CountDownLatch entered = new CountDownLatch(2);
        TestClient client = client(Map.of("CORS_ORIGINS", ORIGIN, "MAX_IN_FLIGHT", "2"), entered);
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<TestResponse> first = threads.submit(() -> client.get("/hold"));
            Future<TestResponse> second = threads.submit(() -> client.get("/hold"));
            assertTrue(entered.await(10, TimeUnit.SECONDS));

            TestResponse shed = client.send(fromOrigin("GET", "/big"));

            assertEquals(503, shed.status());
            assertEquals("1", shed.header("Retry-After").orElseThrow());
            assertEquals(ORIGIN, shed.header("Access-Control-Allow-Origin").orElseThrow());
            RELEASE.countDown();
            assertEquals(204, first.get().status());
            assertEquals(204, second.get().status());
        }
    }

    @Test
    void answersPreflightsFromTheConfiguredOrigins() {
        TestClient client = client(Map.of("CORS_ORIGINS", ORIGIN + ", https://*.example.org", "CORS_CREDENTIALS", "true",
                "CORS_METHODS", "GET,POST", "CORS_MAX_AGE", "1h"));

        TestResponse preflight = client.send(Request.builder("OPTIONS", "/echo")
                .header("Origin", "https://admin.example.org").header("Access-Control-Request-Method", "POST"));

        assertEquals(204, preflight.status());
        assertEquals("https://admin.example.org", preflight.header("Access-Control-Allow-Origin").orElseThrow());
        assertEquals("GET, POST", preflight.header("Access-Control-Allow-Methods").orElseThrow());
        assertEquals("3600", preflight.header("Access-Control-Max-Age").orElseThrow());
        assertEquals("true", preflight.header("Access-Control-Allow-Credentials").orElseThrow());
    }

    @Test
    void eachOptionalLayerCanBeTurnedOff() {
        TestResponse response = client(Map.of("COMPRESSION", "false", "SECURITY_HEADERS", "none"))
                .send(fromOrigin("GET", "/big"));

        assertTrue(response.header("Content-Encoding").isEmpty());
        assertTrue(response.header("X-Content-Type-Options").isEmpty());
        assertTrue(response.header("Cache-Control").isEmpty());
        assertTrue(response.header("X-Request-Id").isPresent());
    }

    @Test
    void readsEverySettingFromTheEnvironment() {
        Map<String, String> env = new HashMap<>();
        env.put("CORS_ORIGINS", "https://a.example.com,http://localhost:*");
        env.put("CORS_HEADERS", "*");
        env.put("CORS_EXPOSE_HEADERS", "X-Request-Id,Link");
        env.put("REQUEST_ID_HEADER", "X-Correlation-Id");
        env.put("ACCESS_LOG", "false");
        env.put("COMPRESSION_MIN_SIZE", "4KB");
        env.put("SECURITY_HEADERS", "nosniff,referrer-policy");
        env.put("REFERRER_POLICY", "strict-origin-when-cross-origin");

        Config.Http http = Config.fromEnvironment(env).http();

        Cors.Config cors = http.cors().orElseThrow();
        assertEquals(List.of("https://a.example.com", "http://localhost:*"), cors.origins());
        assertEquals(List.of("*"), cors.headers());
        assertEquals(List.of("X-Request-Id", "Link"), cors.exposedHeaders());
        assertEquals(Duration.ofMinutes(10), cors.maxAge());
        assertEquals("X-Correlation-Id", http.trace().header());
        assertEquals(false, http.trace().accessLog());
        assertEquals(4096, http.compression().orElseThrow().minSize());
        assertEquals(Optional.of("strict-origin-when-cross-origin"), http.securityHeaders().referrerPolicy());
        assertEquals(false, http.securityHeaders().noStoreJson());
    }

    @Test
    void rejectsBadMiddlewareSettingsNamingTheVariables() {
        ConfigException e = assertThrows(ConfigException.class, () -> Config.fromEnvironment(Map.of(
                "CORS_ORIGINS", "*", "CORS_CREDENTIALS", "true",
                "SECURITY_HEADERS", "nosniff,csp",
                "REFERRER_POLICY", "never",
                "REQUEST_ID_HEADER", "X Request")));

        String message = e.getMessage();
        assertTrue(message.contains("CORS_* is not valid: credentials cannot be allowed for any origin ('*')"), message);
        assertTrue(message.contains("SECURITY_HEADERS=nosniff,csp is not valid"), message);
        assertTrue(message.contains("REFERRER_POLICY=never is not valid"), message);
        assertTrue(message.contains("REQUEST_ID_HEADER is not valid"), message);
    }

    @Test
    void normalisesADefaultPortAndRefusesAWildcardOverATopLevelDomainNamingCorsOrigins() {
        Config.Http http = Config.fromEnvironment(Map.of("CORS_ORIGINS", "https://app.example.com:443")).http();
        assertEquals(List.of("https://app.example.com"), http.cors().orElseThrow().origins());

        ConfigException e = assertThrows(ConfigException.class, () -> Config.fromEnvironment(Map.of(
                "CORS_ORIGINS", "https://app.example.com,https://*.com", "CORS_CREDENTIALS", "true")));
        assertEquals(List.of("CORS_ORIGINS is not valid: origins: 'https://*.com' allows every site under '.com': a "
                + "wildcard must stand for labels under a domain of at least two, such as https://*.example.com; list "
                + "the origins otherwise"), e.problems());
    }

    @Test
    void refusesARequestIdHeaderWhoseMeaningHttpDefinesNamingTheVariable() {
        for (String header : List.of("Content-Type", "Location", "Set-Cookie", "Date")) {
            ConfigException e = assertThrows(ConfigException.class,
                    () -> Config.fromEnvironment(Map.of("REQUEST_ID_HEADER", header)));

            assertTrue(e.getMessage().contains("REQUEST_ID_HEADER is not valid: header: '" + header
                    + "' cannot carry the request id: "), e.getMessage());
        }
    }

    @Test
    void rejectsAMalformedOriginAndCorsSettingsWithoutOrigins() {
        ConfigException malformed = assertThrows(ConfigException.class,
                () -> Config.fromEnvironment(Map.of("CORS_ORIGINS", "https://app.example.com/")));
        ConfigException orphan = assertThrows(ConfigException.class,
                () -> Config.fromEnvironment(Map.of("CORS_CREDENTIALS", "true")));

        assertTrue(malformed.getMessage().contains("'https://app.example.com/' is not an origin"), malformed.getMessage());
        assertTrue(orphan.getMessage().contains("CORS_ORIGINS is empty, so CORS is off"), orphan.getMessage());
    }
}
