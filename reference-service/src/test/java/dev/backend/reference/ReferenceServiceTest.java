package dev.backend.reference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backend.core.Json;
import dev.backend.server.BackendServer;
import dev.backend.server.Config;
import dev.backend.server.migration.Migrator;
import dev.backend.testing.TestDatabase;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublisher;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

/**
 * The users API as a client sees it: the reference service started as {@code Main} starts it, on a real
 * socket, against a real PostgreSQL, with its migrations applied and every test starting from their data.
 */
class ReferenceServiceTest {

    /** Migrated once; each test starts without users, whatever the one before created. */
    @RegisterExtension
    static final TestDatabase DB = new TestDatabase()
            .withMigrations(dataSource -> Migrator.create(dataSource, Main.MIGRATIONS, Config.defaults().migrations())
                    .migrate())
            .withResetBeforeEachTest();

    private static final long BODY_LIMIT = 64 * 1024;

    private static BackendServer server;
    private static HttpClient http;

    @BeforeAll
    static void start() {
        Config config = Config.fromEnvironment(Map.of(
                "DATABASE_URL", DB.url(),
                "HOST", "127.0.0.1",
                "PORT", "0",
                "MAX_CONNECTIONS", "10",
                "MIN_CONNECTIONS", "1",
                "BODY_LIMIT", BODY_LIMIT / 1024 + "KB"));
        server = Main.referenceService().config(config).start();
        http = HttpClient.newHttpClient();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.stop();
        }
        if (http != null) {
            http.close();
        }
    }

    // ---- create ----

    @Test
    void createsUserWith201LocationAndRfc3339Timestamp() throws Exception {
        HttpResponse<String> response = postJson("/api/v1/users", "{\"email\":\"ada@example.com\",\"name\":\"Ada\"}");

        assertEquals(201, response.statusCode(), response.body());
        JsonNode user = Json.mapper().readTree(response.body());
        UUID id = UUID.fromString(user.get("id").asString());
        assertEquals("ada@example.com", user.get("email").asString());
        assertEquals("Ada", user.get("name").asString());
        OffsetDateTime.parse(user.get("created_at").asString());
        assertEquals("/api/v1/users/" + id, response.headers().firstValue("Location").orElseThrow());
        assertEquals(200, get("/api/v1/users/" + id).statusCode());
    }

    @Test
    void storesTrimmedValuesAndComparesEmailsIgnoringCase() throws Exception {
        JsonNode user = Json.mapper().readTree(postJson("/api/v1/users",
                "{\"email\":\"  Ada@Example.COM \",\"name\":\"\\tAda \"}").body());
        assertEquals("Ada@Example.COM", user.get("email").asString());
        assertEquals("Ada", user.get("name").asString());

        HttpResponse<String> duplicate = postJson("/api/v1/users", "{\"email\":\"ada@example.com\",\"name\":\"Other\"}");

        assertEquals(409, duplicate.statusCode());
        assertEquals("A user with email ada@example.com already exists", error(duplicate));
    }

    @Test
    void rejectsABodyWithoutJsonContentTypeWith415() throws Exception {
        HttpResponse<String> response = send(HttpRequest.newBuilder(uri("/api/v1/users"))
                .header("Content-Type", "text/plain")
                .POST(BodyPublishers.ofString("{\"email\":\"a@b.co\",\"name\":\"A\"}")));

        assertEquals(415, response.statusCode());
        assertEquals("Expected request with `Content-Type: application/json`", error(response));
        assertEquals(0, rowCount());
    }

    @Test
    void rejectsMalformedJsonWith400() throws Exception {
        HttpResponse<String> response = postJson("/api/v1/users", "{\"email\":\"a@b.co\",");

        assertEquals(400, response.statusCode());
        assertTrue(error(response).startsWith("Malformed JSON"), error(response));
    }

    @Test
    void rejectsWrongJsonTypesAndMissingFieldsWith422() throws Exception {
        HttpResponse<String> wrongType = postJson("/api/v1/users", "{\"email\":5,\"name\":\"A\"}");
        HttpResponse<String> missing = postJson("/api/v1/users", "{\"email\":\"a@b.co\"}");

        assertEquals(422, wrongType.statusCode());
        assertEquals("Invalid JSON field 'email': expected a string", error(wrongType));
        assertEquals(422, missing.statusCode());
        assertEquals("Invalid JSON field 'name': required, must not be missing or null", error(missing));
    }

    @Test
    void rejectsInvalidValuesWith400NamingTheField() throws Exception {
        assertEquals("email must be an address like name@example.com",
                error(postJson("/api/v1/users", "{\"email\":\"not-an-address\",\"name\":\"A\"}")));
        assertEquals("email is required", error(postJson("/api/v1/users", "{\"email\":\"  \",\"name\":\"A\"}")));
        assertEquals("email must be at most 254 characters", error(postJson("/api/v1/users",
                "{\"email\":\"" + "a".repeat(250) + "@b.co\",\"name\":\"A\"}")));
        assertEquals("name must be at most 200 characters", error(postJson("/api/v1/users",
                "{\"email\":\"a@b.co\",\"name\":\"" + "n".repeat(201) + "\"}")));
        HttpResponse<String> blankName = postJson("/api/v1/users", "{\"email\":\"a@b.co\",\"name\":\"\"}");
        assertEquals(400, blankName.statusCode());
        assertEquals("name is required", error(blankName));
        assertEquals(0, rowCount());
    }

    @Test
    void rejectsBodiesOverTheLimitWith413WhetherDeclaredOrChunked() throws Exception {
        String big = "{\"email\":\"a@b.co\",\"name\":\"" + "n".repeat((int) BODY_LIMIT) + "\"}";

        HttpResponse<String> declared = postJson("/api/v1/users", big);
        HttpResponse<String> chunked = send(HttpRequest.newBuilder(uri("/api/v1/users"))
                .header("Content-Type", "application/json")
                .POST(BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(big.getBytes()))));

        assertEquals(413, declared.statusCode());
        assertEquals(413, chunked.statusCode());
        assertTrue(error(chunked).contains("limit of " + BODY_LIMIT + " bytes"), error(chunked));
        assertEquals(0, rowCount());
    }

    @Test
    void storesSqlInjectionShapedInputVerbatim() throws Exception {
        String name = "Robert'); DROP TABLE users;-- \\\" $$ %s";
        String email = "o'brien+1@example.com";
        HttpResponse<String> created = postJson("/api/v1/users",
                Json.mapper().writeValueAsString(Map.of("email", email, "name", name)));
        assertEquals(201, created.statusCode(), created.body());

        JsonNode user = Json.mapper().readTree(get(created.headers().firstValue("Location").orElseThrow()).body());

        assertEquals(name, user.get("name").asString());
        assertEquals(email, user.get("email").asString());
        assertEquals(1, rowCount());
    }

    // ---- find ----

    @Test
    void answers404NamingTheIdOfAnUnknownUser() throws Exception {
        UUID id = UUID.randomUUID();
        HttpResponse<String> response = get("/api/v1/users/" + id);

        assertEquals(404, response.statusCode());
        assertEquals("User " + id + " not found", error(response));
    }

    @Test
    void answers400ForAMalformedId() throws Exception {
        HttpResponse<String> response = get("/api/v1/users/not-a-uuid");

        assertEquals(400, response.statusCode());
        assertEquals("Invalid path parameter 'id': expected a UUID", error(response));
    }

    // ---- list ----

    @Test
    void listsNewestFirstAcrossPagesLinkedByCursor() throws Exception {
        List<String> created = new ArrayList<>();
        for (int i = 0; i < 7; i++) {
            created.add(createUser("user" + i + "@example.com"));
        }

        List<String> seen = new ArrayList<>();
        String next = "/api/v1/users?limit=3";
        int pages = 0;
        while (next != null) {
            HttpResponse<String> page = get(next);
            assertEquals(200, page.statusCode(), page.body());
            for (JsonNode user : Json.mapper().readTree(page.body())) {
                seen.add(user.get("id").asString());
            }
            next = nextLink(page);
            pages++;
        }

        assertEquals(3, pages);
        assertEquals(created.reversed(), seen);
    }

    @Test
    void listsAtMost50ByDefaultAndNoLinkOnTheLastPage() throws Exception {
        createUser("only@example.com");
        HttpResponse<String> page = get("/api/v1/users");

        assertEquals(200, page.statusCode());
        assertEquals(1, Json.mapper().readTree(page.body()).size());
        assertTrue(page.headers().firstValue("Link").isEmpty());
    }

    @Test
    void rejectsBadLimitAndCursorWith400() throws Exception {
        for (String query : List.of("limit=0", "limit=201", "limit=abc", "limit=-1", "cursor=garbage")) {
            HttpResponse<String> response = get("/api/v1/users?" + query);
            assertEquals(400, response.statusCode(), query);
            assertTrue(error(response).startsWith("Invalid query parameter"), error(response));
        }
        assertEquals(200, get("/api/v1/users?limit=200").statusCode());
    }

    @Test
    void paginationMissesNoRowAndRepeatsNoneWhileRowsAreInserted() throws Exception {
        // Rows created at the same instant make ties on created_at: the id breaks them.
        try (Connection connection = DB.connect(); Statement statement = connection.createStatement()) {
            statement.execute("INSERT INTO users (id, email, name, created_at) SELECT gen_random_uuid(), "
                    + "'bulk' || i || '@example.com', 'Bulk', now() - (i / 10) * interval '1 second' "
                    + "FROM generate_series(1, 300) i");
        }
        Set<String> before = ids("SELECT id FROM users");
        AtomicBoolean paging = new AtomicBoolean(true);
        ExecutorService writers = Executors.newVirtualThreadPerTaskExecutor();
        Future<Integer> inserted = writers.submit(() -> {
            int n = 0;
            while (paging.get()) {
                createUser("live" + n++ + "@example.com");
            }
            return n;
        });

        List<String> seen = new ArrayList<>();
        String next = "/api/v1/users?limit=17";
        while (next != null) {
            HttpResponse<String> page = get(next);
            assertEquals(200, page.statusCode(), page.body());
            for (JsonNode user : Json.mapper().readTree(page.body())) {
                seen.add(user.get("id").asString());
            }
            next = nextLink(page);
        }
        paging.set(false);
        assertTrue(inserted.get() > 0);
        writers.close();

        assertEquals(seen.size(), new HashSet<>(seen).size(), "a row was repeated");
        assertTrue(seen.containsAll(before), "a row that existed before paging was missed");
    }

    // ---- replace and delete ----

    @Test
    void replacesEmailAndName() throws Exception {
        String id = createUser("old@example.com");

        HttpResponse<String> response = send(HttpRequest.newBuilder(uri("/api/v1/users/" + id))
                .header("Content-Type", "application/json")
                .PUT(BodyPublishers.ofString("{\"email\":\" new@example.com\",\"name\":\"New\"}")));

        assertEquals(200, response.statusCode(), response.body());
        JsonNode user = Json.mapper().readTree(get("/api/v1/users/" + id).body());
        assertEquals("new@example.com", user.get("email").asString());
        assertEquals("New", user.get("name").asString());
    }

    @Test
    void replaceAnswers404And409And400LikeCreate() throws Exception {
        String id = createUser("one@example.com");
        createUser("two@example.com");

        assertEquals(404, put("/api/v1/users/" + UUID.randomUUID(), "{\"email\":\"x@example.com\",\"name\":\"X\"}")
                .statusCode());
        assertEquals(409, put("/api/v1/users/" + id, "{\"email\":\"TWO@example.com\",\"name\":\"X\"}").statusCode());
        assertEquals(400, put("/api/v1/users/" + id, "{\"email\":\"nope\",\"name\":\"X\"}").statusCode());
        assertEquals(400, put("/api/v1/users/bad-id", "{\"email\":\"x@example.com\",\"name\":\"X\"}").statusCode());
        assertEquals(200, put("/api/v1/users/" + id, "{\"email\":\"ONE@example.com\",\"name\":\"Same\"}").statusCode());
    }

    @Test
    void deletesWith204ThenAnswers404() throws Exception {
        String id = createUser("gone@example.com");

        assertEquals(204, delete("/api/v1/users/" + id).statusCode());
        assertEquals(404, delete("/api/v1/users/" + id).statusCode());
        assertEquals(404, get("/api/v1/users/" + id).statusCode());
    }

    @Test
    void answers405WithAllowForAnUnroutedMethod() throws Exception {
        HttpResponse<String> response = send(HttpRequest.newBuilder(uri("/api/v1/users"))
                .method("PATCH", BodyPublishers.noBody()));

        assertEquals(405, response.statusCode());
        assertEquals("GET, HEAD, POST", response.headers().firstValue("Allow").orElseThrow());
    }

    // ---- concurrency ----

    @Test
    void fiftyParallelCreatesOfOneEmailMakeExactlyOneUser() throws Exception {
        int clients = 50;
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Integer>> statuses = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < clients; i++) {
                int n = i;
                statuses.add(pool.submit(() -> {
                    go.await();
                    return postJson("/api/v1/users", "{\"email\":\"Same@Example.com\",\"name\":\"N" + n + "\"}")
                            .statusCode();
                }));
            }
            go.countDown();
        }
        List<Integer> codes = new ArrayList<>();
        for (Future<Integer> status : statuses) {
            codes.add(status.get());
        }

        assertEquals(1, codes.stream().filter(c -> c == 201).count(), codes.toString());
        assertEquals(clients - 1, codes.stream().filter(c -> c == 409).count(), codes.toString());
        assertEquals(1, rowCount());
    }

    // ---- helpers ----

    private static final Pattern NEXT = Pattern.compile("<([^>]+)>; rel=\"next\"");

    private static String nextLink(HttpResponse<String> page) {
        return page.headers().firstValue("Link").map(link -> {
            Matcher m = NEXT.matcher(link);
            assertTrue(m.matches(), link);
            return m.group(1);
        }).orElse(null);
    }

    private static String createUser(String email) throws IOException, InterruptedException {
        HttpResponse<String> response = postJson("/api/v1/users", "{\"email\":\"" + email + "\",\"name\":\"N\"}");
        assertEquals(201, response.statusCode(), response.body());
        String id = Json.mapper().readTree(response.body()).get("id").asString();
        assertNotEquals("", id);
        return id;
    }

    private static URI uri(String target) {
        return URI.create("http://127.0.0.1:" + server.port() + target);
    }

    private static HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        return http.send(request.build(), BodyHandlers.ofString());
    }

    private static HttpResponse<String> get(String target) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(uri(target)));
    }

    private static HttpResponse<String> delete(String target) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(uri(target)).DELETE());
    }

    private static HttpResponse<String> postJson(String target, String json) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(uri(target)).header("Content-Type", "application/json")
                .POST(BodyPublishers.ofString(json)));
    }

    private static HttpResponse<String> put(String target, String json) throws IOException, InterruptedException {
        BodyPublisher body = BodyPublishers.ofString(json);
        return send(HttpRequest.newBuilder(uri(target)).header("Content-Type", "application/json").PUT(body));
    }

    private static String error(HttpResponse<String> response) {
        assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("application/json"));
        JsonNode error = Json.mapper().readTree(response.body()).get("error");
        assertFalse(error == null, response.body());
        return error.asString();
    }

    private static long rowCount() throws Exception {
        return ids("SELECT id FROM users").size();
    }

    private static Set<String> ids(String sql) throws Exception {
        Set<String> ids = new HashSet<>();
        try (Connection connection = DB.connect(); Statement statement = connection.createStatement();
                ResultSet rs = statement.executeQuery(sql)) {
            while (rs.next()) {
                ids.add(rs.getString(1));
            }
        }
        return ids;
    }
}
