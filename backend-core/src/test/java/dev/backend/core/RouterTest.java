package dev.backend.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backend.core.testing.TestClient;
import dev.backend.core.testing.TestResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RouterTest {

    private static Handler echo(String name) {
        return request -> Response.json(Map.of("handler", name, "route", request.route().orElse("")));
    }

    private static String handlerOf(TestResponse response) {
        return response.json().get("handler").asString();
    }

    @Test
    void routesByMethodAndPath() {
        TestClient client = TestClient.of(Router.create()
                .get("/users", echo("list"))
                .post("/users", echo("create"))
                .get("/users/{id}", echo("find"))
                .build());

        assertEquals("list", handlerOf(client.get("/users")));
        assertEquals("create", handlerOf(client.post("/users", Map.of())));
        assertEquals("find", handlerOf(client.get("/users/42")));
    }

    @Test
    void extractsPercentDecodedPathParameters() {
        TestClient client = TestClient.of(Router.create()
                .get("/files/{dir}/{name}", r -> Response.text(r.path("dir") + "|" + r.path("name")))
                .build());

        assertEquals("a b|c/d+e", client.get("/files/a%20b/c%2Fd+e").text());
    }

    @Test
    void exposesTheMatchedRouteTemplate() {
        TestClient client = TestClient.of(Router.create().get("/users/{id}", echo("find")).build());

        assertEquals("/users/{id}", client.get("/users/7").json().get("route").asString());
    }

    @Test
    void returns404JsonForUnknownPath() {
        TestResponse response = TestClient.of(Router.create().get("/users", echo("list")).build()).get("/nope");

        assertEquals(404, response.status());
        assertEquals("application/json", response.header("Content-Type").orElseThrow());
        assertEquals("No route for GET /nope", response.error().orElseThrow());
    }

    @Test
    void returns405WithAllowHeaderForWrongMethod() {
        TestClient client = TestClient.of(Router.create()
                .get("/users", echo("list"))
                .post("/users", echo("create"))
                .build());

        TestResponse response = client.delete("/users");

        assertEquals(405, response.status());
        assertEquals("GET, HEAD, POST", response.header("Allow").orElseThrow());
        assertEquals("Method DELETE is not allowed for /users", response.error().orElseThrow());
    }

    @Test
    void servesHeadWithTheGetHandlerAndNoBody() {
        TestClient client = TestClient.of(Router.create().get("/users", echo("list")).build());

        TestResponse response = client.head("/users");

        assertEquals(200, response.status());
        assertEquals(0, response.bodyBytes().length);
        assertEquals("application/json", response.header("Content-Type").orElseThrow());
    }

    @Test
    void prefersAnExplicitHeadRoute() {
        TestClient client = TestClient.of(Router.create()
                .get("/x", echo("get"))
                .route("HEAD", "/x", r -> Response.noContent())
                .build());

        assertEquals(204, client.head("/x").status());
    }

    @Test
    void literalSegmentsWinOverParameters() {
        TestClient client = TestClient.of(Router.create()
                .get("/users/{id}", echo("find"))
                .get("/users/me", echo("me"))
                .build());

        assertEquals("me", handlerOf(client.get("/users/me")));
        assertEquals("find", handlerOf(client.get("/users/you")));
    }

    @Test
    void backtracksFromADeadEndLiteralToAParameter() {
        TestClient client = TestClient.of(Router.create()
                .get("/users/me/settings", echo("settings"))
                .get("/users/{id}/posts", r -> Response.text(r.path("id")))
                .build());

        assertEquals("me", client.get("/users/me/posts").text());
        assertEquals("settings", handlerOf(client.get("/users/me/settings")));
    }

    @Test
    void parametersDoNotMatchEmptySegments() {
        TestClient client = TestClient.of(Router.create().get("/users/{id}", echo("find")).build());

        assertEquals(404, client.get("/users/").status());
    }

    @Test
    void trailingSlashIsADifferentPath() {
        TestClient client = TestClient.of(Router.create().get("/users", echo("list")).build());

        assertEquals(404, client.get("/users/").status());
    }

    @Test
    void catchAllTakesTheRestOfThePath() {
        TestClient client = TestClient.of(Router.create()
                .get("/static/{*path}", r -> Response.text(r.path("path")))
                .build());

        assertEquals("css/site.css", client.get("/static/css/site.css").text());
        assertEquals(404, client.get("/static/").status());
    }

    @Test
    void nestsARouterUnderAPrefix() {
        Router users = Router.create()
                .get("/", echo("root"))
                .get("/users/{id}", echo("find"));
        TestClient client = TestClient.of(Router.create().nest("/api/v1", users).build());

        assertEquals("find", handlerOf(client.get("/api/v1/users/1")));
        assertEquals("/api/v1/users/{id}", client.get("/api/v1/users/1").json().get("route").asString());
        assertEquals("root", handlerOf(client.get("/api/v1")));
        assertEquals(404, client.get("/users/1").status());
    }

    @Test
    void nestedFallbackAnswersUnknownPathsUnderItsPrefix() {
        Router api = Router.create()
                .get("/users", echo("list"))
                .fallback(r -> Response.text("api fallback"));
        TestClient client = TestClient.of(Router.create()
                .nest("/api", api)
                .fallback(r -> Response.text("root fallback"))
                .build());

        assertEquals("api fallback", client.get("/api/nope").text());
        assertEquals("root fallback", client.get("/elsewhere").text());
    }

    @Test
    void aNestedFallbackWinsOverAnOuterParameterRouteForPathsUnderItsPrefix() {
        Router api = Router.create()
                .get("/users", echo("users"))
                .fallback(r -> Response.text("api fallback"));
        TestClient client = TestClient.of(Router.create()
                .nest("/api", api)
                .get("/{name}/{version}", echo("crate"))
                .get("/{name}", echo("name"))
                .build());

        assertEquals("api fallback", client.get("/api/foo").text());
        assertEquals("api fallback", client.get("/api/foo/bar").text());
        assertEquals("api fallback", client.get("/api").text());
        assertEquals("api fallback", client.get("/api/").text());
        assertEquals("users", handlerOf(client.get("/api/users")));
        assertEquals("crate", handlerOf(client.get("/serde/1.0")));
        assertEquals("name", handlerOf(client.get("/apis")));
    }

    @Test
    void aNestedRouterWithoutAFallbackDoesNotClaimItsPrefix() {
        TestClient client = TestClient.of(Router.create()
                .nest("/api", Router.create().get("/users", echo("users")))
                .get("/{name}/{version}", echo("crate"))
                .build());

        assertEquals("crate", handlerOf(client.get("/api/foo")));
    }

    @Test
    void aMoreSpecificOuterRouteUnderThePrefixStillWinsOverTheNestedFallback() {
        TestClient client = TestClient.of(Router.create()
                .nest("/api", Router.create().get("/users", echo("users")).fallback(r -> Response.text("api fallback")))
                .get("/api/health", echo("health"))
                .get("/api/{version}/status", echo("status"))
                .build());

        assertEquals("health", handlerOf(client.get("/api/health")));
        assertEquals("status", handlerOf(client.get("/api/v2/status")));
        assertEquals("api fallback", client.get("/api/v2/other").text());
    }

    @Test
    void aWrongMethodUnderANestedPrefixIs405NotTheFallback() {
        TestClient client = TestClient.of(Router.create()
                .nest("/api", Router.create().get("/users", echo("users")).fallback(r -> Response.text("api fallback")))
                .build());

        TestResponse response = client.delete("/api/users");

        assertEquals(405, response.status());
        assertEquals("GET, HEAD", response.header("Allow").orElseThrow());
    }

    @Test
    void aNestedRootRouteAnswersThePrefixAndTheFallbackItsTrailingSlash() {
        TestClient client = TestClient.of(Router.create()
                .nest("/api", Router.create().get("/", echo("root")).fallback(r -> Response.text("api fallback")))
                .build());

        assertEquals("root", handlerOf(client.get("/api")));
        assertEquals("api fallback", client.get("/api/").text());
    }

    @Test
    void fallbacksNestTwiceAndUnderParameters() {
        Router inner = Router.create().get("/x", echo("x")).fallback(r -> Response.text("b fallback"));
        Router perUser = Router.create().get("/posts", echo("posts")).fallback(r -> Response.text("user fallback"));
        TestClient client = TestClient.of(Router.create()
                .nest("/a", Router.create().nest("/b", inner))
                .nest("/users/{id}", perUser)
                .fallback(r -> Response.text("root fallback"))
                .build());

        assertEquals("b fallback", client.get("/a/b/y").text());
        assertEquals("root fallback", client.get("/a/c").text());
        assertEquals("user fallback", client.get("/users/7/comments").text());
        assertEquals("posts", handlerOf(client.get("/users/7/posts")));
    }

    @Test
    void mergingReplacesTheFallbackForTheSamePrefixAndKeepsNestedOnes() {
        Router withNested = Router.create()
                .nest("/nested", Router.create().fallback(r -> Response.text("nested fallback")))
                .fallback(r -> Response.text("merged fallback"));
        TestClient client = TestClient.of(Router.create()
                .fallback(r -> Response.text("own fallback"))
                .merge(withNested)
                .build());

        assertEquals("merged fallback", client.get("/other").text());
        assertEquals("nested fallback", client.get("/nested/does-not-exist").text());
    }

    @Test
    void refusesToNestAtTheRoot() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Router.create().nest("/", Router.create()));

        assertEquals("nest at '/' is merge: use merge(router)", e.getMessage());
    }

    @Test
    void mergesRouters() {
        Router a = Router.create().get("/a", echo("a"));
        Router b = Router.create().get("/b", echo("b"));
        TestClient client = TestClient.of(Router.create().merge(a).merge(b).build());

        assertEquals("a", handlerOf(client.get("/a")));
        assertEquals("b", handlerOf(client.get("/b")));
    }

    @Test
    void layerWrapsRoutesAddedBeforeIt() {
        Middleware tag = next -> request -> next.handle(request).withHeader("X-Layer", "yes");
        TestClient client = TestClient.of(Router.create()
                .get("/inner", echo("inner"))
                .layer(tag)
                .get("/outer", echo("outer"))
                .build());

        assertEquals("yes", client.get("/inner").header("X-Layer").orElseThrow());
        assertTrue(client.get("/outer").header("X-Layer").isEmpty());
    }

    @Test
    void rejectsTheSameRouteTwiceNamingBoth() {
        Router router = Router.create()
                .get("/users/{id}", echo("a"))
                .get("/users/{id}", echo("b"));

        IllegalStateException e = assertThrows(IllegalStateException.class, router::build);
        assertEquals("route conflict: GET /users/{id} and GET /users/{id} match the same requests", e.getMessage());
    }

    @Test
    void rejectsDifferentParameterNamesAtTheSamePositionNamingBoth() {
        Router router = Router.create()
                .get("/users/{id}", echo("a"))
                .get("/users/{name}/posts", echo("b"));

        IllegalStateException e = assertThrows(IllegalStateException.class, router::build);
        assertTrue(e.getMessage().contains("/users/{name}/posts"), e.getMessage());
        assertTrue(e.getMessage().contains("/users/{id}"), e.getMessage());
    }

    @Test
    void rejectsConflictsIntroducedByNesting() {
        Router router = Router.create()
                .get("/api/users", echo("a"))
                .nest("/api", Router.create().get("/users", echo("b")));

        assertThrows(IllegalStateException.class, router::build);
    }

    @Test
    void rejectsMalformedTemplates() {
        Router router = Router.create();
        Handler h = echo("x");
        assertThrows(IllegalArgumentException.class, () -> router.get("users", h));
        assertThrows(IllegalArgumentException.class, () -> router.get("/users/{id", h));
        assertThrows(IllegalArgumentException.class, () -> router.get("/users/{}", h));
        assertThrows(IllegalArgumentException.class, () -> router.get("/users/x{id}", h));
        assertThrows(IllegalArgumentException.class, () -> router.get("/a/{id}/b/{id}", h));
        assertThrows(IllegalArgumentException.class, () -> router.get("/a/{*rest}/b", h));
        assertThrows(IllegalArgumentException.class, () -> router.route("get", "/a", h));
    }

    @Test
    void turnsHandlerFailuresIntoResponsesSoMiddlewareSeesAResponse() throws Exception {
        Handler app = Router.create()
                .get("/thrown", r -> {
                    throw AppError.conflict("taken").toException();
                })
                .get("/returned", r -> AppError.conflict("taken").toResponse())
                .get("/bug", r -> {
                    throw new IllegalStateException("boom");
                })
                .build();

        assertEquals(409, app.handle(Request.builder("GET", "/thrown").build()).status());
        assertEquals(500, app.handle(Request.builder("GET", "/bug").build()).status());
        TestClient client = TestClient.of(app);
        assertEquals(client.get("/returned").text(), client.get("/thrown").text());
    }
}
