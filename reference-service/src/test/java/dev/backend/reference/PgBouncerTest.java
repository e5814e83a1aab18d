package dev.backend.reference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backend.server.BackendServer;
import dev.backend.server.Config;
import dev.backend.server.migration.MigrationException;
import dev.backend.testing.TestDatabase;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The reference service behind PgBouncer 1.18 in transaction pooling mode, the usual set-up once replicas times
 * pool size outgrow PostgreSQL's max_connections: {@code DATABASE_URL} on PgBouncer with pgJDBC's {@code
 * prepareThreshold=0}, migrations on a direct {@code MIGRATION_DATABASE_URL}. PgBouncer has {@value
 * PgBouncer#SERVER_CONNECTIONS} server connections for the 10 of the pool, so requests share backends.
 */
class PgBouncerTest {

    @RegisterExtension
    static final TestDatabase DB = new TestDatabase();

    private static final Pattern HOST_PORT = Pattern.compile("jdbc:postgresql://([^:/]+):(\\d+)/");
    private static final Pattern ID = Pattern.compile("\"id\":\"([0-9a-f-]{36})\"");

    private static PgBouncer bouncer;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void startPgBouncer() throws Exception {
        Matcher location = HOST_PORT.matcher(DB.jdbcUrl());
        assertTrue(location.find(), DB.jdbcUrl());
        bouncer = PgBouncer.start(location.group(1), Integer.parseInt(location.group(2)), DB.name(), DB.user());
    }

    @AfterAll
    static void stopPgBouncer() throws Exception {
        if (bouncer != null) {
            bouncer.close();
        }
    }

    @BeforeEach
    void emptyDatabase() throws SQLException {
        try (Connection c = DB.connect(); Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS users, schema_migrations");
        }
    }

    /** {@code postgres://user@127.0.0.1:<pgbouncer>/<database><suffix>?<parameters>}. */
    private static String throughPgBouncer(String suffix, String parameters) {
        return "postgres://" + DB.user() + "@127.0.0.1:" + bouncer.port() + "/" + DB.name() + suffix
                + (parameters.isEmpty() ? "" : "?" + parameters);
    }

    private static Config config(String databaseUrl, Map<String, String> extra) {
        Map<String, String> env = new HashMap<>(Map.of("DATABASE_URL", databaseUrl, "HOST", "127.0.0.1", "PORT", "0",
                "MAX_CONNECTIONS", "10", "MIN_CONNECTIONS", "2", "ACCESS_LOG", "false"));
        env.putAll(extra);
        return Config.fromEnvironment(env);
    }

    @Test
    void theUsersApiServesConcurrentCreatesAndReadsThroughTransactionPooling() throws Exception {
        Config config = config(throughPgBouncer("", "prepareThreshold=0"), Map.of("MIGRATION_DATABASE_URL", DB.url()));
        int clients = 16;
        int rounds = 40;
        try (BackendServer server = Main.referenceService().config(config).start();
                ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<List<String>>> results = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                results.add(pool.submit(() -> createAndRead(server.port(), rounds)));
            }
            List<String> failures = new ArrayList<>();
            for (Future<List<String>> result : results) {
                failures.addAll(result.get());
            }
            assertEquals(List.of(), failures, bouncer.log());
            try (Connection c = DB.connect(); Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT count(*) FROM users")) {
                rs.next();
                assertEquals(clients * rounds, rs.getInt(1));
            }
        }
    }

    /** Creates {@code rounds} users, reading each back and listing a page; returns what went wrong. */
    private List<String> createAndRead(int port, int rounds) throws Exception {
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < rounds; i++) {
            String body = "{\"email\":\"" + UUID.randomUUID() + "@bouncer.example\",\"name\":\"Pooled\"}";
            HttpResponse<String> created = http.send(HttpRequest.newBuilder(uri(port, "/api/v1/users"))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.ofString());
            Matcher id = ID.matcher(created.body());
            if (created.statusCode() != 201 || !id.find()) {
                failures.add("POST " + created.statusCode() + " " + created.body());
                continue;
            }
            for (String path : new String[] {"/api/v1/users/" + id.group(1), "/api/v1/users?limit=5"}) {
                HttpResponse<String> read = http.send(HttpRequest.newBuilder(uri(port, path)).build(),
                        HttpResponse.BodyHandlers.ofString());
                if (read.statusCode() != 200) {
                    failures.add("GET " + path + " " + read.statusCode() + " " + read.body());
                }
            }
        }
        return failures;
    }

    /**
     * Why {@code prepareThreshold=0}: from its fifth run of the same SQL on a connection, pgJDBC switches to a
     * named server-side prepared statement, which lives in one backend; PgBouncer 1.18 in transaction mode runs
     * the next transaction on another, where it does not exist. (PgBouncer 1.21 tracks prepared statements.)
     */
    @Test
    void withoutPrepareThresholdZeroPgJdbcsNamedPreparedStatementsBreakUnderTransactionPooling() throws Exception {
        String url = "jdbc:postgresql://127.0.0.1:" + bouncer.port() + "/" + DB.name();
        List<Connection> clients = new ArrayList<>();
        try {
            for (int i = 0; i < 6; i++) {
                clients.add(DriverManager.getConnection(url, DB.user(), DB.password()));
            }
            SQLException failure = assertThrows(SQLException.class, () -> {
                for (int run = 0; run < 20; run++) {
                    for (Connection client : clients) {
                        try (PreparedStatement s = client.prepareStatement("SELECT ?::int + 1")) {
                            s.setInt(1, run);
                            s.executeQuery().close();
                        }
                    }
                }
            });
            assertTrue(failure.getMessage().matches("(?s).*prepared statement \"S_\\d+\" (does not exist|already exists).*"),
                    failure.getMessage());
        } finally {
            for (Connection client : clients) {
                client.close();
            }
        }
    }

    @Test
    void migrationsThroughTransactionPoolingFailStartWithAMessageThatNamesTheFix() throws Exception {
        Config config = config(throughPgBouncer("", "prepareThreshold=0"), Map.of());
        MigrationException e = assertThrows(MigrationException.class,
                () -> Main.referenceService().config(config).start());
        assertTrue(e.getMessage().startsWith("Migrations need a database session of their own for the whole run"),
                e.getMessage());
        assertTrue(e.getMessage().contains("PgBouncer in transaction or statement pool mode does that. Set "
                + "MIGRATION_DATABASE_URL to a direct connection to PostgreSQL"), e.getMessage());
        try (Connection c = DB.connect(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT to_regclass('users') IS NULL AND NOT EXISTS (SELECT 1 FROM "
                        + "pg_locks WHERE locktype = 'advisory')")) {
            rs.next();
            assertTrue(rs.getBoolean(1), "nothing was applied, and no migration lock was left on a pooled backend");
        }
    }

    @Test
    void migrationsThroughSessionPoolingRunAsOnADirectConnection() throws Exception {
        Config config = config(throughPgBouncer("_session", ""), Map.of());
        try (BackendServer server = Main.referenceService().config(config).start()) {
            HttpResponse<String> list = http.send(HttpRequest.newBuilder(uri(server.port(), "/api/v1/users")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, list.statusCode(), list.body());
        }
        try (Connection c = DB.connect(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT count(*) FROM schema_migrations WHERE success")) {
            rs.next();
            assertFalse(rs.getInt(1) == 0, "the migrations were applied");
        }
    }

    private static URI uri(int port, String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }
}
