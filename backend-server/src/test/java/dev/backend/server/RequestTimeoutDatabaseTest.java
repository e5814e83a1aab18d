package dev.backend.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import dev.backend.core.Response;
import dev.backend.core.Router;
import dev.backend.testing.TestDatabase;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.file.Files;
import java.nio.file.Path;
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
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * REQUEST_TIMEOUT against a real PostgreSQL: a timed-out request stops in the database (nothing it started
 * commits later), its connections go back to the pool intact, and it is logged as one line.
 */
class RequestTimeoutDatabaseTest {

    @RegisterExtension
    static final TestDatabase DB = new TestDatabase();

    private static final int POOL = 10;
    private final HttpClient client = HttpClient.newHttpClient();

    @BeforeAll
    static void createTables() throws SQLException {
        try (Connection connection = DB.connect(); Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE users (email text PRIMARY KEY, name text NOT NULL)");
            statement.execute("CREATE TABLE audit (email text NOT NULL)");
        }
    }

    /**
     * The reported scenario: with REQUEST_TIMEOUT=5s, an insert waits 8 s behind {@code LOCK TABLE users IN ACCESS
     * EXCLUSIVE MODE} held by another session. It used to answer 408 and then commit once the lock was released.
     */
    @Test
    void aTimedOutInsertBlockedBehindATableLockNeverCommitsAndItsConnectionStaysInThePool() throws Exception {
        try (BackendServer server = start(Map.of("REQUEST_TIMEOUT", "5s", "MAX_CONNECTIONS", "2",
                "MIN_CONNECTIONS", "2"))) {
            awaitPoolFull(server, 2);
            LogCapture log = LogCapture.all();
            Set<Integer> connections = PoolBackends.of(DB);
            try (Connection locker = DB.connect(); Statement lock = locker.createStatement()) {
                locker.setAutoCommit(false);
                lock.execute("LOCK TABLE users IN ACCESS EXCLUSIVE MODE");
                long begin = System.nanoTime();

                HttpResponse<String> response = post(server, "/users?email=late@example.com");

                assertEquals(503, response.statusCode());
                assertEquals("1", response.headers().firstValue("Retry-After").orElseThrow());
                assertEquals("{\"error\":\"Request timed out after 5s\"}", response.body());
                long heldFor = TimeUnit.SECONDS.toNanos(8) - (System.nanoTime() - begin);
                TimeUnit.NANOSECONDS.sleep(Math.max(0, heldFor));
                locker.commit();
            }
            // Had PostgreSQL still been running the insert, it would have committed at the release.
            assertEquals(0, activeStatements("INSERT INTO users%"));
            assertEquals(0, rows("users", "late@example.com"));
            assertEquals(connections, PoolBackends.of(DB), "the cancelled statement cost no connection");
            assertEquals(201, post(server, "/users?email=next@example.com").statusCode());

            log.close();
            List<String> lines = log.linesAtInfo();
            assertEquals(1, lines.size(), lines.toString());
            assertTrue(lines.getFirst().matches("WARN dev\\.backend\\.core\\.middleware\\.Timeout Request timed out "
                    + "after 5s, answered 503; the handler returned \\d+ ms after the deadline, with 57014 ERROR: "
                    + "canceling statement due to user request"), lines.getFirst());
            assertEquals(0, log.traces());
        }
    }

