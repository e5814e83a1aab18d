package dev.backend.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import dev.backend.core.Response;
import dev.backend.core.Router;
import dev.backend.core.middleware.Trace;
import dev.backend.testing.TestDatabase;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each failure PostgreSQL can be made to produce, provoked for real, and the answer and the one log line it
 * gets (AppError.from has the table). States no test can provoke on a shared server are pinned in
 * backend-core's AppErrorTest.
 */
class DatabaseFailuresTest {

    @RegisterExtension
    static final TestDatabase DB = new TestDatabase();

    /** What a handler might run with the client's value {@code v}, passed on unchecked. */
    private static final Map<String, String> VALUE_SQL = Map.ofEntries(
            Map.entry("name", "INSERT INTO things (id, name) VALUES ((SELECT max(id) + 1 FROM things), ?)"),
            Map.entry("doc", "SELECT ?::jsonb"),
            Map.entry("int", "SELECT ?::int"),
            Map.entry("uuid", "SELECT ?::uuid"),
            Map.entry("date", "SELECT ?::date"),
            Map.entry("thing-id", "INSERT INTO things (id, name) VALUES (?::int, 'dup')"),
            Map.entry("part-of", "INSERT INTO parts VALUES (2, ?::int)"),
            Map.entry("delete-thing", "DELETE FROM things WHERE id = ?::int"),
            Map.entry("optional-name", "INSERT INTO things (id, name) VALUES (200, NULLIF(?, ''))"),
            Map.entry("booking", "INSERT INTO bookings VALUES (1, ?::int4range)"),
            Map.entry("note", "INSERT INTO notes VALUES (?)"));

    private final HttpClient client = HttpClient.newHttpClient();
    private final CountDownLatch routeLocked = new CountDownLatch(1);
    private final CountDownLatch testMoved = new CountDownLatch(1);
    private BackendServer server;
    private final AtomicReference<Connection> leaked = new AtomicReference<>();

    @BeforeAll
    static void createTables() throws SQLException {
        try (Connection connection = DB.connect(); Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE things (id int PRIMARY KEY, name varchar(5) NOT NULL CHECK (name <> 'bad'))");
            statement.execute("CREATE TABLE parts (id int PRIMARY KEY, thing int REFERENCES things ON DELETE RESTRICT)");
            statement.execute("CREATE TABLE bookings (room int, during int4range, EXCLUDE USING gist (during WITH &&))");
            statement.execute("CREATE TABLE accounts (id int PRIMARY KEY, n int NOT NULL)");
            statement.execute("CREATE TABLE notes (body text UNIQUE)");
            statement.execute("INSERT INTO things VALUES (1, 'one')");
            statement.execute("INSERT INTO parts VALUES (1, 1)");
            statement.execute("INSERT INTO bookings VALUES (1, '[1,10)')");
            statement.execute("INSERT INTO accounts VALUES (1, 0), (2, 0), (3, 0), (4, 0)");
        }
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    static Stream<Arguments> valuesTheDatabaseRefuses() {
        return Stream.of(
                Arguments.of("name", "a\u0000b", 400, "A text value contains a character that cannot be stored, such as U+0000", "22021"),
                Arguments.of("doc", "{\"a\": \"\\u0000\"}", 400, "A text value contains a character that cannot be stored, such as U+0000", "22P05"),
                Arguments.of("name", "toolong", 400, "A value is longer than allowed", "22001"),
                Arguments.of("int", "99999999999", 400, "A number is out of the allowed range", "22003"),
                Arguments.of("uuid", "not-a-uuid", 400, "A value does not have the expected format", "22P02"),
                Arguments.of("date", "not-a-date", 400, "A date or time is not valid", "22007"),
                Arguments.of("date", "2024-13-45", 400, "A date or time is not valid", "22008"),
                Arguments.of("name", "bad", 400, "A value is outside what is allowed", "23514"),
                Arguments.of("optional-name", "", 400, "A required value is missing", "23502"),
                // Incompressible, so its index entry is over btree's 2704-byte limit.
                Arguments.of("note", incompressible(4000), 400, "A value is too large to store", "54000"),
                Arguments.of("thing-id", "1", 409, "The request conflicts with existing data", "23505"),
                Arguments.of("booking", "[5,6)", 409, "The request conflicts with existing data", "23P01"),
                Arguments.of("part-of", "999", 409,
                        "The request refers to data that does not exist, or that other data still refers to", "23503"),
                Arguments.of("delete-thing", "1", 409,
                        "The request refers to data that does not exist, or that other data still refers to", "23001"));
    }

    @ParameterizedTest
    @MethodSource("valuesTheDatabaseRefuses")
    void answersAValueTheDatabaseRefusesAsTheClientsErrorWithOneLineAndNoTrace(String use, String value, int status,
            String message, String state) throws Exception {
        start(Map.of());
        try (LogCapture log = LogCapture.all()) {
            HttpResponse<String> response = post("/value/" + use + "?v=" + URLEncoder.encode(value, StandardCharsets.UTF_8));

            assertEquals(status, response.statusCode());
            assertEquals("{\"error\":\"" + message + "\"}", response.body());
            assertEquals(1, log.linesAtInfo().size(), log.linesAtInfo().toString());
            assertTrue(log.linesAtInfo().getFirst().startsWith("INFO dev.backend.core.AppError Database refused a value, "
                    + "answered " + status + ": " + state + " ERROR: "), log.linesAtInfo().getFirst());
            assertEquals(0, log.traces());
        }
    }

    @Test
    void answersAJsonbValueNestedPastTheDatabasesStackWith400() throws Exception {
        start(Map.of());
        try (LogCapture log = LogCapture.all()) {
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(uri("/body/doc"))
                    .POST(HttpRequest.BodyPublishers.ofString("[".repeat(200_000))).build(), BodyHandlers.ofString());

            assertEquals(400, response.statusCode());
            assertEquals("{\"error\":\"A value is too complex for the database\"}", response.body());
            assertTrue(log.linesAtInfo().getFirst().startsWith("INFO dev.backend.core.AppError Database refused a value, "
                    + "answered 400: 54001 ERROR: "), log.linesAtInfo().toString());
            assertEquals(0, log.traces());
        }
    }

