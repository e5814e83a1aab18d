package dev.backend.server;

import static dev.backend.server.migration.Fixtures.column;
import static dev.backend.server.migration.Fixtures.write;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backend.core.Response;
import dev.backend.core.Router;
import dev.backend.server.migration.Fixtures;
import dev.backend.server.migration.MigrationException;
import dev.backend.server.migration.MigrationSource;
import dev.backend.testing.TestDatabase;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@link BackendServer.Builder#start()} applies migrations after the pool opens and before the port binds. */
class BackendServerMigrationTest {

    @RegisterExtension
    static final TestDatabase DB = new TestDatabase();

    @TempDir
    Path dir;

    private String schema;
    private DataSource ds;

    @BeforeEach
    void ownSchema() {
        schema = Fixtures.newSchema(DB);
        ds = Fixtures.dataSource(DB, schema);
    }

    private Config config(int port, Map<String, String> extra) {
        Map<String, String> env = new HashMap<>(Map.of("DATABASE_URL", DB.url() + "?currentSchema=" + schema,
                "HOST", "127.0.0.1", "PORT", Integer.toString(port), "MIN_CONNECTIONS", "1", "MAX_CONNECTIONS", "2",
                // Nothing is in flight when these tests stop; no need to wait for the default 30 s.
                "SHUTDOWN_TIMEOUT", "1s"));
        env.putAll(extra);
        return Config.fromEnvironment(env);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static boolean accepting(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 2000);
            return true;
        } catch (ConnectException e) {
            return false;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void theListenerOpensOnlyAfterMigrationsAreApplied() throws Exception {
        Path own = Files.createDirectory(dir.resolve("app"));
        write(own, "V1__create_notes.sql", "CREATE TABLE notes (body text); INSERT INTO notes VALUES ('first');");
        int port = freePort();
        BackendServer.Builder builder = BackendServer.builder()
                .config(config(port, Map.of()))
                .migrations(MigrationSource.directory(own))
                .routes(dataSource -> Router.create().get("/notes", request -> Response.text(
                        String.join(",", column(dataSource, "SELECT body FROM notes")))));
        try (Connection holder = DB.connect()) {
            // While another instance holds the migration lock, start() waits before binding anything.
            Fixtures.lock(holder);
            CompletableFuture<BackendServer> starting = CompletableFuture.supplyAsync(builder::start);
            Fixtures.awaitLockWaiters(holder, 1);
            assertTrue(!accepting(port), "port " + port + " accepted before migrations ran");
            Fixtures.unlock(holder);
            try (BackendServer server = starting.get(60, TimeUnit.SECONDS)) {
                assertEquals(port, server.port());
                HttpResponse<String> response = HttpClient.newHttpClient().send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/notes")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals("first", response.body());
            }
        }
    }

    @Test
    void aFailingMigrationFailsStartAndLeavesThePortClosed() throws Exception {
        write(dir, "V1__broken.sql", "CREATE TABLE t (id int);\nCREATE TABLE t (id int);\n");
        int port = freePort();

        MigrationException e = assertThrows(MigrationException.class, () -> BackendServer.builder()
                .config(config(port, Map.of()))
                .migrations(MigrationSource.directory(dir))
                .start());

        assertTrue(e.getMessage().startsWith("Migration V1__broken.sql failed at line 2 (statement 2 of 2, starting at "
                + "line 2): ERROR: relation \"t\" already exists [42P07]"), e.getMessage());
        assertTrue(!accepting(port));
        assertEquals(List.of("f"), column(ds, "SELECT to_regclass('t') IS NOT NULL"));
    }

    @Test
    void migrationsDirOverridesTheLocationTheApplicationNames() throws Exception {
        Path named = Files.createDirectory(dir.resolve("named"));
        Path operator = Files.createDirectory(dir.resolve("operator"));
        write(named, "V1__named.sql", "CREATE TABLE named (id int);");
        write(operator, "V1__operator.sql", "CREATE TABLE operator (id int);");

        try (BackendServer server = BackendServer.builder()
                .config(config(0, Map.of("MIGRATIONS_DIR", operator.toString())))
                .migrations(MigrationSource.directory(named))
                .start()) {
            assertEquals(List.of("t", "f"), column(server.dataSource(),
                    "SELECT to_regclass('operator') IS NOT NULL UNION ALL SELECT to_regclass('named') IS NOT NULL"));
        }
    }

    @Test
    void migrationsRunOnAConnectionOfTheirOwnSoTheSessionStateTheyLeaveNeverReachesThePool() throws Exception {
        // SET without LOCAL outlives the migration's transaction: on a pooled connection it would stay for requests.
        write(dir, "V1__audit.sql", "CREATE SCHEMA audit_" + schema + ";\nSET search_path TO audit_" + schema
                + ";\nSET statement_timeout = 1234;\nCREATE TABLE entries AS SELECT current_setting('application_name') AS by;\n");
        try (BackendServer server = BackendServer.builder()
                .config(config(0, Map.of("MIN_CONNECTIONS", "1", "MAX_CONNECTIONS", "1")))
                .migrations(MigrationSource.directory(dir))
                .start()) {
            assertEquals(List.of("backend-server migrations"), column(ds, "SELECT by FROM audit_" + schema + ".entries"));
            // The pool's connections keep their own search_path and statement_timeout (the pool sets one).
            assertEquals(List.of(schema + ", not the migration's"), column(server.dataSource(),
                    "SELECT current_schema() || ', ' || CASE current_setting('statement_timeout') WHEN '1234ms' "
                            + "THEN 'the migration''s' ELSE 'not the migration''s' END"));
        }
    }

    @Test
    void migrationsConnectToMigrationDatabaseUrlWhenItIsSet() throws Exception {
        write(dir, "V1__who.sql", "CREATE TABLE who AS SELECT current_setting('application_name') AS name;");
        String migrationUrl = DB.url() + "?currentSchema=" + schema + "&application_name=direct-migrator";
        try (BackendServer server = BackendServer.builder()
                .config(config(0, Map.of("MIGRATION_DATABASE_URL", migrationUrl)))
                .migrations(MigrationSource.directory(dir))
                .start()) {
            assertEquals(List.of("direct-migrator"), column(server.dataSource(), "SELECT name FROM who"));
        }
    }

    @Test
    void anUnreachableMigrationDatabaseUrlFailsStartNamingTheVariable() throws Exception {
        write(dir, "V1__t.sql", "CREATE TABLE t (id int);");
        int closed = freePort();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> BackendServer.builder()
                .config(config(0, Map.of("MIGRATION_DATABASE_URL", "postgres://app:secret@127.0.0.1:" + closed + "/app",
                        "ACQUIRE_TIMEOUT", "1s")))
                .migrations(MigrationSource.directory(dir))
                .start());
        assertTrue(e.getMessage().startsWith("Cannot connect to PostgreSQL at postgres://app:***@127.0.0.1:" + closed
                + "/app (MIGRATION_DATABASE_URL): "), e.getMessage());
    }

    @Test
    void withoutAnyLocationNoMigrationsRun() {
        try (BackendServer server = BackendServer.builder().config(config(0, Map.of())).start()) {
            assertEquals(List.of("f"), column(server.dataSource(), "SELECT to_regclass('schema_migrations') IS NOT NULL"));
        }
    }
}
