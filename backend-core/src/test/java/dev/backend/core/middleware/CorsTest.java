package dev.backend.core.middleware;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backend.core.Handler;
import dev.backend.core.Middleware;
import dev.backend.core.Request;
import dev.backend.core.Response;
import dev.backend.core.Router;
import dev.backend.core.testing.TestClient;
import dev.backend.core.testing.TestResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class CorsTest {

    private static final Handler API = Router.create()
            .get("/users", request -> Response.json(List.of()))
            .post("/users", request -> Response.json(201, request.bodyText()))
            .build();

    private static TestClient client(Cors.Config config) {
        return TestClient.of(Cors.of(config).wrap(API));
    }

    private static Request.Builder preflight(String origin, String method) {
        return Request.builder("OPTIONS", "/users").header("Origin", origin).header("Access-Control-Request-Method", method);
    }

    @Test
    void answersAPreflightFromAnAllowedOriginWith204() {
        TestClient client = client(Cors.Config.origins("https://app.example.com").withMaxAge(Duration.ofHours(1)));

        TestResponse response = client.send(preflight("https://app.example.com", "PUT")
                .header("Access-Control-Request-Headers", "content-type"));

        assertEquals(204, response.status());
        assertEquals("https://app.example.com", response.header("Access-Control-Allow-Origin").orElseThrow());
        assertEquals("GET, HEAD, POST, PUT, PATCH, DELETE", response.header("Access-Control-Allow-Methods").orElseThrow());
        assertEquals("Content-Type, Authorization", response.header("Access-Control-Allow-Headers").orElseThrow());
        assertEquals("3600", response.header("Access-Control-Max-Age").orElseThrow());
        assertEquals("Origin, Access-Control-Request-Method, Access-Control-Request-Headers",
                response.header("Vary").orElseThrow());
        assertTrue(response.header("Access-Control-Allow-Credentials").isEmpty());
    }

    @Test
    void answersAPreflightFromAnotherOriginWithoutCorsHeadersAndWithoutRunningTheApp() {
        AtomicBoolean ran = new AtomicBoolean();
        TestClient client = TestClient.of(Cors.of(Cors.Config.origins("https://app.example.com")).wrap(request -> {
            ran.set(true);
            return Response.noContent();
        }));

        TestResponse response = client.send(preflight("https://evil.example.net", "DELETE"));

        assertEquals(204, response.status());
        assertTrue(response.header("Access-Control-Allow-Origin").isEmpty());
        assertTrue(response.header("Access-Control-Allow-Methods").isEmpty());
        assertTrue(response.header("Vary").orElseThrow().startsWith("Origin"));
        assertTrue(!ran.get());
    }

    @Test
    void addsAllowOriginAndVaryToARequestFromAnAllowedOrigin() {
        TestClient client = client(Cors.Config.origins("https://app.example.com"));

        TestResponse response = client.send(Request.builder("GET", "/users").header("Origin", "https://app.example.com"));

        assertEquals(200, response.status());
        assertEquals("https://app.example.com", response.header("Access-Control-Allow-Origin").orElseThrow());
        assertEquals("X-Request-Id", response.header("Access-Control-Expose-Headers").orElseThrow());
        assertEquals(List.of("Origin"), response.headers("Vary"));
    }

    @Test
    void givesAnotherOriginNoCorsHeadersButStillVaries() {
        TestClient client = client(Cors.Config.origins("https://app.example.com"));

        TestResponse response = client.send(Request.builder("GET", "/users").header("Origin", "https://app.example.com.evil.net"));

        assertEquals(200, response.status());
        assertTrue(response.header("Access-Control-Allow-Origin").isEmpty());
        assertTrue(response.header("Access-Control-Expose-Headers").isEmpty());
        assertEquals(List.of("Origin"), response.headers("Vary"));
    }

    @Test
    void leavesSameOriginRequestsAloneButForVary() {
        TestResponse response = client(Cors.Config.origins("https://app.example.com")).get("/users");

        assertTrue(response.header("Access-Control-Allow-Origin").isEmpty());
        assertEquals(List.of("Origin"), response.headers("Vary"));
    }

    @Test
    void matchesWildcardSubdomainsButNotTheBareDomainOrLookalikes() {
        TestClient client = client(Cors.Config.origins("https://*.example.com"));

        for (String allowed : List.of("https://app.example.com", "https://a.b.example.com")) {
            assertEquals(allowed, client.send(Request.builder("GET", "/users").header("Origin", allowed))
                    .header("Access-Control-Allow-Origin").orElse("none"), allowed);
        }
        for (String refused : List.of("https://example.com", "http://app.example.com", "https://evilexample.com",
                "https://app.example.com.evil.net", "https://x/y.example.com", "https://.example.com")) {
            assertTrue(client.send(Request.builder("GET", "/users").header("Origin", refused))
                    .header("Access-Control-Allow-Origin").isEmpty(), refused);
        }
    }

    @Test
    void matchesAnyPortWithAPortPattern() {
        TestClient client = client(Cors.Config.origins("http://localhost:*"));

        assertTrue(client.send(Request.builder("GET", "/users").header("Origin", "http://localhost:5173"))
                .header("Access-Control-Allow-Origin").isPresent());
        assertTrue(client.send(Request.builder("GET", "/users").header("Origin", "http://localhost:51x"))
                .header("Access-Control-Allow-Origin").isEmpty());
    }

    /** Break test 13: RFC 6454 §6.2 leaves the default port out of Origin, so a configured :443 never matched. */
    @Test
    void anOriginWithItsDefaultPortMatchesWhatBrowsersSend() {
        Cors.Config config = Cors.Config.origins("https://app.example.com:443", "http://x.test:80",
                "https://*.example.org:443", "https://app.example.com:08443", "HTTP://Y.test:0080");
        assertEquals(List.of("https://app.example.com", "http://x.test", "https://*.example.org",
                "https://app.example.com:8443", "http://y.test"), config.origins());
        TestClient client = client(config);

        for (String sent : List.of("https://app.example.com", "http://x.test", "https://a.example.org",
                "https://app.example.com:8443", "http://y.test")) {
            TestResponse response = client.send(preflight(sent, "POST"));
            assertEquals(sent, response.header("Access-Control-Allow-Origin").orElse("none"), sent);
        }
    }

    @Test
    void aRequestOriginWithAnExplicitDefaultPortIsTheSameOrigin() {
        TestClient client = client(Cors.Config.origins("https://app.example.com", "https://*.example.org",
                "http://[::1]"));

        for (String sent : List.of("https://app.example.com:443", "https://a.example.org:443", "http://[::1]:80")) {
            assertEquals(sent, client.send(Request.builder("GET", "/users").header("Origin", sent))
                    .header("Access-Control-Allow-Origin").orElse("none"), sent);
        }
        for (String refused : List.of("https://app.example.com:80", "http://app.example.com:443",
                "https://app.example.com:8443", "http://app.example.com")) {
            assertTrue(client.send(Request.builder("GET", "/users").header("Origin", refused))
                    .header("Access-Control-Allow-Origin").isEmpty(), refused);
        }
    }

    @Test
    void aPortPatternMatchesTheDefaultPortToo() {
        TestClient client = client(Cors.Config.origins("http://localhost:*"));

        assertEquals("http://localhost", client.send(Request.builder("GET", "/users").header("Origin",
                "http://localhost")).header("Access-Control-Allow-Origin").orElse("none"));
        for (String refused : List.of("http://localhost.evil.com", "http://localhos", "https://localhost")) {
            assertTrue(client.send(Request.builder("GET", "/users").header("Origin", refused))
                    .header("Access-Control-Allow-Origin").isEmpty(), refused);
        }
    }

    @Test
    void refusesAWildcardOverAWholeTopLevelDomain() {
        for (String broad : List.of("https://*.com", "http://*.localhost:3000", "https://*.co")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Cors.Config.origins(broad), broad);
            String tld = broad.substring(broad.indexOf("*.") + 1).replace(":3000", "");
            assertEquals("origins: '" + broad + "' allows every site under '" + tld + "': a wildcard must stand for"
                    + " labels under a domain of at least two, such as https://*.example.com; list the origins"
                    + " otherwise", e.getMessage());
        }
        assertEquals(List.of("https://*.example.co"), Cors.Config.origins("https://*.example.co").origins());
    }

    @Test
    void answersStarWithoutVaryForAnyOriginWithoutCredentials() {
        TestResponse response = client(Cors.Config.origins("*"))
                .send(Request.builder("GET", "/users").header("Origin", "https://anyone.example"));

        assertEquals("*", response.header("Access-Control-Allow-Origin").orElseThrow());
        assertTrue(response.header("Vary").isEmpty());
    }

    @Test
    void echoesTheOriginAndAllowsCredentialsWhenConfigured() {
        TestClient client = client(Cors.Config.origins("https://app.example.com").withCredentials(true));

        TestResponse actual = client.send(Request.builder("GET", "/users").header("Origin", "https://app.example.com"));
        TestResponse pre = client.send(preflight("https://app.example.com", "POST"));

        assertEquals("true", actual.header("Access-Control-Allow-Credentials").orElseThrow());
        assertEquals("true", pre.header("Access-Control-Allow-Credentials").orElseThrow());
        assertEquals("https://app.example.com", actual.header("Access-Control-Allow-Origin").orElseThrow());
    }

    @Test
    void echoesTheRequestedHeadersWhenAnyHeaderIsAllowed() {
        TestClient client = client(Cors.Config.origins("https://app.example.com").withHeaders(List.of("*")));

        TestResponse response = client.send(preflight("https://app.example.com", "POST")
                .header("Access-Control-Request-Headers", "x-trace, content-type"));

        assertEquals("x-trace, content-type", response.header("Access-Control-Allow-Headers").orElseThrow());
    }

    @Test
    void passesAnOptionsRequestThatIsNotAPreflightToTheApp() {
        TestResponse response = client(Cors.Config.origins("https://app.example.com"))
                .send(Request.builder("OPTIONS", "/users").header("Origin", "https://app.example.com"));

        assertEquals(405, response.status());
        assertEquals("https://app.example.com", response.header("Access-Control-Allow-Origin").orElseThrow());
    }

    @Test
    void givesErrorsFromInnerLayersCorsHeadersSoBrowsersCanReadThem() {
        Handler app = Middleware.stack(Cors.of(Cors.Config.origins("https://app.example.com")), BodyLimit.of(2)).wrap(API);

        TestResponse response = TestClient.of(app).send(Request.builder("POST", "/users")
                .header("Origin", "https://app.example.com").body("too large"));

        assertEquals(413, response.status());
        assertEquals("https://app.example.com", response.header("Access-Control-Allow-Origin").orElseThrow());
    }

    @Test
    void rejectsCredentialsWithAnyOriginWhenConfigured() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Cors.Config.origins("*").withCredentials(true));

        assertTrue(e.getMessage().startsWith("credentials cannot be allowed for any origin ('*')"), e.getMessage());
    }

    @Test
    void rejectsMalformedOriginsWithAMessageNamingThem() {
        for (String bad : List.of("app.example.com", "https://app.example.com/", "https://app.example.com/api",
                "https://*example.com", "https://app.*.com", "https://*.*.example.com", "https://", "https://a b.com",
                "https://app.example.com:", "https://app.example.com:65536", "https://app.example.com:44x",
                "https://:443", "http://::1", "http://[::1", "http://[::1]x", "http://[]:80", "https://a:1:2",
                "http://a[::1]")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Cors.Config.origins(bad), bad);
            assertTrue(e.getMessage().startsWith("origins: '" + bad.toLowerCase(java.util.Locale.ROOT) + "' is not an origin"),
                    e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> Cors.Config.origins(List.of()));
    }

    @Test
    void rejectsMethodsAndHeadersThatAreNotTokens() {
        assertThrows(IllegalArgumentException.class, () -> Cors.Config.origins("*").withMethods(List.of("GET POST")));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Cors.Config.origins("*").withHeaders(List.of("X:Y")));
        assertTrue(e.getMessage().startsWith("headers:"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Cors.Config.origins("*").withMaxAge(Duration.ofSeconds(-1)));
    }
}