    private static String incompressible(int length) {
        Random random = new Random(54000);
        StringBuilder value = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            value.append((char) ('a' + random.nextInt(26)));
        }
        return value.toString();
    }

    @Test
    void answersU0000InAJsonBodyWith400() throws Exception {
        start(Map.of());

        HttpResponse<String> response = client.send(HttpRequest.newBuilder(uri("/json-name"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\": \"a\\u0000\"}")).build(), BodyHandlers.ofString());

        assertEquals(400, response.statusCode());
        assertEquals("{\"error\":\"A text value contains a character that cannot be stored, such as U+0000\"}",
                response.body());
    }

    @Test
    void answersATerminatedConnectionWith503AndReplacesItQuietly() throws Exception {
        start(Map.of("MAX_CONNECTIONS", "1", "MIN_CONNECTIONS", "1"));
        try (LogCapture log = LogCapture.all()) {
            CompletableFuture<HttpResponse<String>> sleeping = postAsync("/sleep");
            int pid = awaitActive("SELECT pg_sleep(30)");
            execute("SELECT pg_terminate_backend(" + pid + ")");

            assertUnavailable(sleeping.get(30, TimeUnit.SECONDS), "5");
            assertEquals(200, post("/one").statusCode(), "the pool opened a new connection");
            assertEquals(List.of("WARN dev.backend.core.AppError Database unavailable, answered 503: 57P01 FATAL: "
                    + "terminating connection due to administrator command"), log.linesAtInfo());
            assertEquals(0, log.traces(), "HikariCP logs no stack trace for the broken connection");
        }
    }

    @Test
    void answersALostNetworkWith503AndRecoversWhenItIsBack() throws Exception {
        try (TcpProxy proxy = proxyToTheDatabase()) {
            start(Map.of("DATABASE_URL", urlThrough(proxy), "MAX_CONNECTIONS", "1", "MIN_CONNECTIONS", "1",
                    "ACQUIRE_TIMEOUT", "1s"));
            try (LogCapture log = LogCapture.all()) {
                CompletableFuture<HttpResponse<String>> sleeping = postAsync("/sleep");
                int pid = awaitActive("SELECT pg_sleep(30)");

                proxy.cut();

                HttpResponse<String> cutOff = sleeping.get(30, TimeUnit.SECONDS);
                assertUnavailable(cutOff, "5");
                HttpResponse<String> whileDown = post("/one");
                assertUnavailable(whileDown, "5");
                proxy.restore();
                awaitTrue(() -> status("/one") == 200, "the server to use the database again");
                execute("SELECT pg_cancel_backend(" + pid + ")");

                List<String> lines = log.linesAtInfo();
                assertEquals("WARN dev.backend.core.AppError Database unavailable, answered 503: 08006 An I/O error "
                        + "occurred while sending to the backend.", lines.getFirst());
                assertEquals(0, log.traces(), lines.toString());
            }
        }
    }

    @Test
    void recoversOnceADatabaseThatAcceptedConnectionsButNeverAnsweredIsBack() throws Exception {
        try (TcpProxy proxy = proxyToTheDatabase()) {
            start(Map.of("DATABASE_URL", urlThrough(proxy), "MAX_CONNECTIONS", "1", "MIN_CONNECTIONS", "1",
                    "ACQUIRE_TIMEOUT", "1s"));
            int before = proxy.accepted();
            proxy.blackhole();

            // The pooled connection fails its check; the one the pool opens instead is never answered.
            assertEquals(503, post("/one").statusCode());
            awaitTrue(() -> proxy.accepted() > before, "the pool to try a new connection");
            proxy.restore();

            awaitTrue(() -> status("/one") == 200, "the pool to connect again once the database answers");
        }
    }

    /**
     * HikariCP checks a connection idle for more than 500 ms before lending it, and that check waited for its own
     * timeout, HikariCP's validationTimeout (5 s by default), even when it began near the end of ACQUIRE_TIMEOUT:
     * on a silent database an acquire answered 5.1 s after it began, with ACQUIRE_TIMEOUT at 3 s.
     */
    @Test
    void anAcquireOnASilentDatabaseAnswersWithinTheAcquireTimeoutAndTheChecksBound() throws Exception {
        try (TcpProxy proxy = proxyToTheDatabase()) {
            start(Map.of("DATABASE_URL", urlThrough(proxy), "MAX_CONNECTIONS", "2", "MIN_CONNECTIONS", "2",
                    "ACQUIRE_TIMEOUT", "3s", "REQUEST_TIMEOUT", "30s"));
            HikariPoolMXBean pool = server.dataSource().unwrap(HikariDataSource.class).getHikariPoolMXBean();
            awaitTrue(() -> pool.getIdleConnections() == 2, "both connections to be open");
            Thread.sleep(700); // idle past HikariCP's 500 ms: each is checked before it is lent
            proxy.blackhole();

            long begin = System.nanoTime();
            HttpResponse<String> response = post("/one");
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begin);
            assertEquals(503, response.statusCode());
            assertTrue(millis < 3_000 + ConnectionPool.CHECK_TIMEOUT.toMillis() + 300,
                    "answered after " + millis + " ms");
        }
    }

    @Test
    void aStatementWhoseConnectionWentSilentGivesItsConnectionBack() throws Exception {
        try (TcpProxy proxy = proxyToTheDatabase()) {
            start(Map.of("DATABASE_URL", urlThrough(proxy), "MAX_CONNECTIONS", "1", "MIN_CONNECTIONS", "1",
                    "ACQUIRE_TIMEOUT", "1s", "REQUEST_TIMEOUT", "1s"));
            CompletableFuture<HttpResponse<String>> sleeping = postAsync("/sleep");
            int pid = awaitActive("SELECT pg_sleep(30)");
            proxy.blackhole();

            // The request's deadline answers; its cancel cannot get through, so the statement's read waits on.
            assertEquals(503, sleeping.get(30, TimeUnit.SECONDS).statusCode());
            proxy.restore();
            execute("SELECT pg_cancel_backend(" + pid + ")");

            awaitTrue(() -> status("/one") == 200, "the silent connection to be given up and replaced");
        }
    }

    /**
     * The deadline's cancel opens a connection of its own to the silent server, and pgJDBC holds the cancelled
     * statement until that cancel gives up (ACQUIRE_TIMEOUT): the answer came 11 s after the deadline here.
     */
    @Test
    void answersAtTheDeadlineWhileTheDatabaseIsSilentAndTheProbesWithinTheirBounds() throws Exception {
        try (TcpProxy proxy = proxyToTheDatabase()) {
            start(Map.of("DATABASE_URL", urlThrough(proxy), "MAX_CONNECTIONS", "1", "MIN_CONNECTIONS", "1",
                    "ACQUIRE_TIMEOUT", "10s", "REQUEST_TIMEOUT", "1s"));
            assertEquals(200, get("/health/live").statusCode()); // the client's own start is not the server's time
            long begin = System.nanoTime();
            CompletableFuture<HttpResponse<String>> sleeping = postAsync("/sleep");
            int pid = awaitActive("SELECT pg_sleep(30)");
            proxy.blackhole();

            assertEquals(503, sleeping.get(30, TimeUnit.SECONDS).statusCode());
            assertTrue(millisSince(begin) < 1_000 + 1_000 + 800, "answered after " + millisSince(begin) + " ms");
            begin = System.nanoTime();
            assertEquals(503, post("/one").statusCode(), "waiting for a connection to the silent server");
            assertTrue(millisSince(begin) < 1_000 + 800, "answered after " + millisSince(begin) + " ms");
            begin = System.nanoTime();
            assertEquals(200, get("/health/live").statusCode());
            assertTrue(millisSince(begin) < 500, "liveness answered after " + millisSince(begin) + " ms");
            begin = System.nanoTime();
            assertEquals(503, get("/health/ready").statusCode());
            assertTrue(millisSince(begin) < 2_000 + 600, "readiness answered after " + millisSince(begin) + " ms");
            proxy.restore();
            execute("SELECT pg_cancel_backend(" + pid + ")");
        }
    }

    /**
     * The stop's cancel, like the deadline's, waited for the silent server: ACQUIRE_TIMEOUT per connection. So did
     * the pool's close, for the replacement of the broken connection that HikariCP was opening.
     */
    @Test
    void aStopCutsOffARequestWhoseDatabaseWentSilentWithoutWaitingForItsCancel() throws Exception {
        try (TcpProxy proxy = proxyToTheDatabase()) {
            start(Map.of("DATABASE_URL", urlThrough(proxy), "MAX_CONNECTIONS", "1", "MIN_CONNECTIONS", "1",
                    "ACQUIRE_TIMEOUT", "3s", "SHUTDOWN_TIMEOUT", "200ms"));
            CompletableFuture<HttpResponse<String>> sleeping = postAsync("/sleep");
            int pid = awaitActive("SELECT pg_sleep(30)");
            proxy.blackhole();
            long begin = System.nanoTime();

            server.stop();

            long millis = millisSince(begin);
            assertTrue(millis < 200 + 1_000 + 1_000 + 800, "stopped after " + millis + " ms");
            sleeping.handle((response, failure) -> null).get(30, TimeUnit.SECONDS);
            proxy.restore();
            execute("SELECT pg_cancel_backend(" + pid + ")");
        }
    }

    /**
     * Break 17's F1: the stop closed each connection before it interrupted the handler, so clients of requests held
     * by a silent database got no answer at all, and the JVM often ended before their handlers logged anything.
     */
    @Test
    void answersEachRequestAStopCutsOffWhileTheDatabaseIsSilentWith503AndOneLineWithItsId() throws Exception {
        try (TcpProxy proxy = proxyToTheDatabase()) {
            start(Map.of("DATABASE_URL", urlThrough(proxy), "MAX_CONNECTIONS", "1", "MIN_CONNECTIONS", "1",
                    "ACQUIRE_TIMEOUT", "30s", "SHUTDOWN_TIMEOUT", "200ms"));
            CompletableFuture<HttpResponse<String>> sleeping = postAsync("/sleep");
            int pid = awaitActive("SELECT pg_sleep(30)");
            proxy.blackhole();
            List<CompletableFuture<HttpResponse<String>>> requests = new ArrayList<>(List.of(sleeping));
            for (int i = 0; i < 3; i++) {
                requests.add(postAsync("/one")); // each waits for the pool's only connection
            }
            awaitTrue(() -> server.requestsInFlight() == 4, "the requests to wait for the database");
            try (LogCapture log = LogCapture.all()) {
                long begin = System.nanoTime();

                server.stop();

                long millis = millisSince(begin);
                for (CompletableFuture<HttpResponse<String>> request : requests) {
                    HttpResponse<String> response = request.get(30, TimeUnit.SECONDS);
                    assertEquals(503, response.statusCode());
                    assertEquals("{\"error\":\"The server is stopping\"}", response.body());
                    assertEquals("1", response.headers().firstValue("Retry-After").orElseThrow());
                }
                List<String> cutOff = log.linesAtInfo().stream()
                        .filter(line -> line.contains("Request interrupted by the stop")).toList();
                assertEquals(4, cutOff.size(), log.linesAtInfo().toString());
                assertEquals(4, log.mdcValues(Trace.MDC_KEY).stream().distinct().count(), "each line has its id");
                assertEquals(0, log.traces(), log.linesAtInfo().toString());
                // SHUTDOWN_TIMEOUT, the cancels' grace, the answers (at once), the pool's close (at most 1 s).
                assertTrue(millis < 200 + 1_000 + 1_000 + 1_500, "stopped after " + millis + " ms");
            }
            proxy.restore();
            execute("SELECT pg_cancel_backend(" + pid + ")");
        }
    }

    private static long millisSince(long begin) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begin);
    }

    @Test
    void readinessStaysUpWhileEveryConnectionIsHeldByARequestWithinItsDeadline() throws Exception {
        start(Map.of("MAX_CONNECTIONS", "1", "MIN_CONNECTIONS", "1", "ACQUIRE_TIMEOUT", "1s", "REQUEST_TIMEOUT", "20s"));
        CompletableFuture<HttpResponse<String>> sleeping = postAsync("/sleep");
        int pid = awaitActive("SELECT pg_sleep(30)");

        // Busy, not broken: a check that waited for the one connection would take the instance out of rotation.
        assertEquals(200, get("/health/ready").statusCode());
        execute("SELECT pg_cancel_backend(" + pid + ")");
        sleeping.get(30, TimeUnit.SECONDS);
    }

    @Test
    void readinessGoesDownWhenEveryConnectionIsHeldLongerThanARequestMayRun() throws Exception {
        start(Map.of("MAX_CONNECTIONS", "1", "MIN_CONNECTIONS", "1", "ACQUIRE_TIMEOUT", "1s", "REQUEST_TIMEOUT", "1s"));
        try {
            assertEquals(204, post("/leak").statusCode());
            Thread.sleep(2_500); // past REQUEST_TIMEOUT + 1 s, the longest a request may hold a connection

            // A leaked (or stuck) connection proves nothing about the database: the check borrows, and cannot.
            assertEquals(503, get("/health/ready").statusCode());
        } finally {
            Connection held = leaked.get();
            if (held != null) {
                held.close();
            }
        }
    }

    private HttpResponse<String> get(String target) throws Exception {
        return client.send(HttpRequest.newBuilder(uri(target)).timeout(Duration.ofSeconds(60)).build(),
                BodyHandlers.ofString());
    }

    private static TcpProxy proxyToTheDatabase() throws IOException {
        URI postgres = URI.create(DB.jdbcUrl().substring("jdbc:".length()));
        return TcpProxy.to(postgres.getHost(), postgres.getPort());
    }

    /**
     * The database's URL through {@code proxy}, without TLS: pgJDBC bounds its wait for the answer to TLS by 5 s of
     * its own, which would hide a silent server's effect on the reads that follow.
     */
    private static String urlThrough(TcpProxy proxy) {
        return "postgres://" + DB.user() + (DB.password().isEmpty() ? "" : ":" + DB.password())
                + "@127.0.0.1:" + proxy.port() + "/" + DB.name() + "?sslmode=disable";
    }

    @Test
    void answersTooManyConnectionsWith503() throws Exception {
        String role = "limited_" + Long.toHexString(System.nanoTime());
        execute("CREATE ROLE " + role + " LOGIN PASSWORD 'limited' CONNECTION LIMIT 1");
        try {
            String url = "postgres://" + role + ":limited@" + URI.create(DB.jdbcUrl().substring(5)).getAuthority() + "/"
                    + DB.name();
            start(Map.of("DATABASE_URL", url, "MAX_CONNECTIONS", "2", "MIN_CONNECTIONS", "1", "ACQUIRE_TIMEOUT", "1s"));
            CompletableFuture<HttpResponse<String>> holding = postAsync("/hold");
            assertTrue(routeLocked.await(30, TimeUnit.SECONDS));
            try (LogCapture log = LogCapture.all()) {
                // The pool needs a second connection, which PostgreSQL refuses with 53300 until the timeout.
                assertUnavailable(post("/one"), "5");
                assertEquals(List.of("WARN dev.backend.server.ConnectionPool New connections to PostgreSQL fail: "
                        + "requests that wait 1000 ms for a connection get 503 (logged once per burst, then every 30 s "
                        + "while it lasts); the last attempt got 53300 FATAL: too many connections for role \"" + role
                        + "\""), log.linesAtInfo());
                assertEquals(0, log.traces());
            } finally {
                testMoved.countDown();
            }
            assertEquals(204, holding.get(30, TimeUnit.SECONDS).statusCode());
        } finally {
            stop();
            server = null;
            execute("DROP ROLE " + role);
        }
    }

    @Test
    void answersAWriteToAReadOnlyDatabaseWith503AndDropsTheConnectionForAWritableOne() throws Exception {
        execute("ALTER DATABASE \"" + DB.name() + "\" SET default_transaction_read_only = on");
        try (LogCapture log = LogCapture.all()) {
            start(Map.of("MAX_CONNECTIONS", "1", "MIN_CONNECTIONS", "1"));

            assertUnavailable(post("/value/name?v=ro"), "5");
            // The failover is over: the primary takes writes again, and the pool's next connections reach it (the
            // one that replaced the evicted connection may have been opened before, and is evicted in turn).
            writable();
            awaitTrue(() -> status("/value/name?v=rw") == 200, "a write to succeed");

            assertTrue(log.linesAtInfo().contains("WARN dev.backend.core.AppError Database unavailable, answered 503: "
                    + "25006 ERROR: cannot execute INSERT in a read-only transaction"), log.linesAtInfo().toString());
            assertTrue(log.linesAtInfo().contains("INFO dev.backend.server.PooledConnection Evicting a connection to a "
                    + "read-only server (after a failover, say); the pool opens a new one"), log.linesAtInfo().toString());
            assertEquals(0, log.traces());
        } finally {
            writable();
        }
    }

    @Test
    void answersADeadlockWith503AndRetryAfterSinceNothingChanged() throws Exception {
        start(Map.of());
        try (Connection other = DB.connect(); Statement statement = other.createStatement()) {
            other.setAutoCommit(false);
            statement.execute("SET deadlock_timeout = '20s'"); // the route's backend detects the deadlock first
            statement.execute("UPDATE accounts SET n = n + 1 WHERE id = 2");
            CompletableFuture<HttpResponse<String>> route = postAsync("/deadlock");
            assertTrue(routeLocked.await(30, TimeUnit.SECONDS));
            awaitActive("UPDATE accounts SET n = n + 1 WHERE id = 2");

            statement.execute("UPDATE accounts SET n = n + 1 WHERE id = 1"); // closes the cycle

            HttpResponse<String> response = route.get(30, TimeUnit.SECONDS);
            other.commit();
            assertEquals(503, response.statusCode());
            assertEquals("1", response.headers().firstValue("Retry-After").orElseThrow());
            assertEquals("{\"error\":\"The request conflicted with a concurrent one and changed nothing, retry it\"}",
                    response.body());
        }
    }

    @Test
    void answersASerializationFailureWith503AndRetryAfter() throws Exception {
        start(Map.of());
        CompletableFuture<HttpResponse<String>> route = postAsync("/repeatable-read");
        assertTrue(routeLocked.await(30, TimeUnit.SECONDS));
        execute("UPDATE accounts SET n = n + 1 WHERE id = 3"); // after the route's snapshot
        testMoved.countDown();

        HttpResponse<String> response = route.get(30, TimeUnit.SECONDS);

        assertEquals(503, response.statusCode());
        assertEquals("1", response.headers().firstValue("Retry-After").orElseThrow());
    }

    @Test
    void answersALockThatIsNotAvailableWith503() throws Exception {
        start(Map.of());
        try (Connection other = DB.connect(); Statement statement = other.createStatement()) {
            other.setAutoCommit(false);
            statement.execute("SELECT * FROM accounts WHERE id = 4 FOR UPDATE");

            HttpResponse<String> response = post("/nowait");

            other.rollback();
            assertEquals(503, response.statusCode());
            assertEquals("{\"error\":\"The data is locked by another request, retry shortly\"}", response.body());
        }
    }

    @Test
    void answersAStatementTimeoutThatIsNotTheRequestsWith503() throws Exception {
        start(Map.of());
        try (LogCapture log = LogCapture.all()) {
            HttpResponse<String> response = post("/statement-timeout");

            assertEquals(503, response.statusCode());
            assertEquals("{\"error\":\"The database did not answer in time, retry shortly\"}", response.body());
            assertEquals(List.of("WARN dev.backend.core.AppError Database busy, answered 503: 57014 ERROR: canceling "
                    + "statement due to statement timeout"), log.linesAtInfo());
        }
    }

    static Stream<Arguments> sessionsTheServerEnds() {
        return Stream.of(
                Arguments.of("/idle-in-transaction", "25P03"),
                Arguments.of("/idle-session", "57P05"),
                Arguments.of("/transaction-timeout", "25P04"));
    }

    @ParameterizedTest
    @MethodSource("sessionsTheServerEnds")
    void answersASessionTheServerEndedWith503AndReplacesTheConnection(String path, String state) throws Exception {
        start(Map.of("MAX_CONNECTIONS", "1", "MIN_CONNECTIONS", "1"));
        try (LogCapture log = LogCapture.all()) {
            assertUnavailable(post(path), "5");
            assertEquals(200, post("/one").statusCode());
            assertTrue(log.linesAtInfo().getFirst().startsWith("WARN dev.backend.core.AppError Database unavailable, "
                    + "answered 503: " + state + " FATAL: "), log.linesAtInfo().toString());
            assertEquals(0, log.traces());
        }
    }

    @Test
    void logsAnUnexpectedFailureOnceWithItsTrace() throws Exception {
        start(Map.of());
        try (LogCapture log = LogCapture.all()) {
            HttpResponse<String> response = post("/missing-table");

            assertEquals(500, response.statusCode());
            assertEquals("{\"error\":\"Internal server error\"}", response.body());
            assertEquals(List.of("ERROR dev.backend.core.AppError Database error"), log.linesAtInfo());
            assertEquals(1, log.traces());
        }
    }

    private void start(Map<String, String> settings) {
        Map<String, String> environment = new HashMap<>(Map.of("DATABASE_URL", DB.url(), "HOST", "127.0.0.1",
                "PORT", "0", "ACCESS_LOG", "false", "SHUTDOWN_TIMEOUT", "1s"));
        environment.putAll(settings);
        server = BackendServer.builder().config(Config.fromEnvironment(environment)).routes(this::routes).start();
    }

    private Router routes(DataSource dataSource) {
        return Router.create()
                .post("/value/{use}", request -> {
                    try (Connection connection = dataSource.getConnection();
                            PreparedStatement statement = connection.prepareStatement(VALUE_SQL.get(request.path("use")))) {
                        statement.setString(1, request.query("v").orElseThrow());
                        statement.execute();
                    }
                    return Response.text("stored");
                })
                .post("/body/{use}", request -> {
                    try (Connection connection = dataSource.getConnection();
                            PreparedStatement statement = connection.prepareStatement(VALUE_SQL.get(request.path("use")))) {
                        statement.setString(1, request.bodyText());
                        statement.execute();
                    }
                    return Response.text("stored");
                })
                .post("/json-name", request -> {
                    Named named = request.json(Named.class);
                    try (Connection connection = dataSource.getConnection();
                            PreparedStatement statement = connection.prepareStatement(VALUE_SQL.get("name"))) {
                        statement.setString(1, named.name());
                        statement.execute();
                    }
                    return Response.text("stored");
                })
                .post("/one", request -> {
                    try (Connection connection = dataSource.getConnection();
                            Statement statement = connection.createStatement()) {
                        statement.execute("SELECT 1");
                    }
                    return Response.text("1");
                })
                .post("/sleep", request -> run(dataSource, "SELECT pg_sleep(30)"))
                .post("/leak", request -> {
                    leaked.set(dataSource.getConnection()); // never given back by the handler
                    return Response.noContent();
                })
                .post("/missing-table", request -> run(dataSource, "SELECT * FROM no_such_table"))
                .post("/statement-timeout", request -> {
                    try (Connection connection = dataSource.getConnection();
                            Statement statement = connection.createStatement()) {
                        connection.setAutoCommit(false);
                        statement.execute("SET LOCAL statement_timeout = '50ms'");
                        statement.execute("SELECT pg_sleep(5)");
                    }
                    return Response.noContent();
                })
                .post("/idle-session", request -> {
                    try (Connection connection = dataSource.getConnection();
                            Statement statement = connection.createStatement()) {
                        statement.execute("SET idle_session_timeout = '100ms'");
                        Thread.sleep(1_000);
                        statement.execute("SELECT 1");
                    }
                    return Response.noContent();
                })
                .post("/idle-in-transaction", request -> {
                    try (Connection connection = dataSource.getConnection();
                            Statement statement = connection.createStatement()) {
                        connection.setAutoCommit(false);
                        statement.execute("SET LOCAL idle_in_transaction_session_timeout = '100ms'");
                        Thread.sleep(1_000);
                        statement.execute("SELECT 1");
                    }
                    return Response.noContent();
                })
                .post("/transaction-timeout", request -> {
                    try (Connection connection = dataSource.getConnection();
                            Statement statement = connection.createStatement()) {
                        connection.setAutoCommit(false);
                        statement.execute("SET LOCAL transaction_timeout = '100ms'");
                        statement.execute("SELECT pg_sleep(5)");
                    }
                    return Response.noContent();
                })
                .post("/hold", request -> {
                    try (Connection connection = dataSource.getConnection();
                            Statement statement = connection.createStatement()) {
                        statement.execute("SELECT 1");
                        routeLocked.countDown();
                        assertTrue(testMoved.await(30, TimeUnit.SECONDS));
                    }
                    return Response.noContent();
                })
                .post("/deadlock", request -> {
                    try (Connection connection = dataSource.getConnection();
                            Statement statement = connection.createStatement()) {
                        connection.setAutoCommit(false);
                        statement.execute("UPDATE accounts SET n = n + 1 WHERE id = 1");
                        routeLocked.countDown();
                        statement.execute("UPDATE accounts SET n = n + 1 WHERE id = 2");
                        connection.commit();
                    }
                    return Response.noContent();
                })
                .post("/repeatable-read", request -> {
                    try (Connection connection = dataSource.getConnection();
                            Statement statement = connection.createStatement()) {
                        connection.setAutoCommit(false);
                        connection.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
                        statement.execute("SELECT n FROM accounts WHERE id = 3");
                        routeLocked.countDown();
                        assertTrue(testMoved.await(30, TimeUnit.SECONDS));
                        statement.execute("UPDATE accounts SET n = n + 1 WHERE id = 3");
                        connection.commit();
                    }
                    return Response.noContent();
                })
                .post("/nowait", request -> run(dataSource, "SELECT * FROM accounts WHERE id = 4 FOR UPDATE NOWAIT"));
    }

    /** The body a JSON endpoint reads. */
    record Named(String name) {}

    private static Response run(DataSource dataSource, String... sql) throws SQLException {
        try (Connection connection = dataSource.getConnection(); Statement statement = connection.createStatement()) {
            for (String each : sql) {
                statement.execute(each);
            }
        }
        return Response.noContent();
    }

    private static void assertUnavailable(HttpResponse<String> response, String retryAfter) {
        assertEquals(503, response.statusCode(), response.body());
        assertEquals(retryAfter, response.headers().firstValue("Retry-After").orElseThrow());
        assertEquals("{\"error\":\"The database is unavailable, retry shortly\"}", response.body());
    }

    private URI uri(String target) {
        return URI.create("http://127.0.0.1:" + server.port() + target);
    }

    private HttpResponse<String> post(String target) throws Exception {
        return client.send(HttpRequest.newBuilder(uri(target)).POST(HttpRequest.BodyPublishers.noBody())
                .timeout(Duration.ofSeconds(60)).build(), BodyHandlers.ofString());
    }

    private CompletableFuture<HttpResponse<String>> postAsync(String target) {
        return client.sendAsync(HttpRequest.newBuilder(uri(target)).POST(HttpRequest.BodyPublishers.noBody())
                .timeout(Duration.ofSeconds(60)).build(), BodyHandlers.ofString());
    }

    private int status(String target) {
        try {
            return post(target).statusCode();
        } catch (Exception e) {
            return -1;
        }
    }

    /** Makes the database writable again, from a session that is read-only too, as it was opened after the change. */
    private static void writable() throws SQLException {
        try (Connection connection = DB.connect(); Statement statement = connection.createStatement()) {
            statement.execute("SET default_transaction_read_only = off");
            statement.execute("ALTER DATABASE \"" + DB.name() + "\" RESET default_transaction_read_only");
        }
    }

    private static void execute(String sql) throws SQLException {
        try (Connection connection = DB.connect(); Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    /** Waits until a backend of this database runs {@code query}, and returns its pid. */
    private static int awaitActive(String query) throws Exception {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        try (Connection connection = DB.connect(); PreparedStatement find = connection.prepareStatement(
                "SELECT pid FROM pg_stat_activity WHERE datname = ? AND query = ? AND state = 'active'")) {
            find.setString(1, DB.name());
            find.setString(2, query);
            while (true) {
                try (ResultSet rows = find.executeQuery()) {
                    if (rows.next()) {
                        return rows.getInt(1);
                    }
                }
                assertTrue(System.nanoTime() < end, "nobody ran " + query);
                Thread.sleep(20);
            }
        }
    }

    private static void awaitTrue(BooleanSupplier condition, String what) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < end, "timed out waiting for " + what);
            Thread.sleep(100);
        }
    }
}
