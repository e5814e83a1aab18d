package dev.backend.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backend.core.testing.TestClient;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Typed request attributes: how middleware hands values to route middleware and handlers. */
class RequestAttributesTest {

    record Principal(String name, List<String> roles) {}

    private static final Request.Key<Principal> PRINCIPAL = Request.Key.of("principal");
    private static final Request.Key<String> TENANT = Request.Key.of("tenant");

    @Test
    void middlewareHandsATypedValueToTheHandler() {
        Middleware authenticate = Middleware.before(r -> r.withAttribute(PRINCIPAL,
                new Principal(r.header("X-User").orElse("anonymous"), List.of("reader"))));
        Handler app = authenticate.wrap(Router.create()
                .get("/me", r -> {
                    Principal principal = r.attribute(PRINCIPAL).orElseThrow();
                    return Response.text(principal.name() + " " + principal.roles());
                })
                .build());

        assertEquals("ada [reader]", TestClient.of(app).send(Request.builder("GET", "/me").header("X-User", "ada")).text());
    }

    @Test
    void routeMiddlewareSeesPathParametersAndPassesValuesOn() {
        Middleware tenant = next -> r -> next.handle(r.withAttribute(TENANT, "tenant-" + r.path("org")));
        Handler app = Router.create()
                .get("/orgs/{org}/name", r -> Response.text(r.attribute(TENANT).orElseThrow() + " via " + r.route().orElseThrow()))
                .layer(tenant)
                .build();

        assertEquals("tenant-acme via /orgs/{org}/name", TestClient.of(app).get("/orgs/acme/name").text());
    }

    @Test
    void anAbsentAttributeIsEmpty() {
        assertEquals(Optional.empty(), Request.builder("GET", "/").build().attribute(TENANT));
    }

    @Test
    void keysAreIdentitiesNotNames() {
        Request.Key<String> other = Request.Key.of("tenant");
        Request request = Request.builder("GET", "/").build().withAttribute(TENANT, "a");

        assertEquals(Optional.empty(), request.attribute(other));
        assertEquals("a", request.withAttribute(other, "b").attribute(TENANT).orElseThrow());
        assertEquals("Request.Key[tenant]", other.toString());
    }

    @Test
    void aCopyCarriesTheValueAndTheOriginalIsUnchanged() {
        Request original = Request.builder("GET", "/").build();
        Request first = original.withAttribute(TENANT, "a");
        Request replaced = first.withAttribute(TENANT, "b").withAttribute(PRINCIPAL, new Principal("p", List.of()));

        assertEquals(Optional.empty(), original.attribute(TENANT));
        assertEquals("a", first.attribute(TENANT).orElseThrow());
        assertEquals("b", replaced.attribute(TENANT).orElseThrow());
        assertEquals("p", replaced.attribute(PRINCIPAL).orElseThrow().name());
        assertEquals("b", replaced.withBodyLimit(10).attribute(TENANT).orElseThrow(), "other copies keep them");
    }

    @Test
    void copiesShareOneBody() throws Exception {
        Request original = Request.builder("POST", "/").body("hello").build();
        Request copy = original.withAttribute(TENANT, "a");

        assertEquals("hello", copy.bodyText());
        assertArrayEquals("hello".getBytes(), original.bodyBytes(), "the original sees what the copy read");

        Request streamed = Request.builder("POST", "/").body("hello").build();
        Request streamedCopy = streamed.withAttribute(TENANT, "a");
        try (var in = streamedCopy.bodyStream()) {
            assertEquals("hello", new String(in.readAllBytes()));
        }
        assertThrows(IllegalStateException.class, streamed::bodyBytes, "a stream is taken once, by any copy");
    }

    @Test
    void middlewareOutsideTheRouterReadsTheRouteThroughTheCopyItPassedOn() throws Exception {
        Handler router = Router.create().get("/users/{id}", r -> Response.text(r.path("id"))).build();
        Handler app = Middleware.before(r -> r.withAttribute(TENANT, "a").withBodyLimit(10)).wrap(router);
        Request outer = Request.builder("GET", "/users/42").build();

        assertEquals(Optional.empty(), outer.route());
        app.handle(outer);

        assertEquals(Optional.of("/users/{id}"), outer.route());
        assertEquals("42", outer.path("id"));
    }

    @Test
    void refusesNullValuesNamingTheKey() {
        Request request = Request.builder("GET", "/").build();

        NullPointerException e = assertThrows(NullPointerException.class, () -> request.withAttribute(TENANT, null));
        assertTrue(e.getMessage().contains("'tenant'"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Request.Key.of(" "));
    }
}