    @Test
    void anInsertCutOffByTheStopNeverCommitsEither() throws Exception {
        BackendServer server = start(Map.of("SHUTDOWN_TIMEOUT", "500ms"));
        try (Connection locker = DB.connect(); Statement lock = locker.createStatement()) {
            locker.setAutoCommit(false);
            lock.execute("LOCK TABLE users IN ACCESS EXCLUSIVE MODE");
            CompletableFuture<HttpResponse<String>> insert = client.sendAsync(request(server,
                    "/users?email=stopped@example.com"), BodyHandlers.ofString());
            await(() -> {
                try {
                    return activeStatements("INSERT INTO users%") == 1;
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            }, "the insert to wait for the lock");

            server.stop(); // SHUTDOWN_TIMEOUT passes with the insert still waiting: it is cut off

            locker.commit();
            insert.handle((response, failure) -> null).get(30, TimeUnit.SECONDS);
        }
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        while (System.nanoTime() < end) {
            assertEquals(0, rows("users", "stopped@example.com"), "the cut-off insert committed after the stop");
            Thread.sleep(50);
        }
    }

    @Test
    void aTimedOutTransactionRollsBackWhatItAlreadyWrote() throws Exception {
        try (BackendServer server = start(Map.of("REQUEST_TIMEOUT", "300ms"))) {
            try (Connection locker = DB.connect(); Statement lock = locker.createStatement()) {
                locker.setAutoCommit(false);
                lock.execute("LOCK TABLE audit IN ACCESS EXCLUSIVE MODE");

                assertEquals(503, post(server, "/users-and-audit?email=half@example.com").statusCode());

                locker.commit();
            }
            assertEquals(0, rows("users", "half@example.com"));
            assertEquals(0, rows("audit", "half@example.com"));
        }
    }

    @Test
    void aHandlerHoldingAConnectionWhileBlockedElsewhereIsInterruptedAfterAGraceAndRollsBack() throws Exception {
        try (BackendServer server = start(Map.of("REQUEST_TIMEOUT", "300ms", "MAX_CONNECTIONS", "1",
                "MIN_CONNECTIONS", "1"))) {
            awaitPoolFull(server, 1);
            Set<Integer> connections = PoolBackends.of(DB);
            long begin = System.nanoTime();

            assertEquals(503, post(server, "/insert-then-sleep?email=sleepy@example.com").statusCode());

            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begin);
            assertTrue(millis >= 300 + 900, "the interrupt waits out the grace after the deadline: " + millis + " ms");
            assertEquals(0, rows("users", "sleepy@example.com"));
            assertEquals(connections, PoolBackends.of(DB), "an interrupted sleep leaves the connection intact");
        }
    }

    @Test
    void refusesNewStatementsAndConnectionsOnceTheDeadlinePassed() throws Exception {
        AtomicReference<String> refusals = new AtomicReference<>();
        try (BackendServer server = start(Map.of("REQUEST_TIMEOUT", "300ms"), dataSource -> Router.create()
                .post("/persistent", request -> {
                    List<String> states = new ArrayList<>();
                    try (Connection connection = dataSource.getConnection()) {
                        try (Statement statement = connection.createStatement()) {
                            statement.execute("INSERT INTO audit VALUES ('blocked@example.com')");
                        } catch (SQLException cancelled) {
                            states.add(cancelled.getSQLState());
                        }
                        // A handler that carries on regardless: nothing new may start in the database.
                        try (PreparedStatement insert = connection.prepareStatement("INSERT INTO users VALUES (?, 'x')")) {
                            insert.setString(1, "persistent@example.com");
                            insert.execute();
                        } catch (SQLException refused) {
                            states.add(refused.getSQLState());
                        }
                    }
                    try {
                        dataSource.getConnection().close();
                        states.add("got another connection");
                    } catch (SQLException refused) {
                        states.add(refused.getSQLState());
                    }
                    refusals.set(String.join(",", states));
                    return Response.noContent();
                }))) {
            try (Connection locker = DB.connect(); Statement lock = locker.createStatement()) {
                locker.setAutoCommit(false);
                lock.execute("LOCK TABLE audit IN ACCESS EXCLUSIVE MODE");

                assertEquals(503, post(server, "/persistent").statusCode());

                locker.commit();
            }
            assertEquals("57014,57014,57014", refusals.get());
            assertEquals(0, rows("users", "persistent@example.com"));
            assertEquals(0, rows("audit", "blocked@example.com"));
        }
    }

