package dev.backend.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.backend.server.migration.MigrationSource;
import dev.backend.server.migration.Migrator;
import dev.backend.testing.TestDatabase;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several hosts in {@code DATABASE_URL}, the first silent: its network drops the connection request, or it accepts
 * the connection and never answers (an address being failed over, a proxy whose backend is gone). Each host gets its
 * own connect bound, as in libpq, so the start and the migrations reach the next host. pgJDBC bounds every host
 * together, and the silent first host used all of it.
 */
class MultiHostConnectTest {

    @RegisterExtension
    static final TestDatabase DB = new TestDatabase();

    @TempDir
    Path dir;

    @Test
    void startsOnTheNextHostWhenTheFirstAcceptsAndNeverAnswers() throws Exception {
        try (TcpProxy silent = silentHost();
                BackendServer server = BackendServer.builder()
                        .config(config(Map.of("DATABASE_URL", urlWithHosts(silent.port(), ""),
                                "ACQUIRE_TIMEOUT", "2s")))
                        .start()) {
            // Logged in, a connection reads as long as a statement may run, not for the login's bound of 2 s.
            try (Connection connection = server.dataSource().getConnection();
                    Statement statement = connection.createStatement();
                    ResultSet rows = statement.executeQuery("SELECT pg_sleep(2.5), 'answered'")) {
                rows.next();
                assertEquals("answered", rows.getString(2));
            }
        }
    }

    @Test
    void startsOnTheNextHostWhenTheFirstNeverAcceptsTheConnection() throws Exception {
        try (Unanswered first = new Unanswered()) {
            assertStartsAndAnswers(Map.of("DATABASE_URL", urlWithHosts(first.port(), ""), "ACQUIRE_TIMEOUT", "2s"));
        }
    }

    @Test
    void startsOnTheNextHostWithTheDefaultSslmodeWhichTriesEachHostTwice() throws Exception {
        // sslmode=prefer: pgJDBC tries the silent host with TLS, then again without, each try held to the bound.
        try (TcpProxy silent = silentHost()) {
            String url = urlWithHosts(silent.port(), "");
            assertStartsAndAnswers(Map.of("DATABASE_URL", url.substring(0, url.indexOf('?')), "ACQUIRE_TIMEOUT", "2s"));
        }
    }

    @Test
    void libpqsConnectTimeoutBoundsEachHost() throws Exception {
        try (TcpProxy silent = silentHost()) {
            assertStartsAndAnswers(Map.of("DATABASE_URL", urlWithHosts(silent.port(), "&connect_timeout=2"),
                    "ACQUIRE_TIMEOUT", "30s"));
        }
    }

    @Test
    void migratesOnTheNextHostWhenTheFirstAcceptsAndNeverAnswers() throws Exception {
        // The migration runs longer than a host's connect bound: that bound is for logging in only.
        Files.writeString(dir.resolve("V1__slow.sql"), "SELECT pg_sleep(2.5);\nCREATE TABLE reached (id int);\n");
        try (TcpProxy silent = silentHost();
                BackendServer server = BackendServer.builder()
                        .config(config(Map.of("DATABASE_URL", DB.url(),
                                "MIGRATION_DATABASE_URL", urlWithHosts(silent.port(), ""), "ACQUIRE_TIMEOUT", "2s")))
                        .migrations(MigrationSource.directory(dir))
                        .start();
                Connection connection = server.dataSource().getConnection();
                Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("SELECT to_regclass('reached') IS NOT NULL")) {
            rows.next();
            assertEquals(true, rows.getBoolean(1));
        } finally {
            try (Connection connection = DB.connect(); Statement statement = connection.createStatement()) {
                statement.execute("DROP TABLE IF EXISTS reached; DROP TABLE IF EXISTS " + Migrator.HISTORY_TABLE);
            }
        }
    }

    private static void assertStartsAndAnswers(Map<String, String> settings) throws Exception {
        try (BackendServer server = BackendServer.builder().config(config(settings)).start();
                Connection connection = server.dataSource().getConnection();
                Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("SELECT 1")) {
            rows.next();
            assertEquals(1, rows.getInt(1));
        }
    }

    /** A host that accepts connections and never answers: a relay to the database that drops everything. */
    private static TcpProxy silentHost() throws Exception {
        URI postgres = URI.create(DB.jdbcUrl().substring("jdbc:".length()));
        TcpProxy proxy = TcpProxy.to(postgres.getHost(), postgres.getPort());
        proxy.blackhole();
        return proxy;
    }

    /**
     * A port whose connection requests go unanswered, as on a network that drops them: a listener that never
     * accepts, its queue full (Linux then drops further requests), so a connect waits until its timeout.
     */
    private static final class Unanswered implements AutoCloseable {
        private final ServerSocket listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        private final List<Socket> queued = new ArrayList<>();

        Unanswered() throws IOException {
            for (int i = 0; i < 2; i++) {
                Socket socket = new Socket();
                socket.connect(listener.getLocalSocketAddress(), 1000);
                queued.add(socket);
            }
        }

        int port() {
            return listener.getLocalPort();
        }

        @Override
        public void close() throws IOException {
            for (Socket socket : queued) {
                socket.close();
            }
            listener.close();
        }
    }

    /** The silent host first, then the database; without TLS, whose own 5 s wait would hide the reads' bound. */
    private static String urlWithHosts(int silent, String query) {
        URI postgres = URI.create(DB.jdbcUrl().substring("jdbc:".length()));
        return "postgres://" + DB.user() + (DB.password().isEmpty() ? "" : ":" + DB.password()) + "@127.0.0.1:"
                + silent + "," + postgres.getHost() + ":" + postgres.getPort() + "/" + DB.name()
                + "?sslmode=disable" + query;
    }

    private static Config config(Map<String, String> settings) {
        Map<String, String> environment = new HashMap<>(Map.of("HOST", "127.0.0.1", "PORT", "0",
                "MIN_CONNECTIONS", "1", "MAX_CONNECTIONS", "2", "SHUTDOWN_TIMEOUT", "1s"));
        environment.putAll(settings);
        return Config.fromEnvironment(environment);
    }
}