    @Test
    void aRequestStillWaitingForAConnectionAtItsDeadlineGivesUpAtOnce() throws Exception {
        CountDownLatch holding = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        try (BackendServer server = start(Map.of("REQUEST_TIMEOUT", "5s", "MAX_CONNECTIONS", "1",
                "MIN_CONNECTIONS", "1", "ACQUIRE_TIMEOUT", "30s"), dataSource -> Router.create()
                .post("/hold", request -> {
                    Connection connection = dataSource.getConnection();
                    holding.countDown();
                    awaitIgnoringInterrupts(release); // keeps the only connection past its own deadline
                    connection.close();
                    return Response.noContent();
                })
                .post("/wait", request -> {
                    dataSource.getConnection().close();
                    return Response.noContent();
                }))) {
            CompletableFuture<HttpResponse<String>> holder = client.sendAsync(request(server, "/hold"),
                    BodyHandlers.ofString());
            assertTrue(holding.await(30, TimeUnit.SECONDS));
            try {
                long begin = System.nanoTime();
                assertEquals(503, post(server, "/wait").statusCode());
                long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begin);
                assertTrue(millis < 25_000, "gave up at the deadline, not the acquire timeout: " + millis + " ms");
            } finally {
                release.countDown();
            }
            assertEquals(503, holder.get(30, TimeUnit.SECONDS).statusCode());
        }
    }

    @Test
    void hundredTimedOutQueriesLeakNoConnectionAndReplaceNone() throws Exception {
        AtomicInteger queriesStarted = new AtomicInteger();
        try (BackendServer server = start(Map.of("REQUEST_TIMEOUT", "200ms", "MAX_CONNECTIONS", Integer.toString(POOL),
                "MIN_CONNECTIONS", Integer.toString(POOL), "ACQUIRE_TIMEOUT", "5s"), dataSource -> Router.create()
                .post("/sleep", request -> {
                    try (Connection connection = dataSource.getConnection();
                            Statement statement = connection.createStatement()) {
                        queriesStarted.incrementAndGet();
                        statement.execute("SELECT pg_sleep(3)");
                    }
                    return Response.text("slept");
                })
                .post("/one", request -> {
                    try (Connection connection = dataSource.getConnection();
                            Statement statement = connection.createStatement();
                            ResultSet one = statement.executeQuery("SELECT 1")) {
                        one.next();
                        return Response.text(Integer.toString(one.getInt(1)));
                    }
                }))) {
            HikariPoolMXBean pool = server.dataSource().unwrap(HikariDataSource.class).getHikariPoolMXBean();
            awaitPoolFull(server, POOL);
            Set<Integer> connections = PoolBackends.of(DB);
            // In waves of the pool's size, each started once the pool is full again, so that every request
            // holds a connection and is inside pg_sleep when its deadline passes.
            for (int wave = 0; wave < 100 / POOL; wave++) {
                await(() -> pool.getIdleConnections() == POOL, "the pool to refill");
                List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
                for (int i = 0; i < POOL; i++) {
                    responses.add(client.sendAsync(request(server, "/sleep"), BodyHandlers.ofString()));
                }
                for (CompletableFuture<HttpResponse<String>> response : responses) {
                    assertEquals(503, response.get(30, TimeUnit.SECONDS).statusCode());
                }
            }

            assertEquals(100, queriesStarted.get());
            await(() -> pool.getActiveConnections() == 0, "every connection to return to the pool");
            assertEquals(connections, PoolBackends.of(DB), "cancelled statements cost no connection");
            long begin = System.nanoTime();
            HttpResponse<String> next = post(server, "/one");
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begin);

            assertEquals(200, next.statusCode());
            assertEquals("1", next.body());
            assertTrue(millis < 2_000, "the next request waited " + millis + " ms for a connection");
        }
    }

    @Test
    void connectionsCarryAStatementTimeoutASecondAboveTheRequestTimeoutEvenOutsideRequests() throws Exception {
        try (BackendServer server = start(Map.of("REQUEST_TIMEOUT", "2s"))) {
            try (Connection connection = server.dataSource().getConnection();
                    Statement statement = connection.createStatement()) {
                assertEquals("3s", show(statement, "statement_timeout"));
                long begin = System.nanoTime();
                // No request, so no deadline: only PostgreSQL's own timeout stops this.
                SQLException stopped = org.junit.jupiter.api.Assertions.assertThrows(SQLException.class,
                        () -> statement.execute("SELECT pg_sleep(30)"));
                assertEquals("57014", stopped.getSQLState());
                assertTrue(System.nanoTime() - begin < TimeUnit.SECONDS.toNanos(20));
            }
        }
    }

    @Test
    void keepsAStricterStatementTimeoutThatTheDatabaseSets() throws Exception {
        try (Connection admin = DB.connect(); Statement statement = admin.createStatement()) {
            statement.execute("ALTER DATABASE \"" + DB.name() + "\" SET statement_timeout = '1500ms'");
            try (BackendServer server = start(Map.of("REQUEST_TIMEOUT", "10s"));
                    Connection connection = server.dataSource().getConnection();
                    Statement pooled = connection.createStatement()) {
                assertEquals("1500ms", show(pooled, "statement_timeout"));
            } finally {
                statement.execute("ALTER DATABASE \"" + DB.name() + "\" RESET statement_timeout");
            }
        }
    }

    @Test
    void migrationsRunWithoutTheRequestStatementTimeout(@TempDir Path migrations) throws Exception {
        Files.writeString(migrations.resolve("V1__slow.sql"), "SELECT pg_sleep(2.5);\nCREATE TABLE slow_done (id int);\n");
        Map<String, String> environment = new HashMap<>(Map.of("REQUEST_TIMEOUT", "1s", "MIGRATIONS_DIR",
                migrations.toString()));
        try (BackendServer server = start(environment);
                Connection connection = server.dataSource().getConnection();
                Statement statement = connection.createStatement()) {
            assertEquals("2s", show(statement, "statement_timeout"), "requests keep theirs");
            try (ResultSet table = statement.executeQuery("SELECT to_regclass('slow_done') IS NOT NULL")) {
                table.next();
                assertTrue(table.getBoolean(1), "the 2.5 s migration ran past the 2 s request statement timeout");
            }
        }
    }

    private BackendServer start(Map<String, String> settings) {
        return start(settings, this::routes);
    }

    private static BackendServer start(Map<String, String> settings, java.util.function.Function<DataSource, Router> routes) {
        Map<String, String> environment = new HashMap<>(Map.of("DATABASE_URL", DB.url(), "HOST", "127.0.0.1",
                "PORT", "0", "ACCESS_LOG", "false", "SHUTDOWN_TIMEOUT", "1s"));
        environment.putAll(settings);
        return BackendServer.builder().config(Config.fromEnvironment(environment)).routes(routes).start();
    }

    private Router routes(DataSource dataSource) {
        return Router.create()
                .post("/users", request -> {
                    try (Connection connection = dataSource.getConnection();
                            PreparedStatement insert = connection.prepareStatement("INSERT INTO users VALUES (?, 'x')")) {
                        insert.setString(1, request.query("email").orElseThrow());
                        insert.execute();
                    }
                    return Response.json(201, Map.of("created", true));
                })
                .post("/users-and-audit", request -> {
                    String email = request.query("email").orElseThrow();
                    try (Connection connection = dataSource.getConnection()) {
                        connection.setAutoCommit(false);
                        try (PreparedStatement user = connection.prepareStatement("INSERT INTO users VALUES (?, 'x')");
                                PreparedStatement audit = connection.prepareStatement("INSERT INTO audit VALUES (?)")) {
                            user.setString(1, email);
                            user.execute();
                            audit.setString(1, email);
                            audit.execute();
                        }
                        connection.commit();
                    }
                    return Response.noContent();
                })
                .post("/insert-then-sleep", request -> {
                    try (Connection connection = dataSource.getConnection()) {
                        connection.setAutoCommit(false);
                        try (PreparedStatement user = connection.prepareStatement("INSERT INTO users VALUES (?, 'x')")) {
                            user.setString(1, request.query("email").orElseThrow());
                            user.execute();
                        }
                        Thread.sleep(60_000); // waiting on something else: a remote call, a lock in the JVM
                        connection.commit();
                    }
                    return Response.noContent();
                });
    }

    private HttpResponse<String> post(BackendServer server, String target) throws Exception {
        return client.send(request(server, target), BodyHandlers.ofString());
    }

    private static HttpRequest request(BackendServer server, String target) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + target))
                .POST(HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(60)).build();
    }

    private static void awaitPoolFull(BackendServer server, int size) throws Exception {
        HikariPoolMXBean pool = server.dataSource().unwrap(HikariDataSource.class).getHikariPoolMXBean();
        await(() -> pool.getTotalConnections() == size, "the pool to open " + size + " connections");
    }

    private static int activeStatements(String like) throws SQLException {
        try (Connection connection = DB.connect(); PreparedStatement query = connection.prepareStatement(
                "SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND query LIKE ? AND datname = ?")) {
            query.setString(1, like);
            query.setString(2, DB.name());
            try (ResultSet rows = query.executeQuery()) {
                rows.next();
                return rows.getInt(1);
            }
        }
    }

    private static int rows(String table, String email) throws SQLException {
        try (Connection connection = DB.connect();
                PreparedStatement query = connection.prepareStatement("SELECT count(*) FROM " + table + " WHERE email = ?")) {
            query.setString(1, email);
            try (ResultSet rows = query.executeQuery()) {
                rows.next();
                return rows.getInt(1);
            }
        }
    }

    private static String show(Statement statement, String setting) throws SQLException {
        try (ResultSet value = statement.executeQuery("SHOW " + setting)) {
            value.next();
            return value.getString(1);
        }
    }

    /** Polls {@code condition} for up to 30 s: pool state changes on HikariCP's own threads. */
    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < end, "timed out waiting for " + what);
            Thread.sleep(20);
        }
    }

    private static void awaitIgnoringInterrupts(CountDownLatch latch) {
        while (true) {
            try {
                latch.await();
                return;
            } catch (InterruptedException ignored) {
                // this handler holds on regardless
            }
        }
    }
}
