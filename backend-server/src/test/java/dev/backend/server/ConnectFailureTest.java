package dev.backend.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.backend.server.migration.MigrationSource;
import dev.backend.testing.TestDatabase;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A start that cannot reach PostgreSQL says why in one line: the unresolved host, the refusal. pgJDBC alone said
 * "The connection attempt failed." for a DNS failure, which an operator could not tell from a firewall.
 */
class ConnectFailureTest {

    /** RFC 6761 reserves {@code .invalid}: no resolver may answer it. */
    private static final String UNRESOLVABLE = "pg-does-not-exist.invalid";

    /** The server's own database is reachable; only the migrations' is not. */
    @RegisterExtension
    static final TestDatabase DB = new TestDatabase();

    @TempDir
    Path dir;

    @Test
    void anUnresolvableDatabaseHostIsNamedAsADnsFailure() {
        IllegalStateException e = startFails(Map.of("DATABASE_URL", "postgres://app:secret@" + UNRESOLVABLE + ":5432/app"));

        assertEquals("Cannot connect to PostgreSQL at postgres://app:***@" + UNRESOLVABLE + ":5432/app: The connection "
                + "attempt failed. (unknown host " + UNRESOLVABLE + ": DNS cannot resolve it)", e.getMessage());
    }

    @Test
    void anUnresolvableMigrationHostIsNamedWithItsVariable() throws IOException {
        Files.writeString(dir.resolve("V1__t.sql"), "CREATE TABLE t (id int);");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> BackendServer.builder()
                .config(config(Map.of("DATABASE_URL", DB.url(),
                        "MIGRATION_DATABASE_URL", "postgres://owner:secret@" + UNRESOLVABLE + "/app")))
                .migrations(MigrationSource.directory(dir))
                .start());

        assertEquals("Cannot connect to PostgreSQL at postgres://owner:***@" + UNRESOLVABLE + "/app "
                + "(MIGRATION_DATABASE_URL): The connection attempt failed. (unknown host " + UNRESOLVABLE
                + ": DNS cannot resolve it)", e.getMessage());
    }

    @Test
    void aRefusedConnectionIsSaidOnceWithTheAddress() throws IOException {
        int closed;
        try (ServerSocket socket = new ServerSocket(0)) {
            closed = socket.getLocalPort();
        }

        IllegalStateException e = startFails(Map.of("DATABASE_URL", "postgres://app:secret@127.0.0.1:" + closed + "/app"));

        assertEquals("Cannot connect to PostgreSQL at postgres://app:***@127.0.0.1:" + closed + "/app: Connection to "
                + "127.0.0.1:" + closed + " refused. Check that the hostname and port are correct and that the postmaster "
                + "is accepting TCP/IP connections.", e.getMessage());
        assertFalse(e.getMessage().contains("secret"));
    }

    @Test
    void aServerThatAcceptsAndNeverAnswersFailsTheStartWithinTheAcquireTimeout() throws Exception {
        try (Silent server = new Silent()) {
            String url = "postgres://app:secret@127.0.0.1:" + server.port() + "/app?sslmode=disable";
            IllegalStateException e = assertTimeoutPreemptively(Duration.ofSeconds(20),
                    () -> startFails(Map.of("DATABASE_URL", url)));

            assertEquals("Cannot connect to PostgreSQL at postgres://app:***@127.0.0.1:" + server.port()
                    + "/app?sslmode=disable: The connection attempt failed. (timed out: Read timed out)", e.getMessage());
        }
    }

    @Test
    void aMigrationServerThatAcceptsAndNeverAnswersFailsTheStartWithinTheAcquireTimeout() throws Exception {
        Files.writeString(dir.resolve("V1__t.sql"), "CREATE TABLE t (id int);");
        try (Silent server = new Silent()) {
            IllegalStateException e = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> assertThrows(
                    IllegalStateException.class, () -> BackendServer.builder()
                            .config(config(Map.of("DATABASE_URL", DB.url(), "MIGRATION_DATABASE_URL",
                                    "postgres://owner:secret@127.0.0.1:" + server.port() + "/app?sslmode=disable")))
                            .migrations(MigrationSource.directory(dir))
                            .start()));

            assertEquals("Cannot connect to PostgreSQL at postgres://owner:***@127.0.0.1:" + server.port()
                    + "/app?sslmode=disable (MIGRATION_DATABASE_URL): The connection attempt failed. (timed out: Read timed "
                    + "out)", e.getMessage());
        }
    }

    /**
     * Accepts connections and never answers, as an address that failed over or a proxy without its backend does.
     * The tests connect without TLS: pgJDBC bounds its wait for the answer to TLS by 5 s of its own.
     */
    private static final class Silent implements AutoCloseable {
        private final ServerSocket listener = new ServerSocket(0);
        private final List<Socket> accepted = new CopyOnWriteArrayList<>();

        Silent() throws IOException {
            Thread.ofVirtual().start(() -> {
                try {
                    while (true) {
                        accepted.add(listener.accept());
                    }
                } catch (IOException closed) {
                    // the test is over
                }
            });
        }

        int port() {
            return listener.getLocalPort();
        }

        @Override
        public void close() throws IOException {
            listener.close();
            for (Socket socket : accepted) {
                socket.close();
            }
        }
    }

    /**
     * A server that agrees to TLS (PostgreSQL's SSLRequest answered 'S') and then sends bytes that are not TLS, as
     * a proxy or a server on the wrong port might: the failure names TLS, once.
     */
    @Test
    void aTlsFailureSaysItIsTls() throws Exception {
        try (ServerSocket server = new ServerSocket(0)) {
            Thread.ofVirtual().start(() -> {
                try (Socket client = server.accept()) {
                    client.getInputStream().readNBytes(8);
                    client.getOutputStream().write('S');
                    client.getOutputStream().flush();
                    // After the client's hello has begun, so the answer meets its TLS layer, not its buffer.
                    client.getInputStream().readNBytes(5);
                    client.getOutputStream().write("this is not a TLS handshake\n".repeat(4).getBytes(StandardCharsets.US_ASCII));
                    client.getOutputStream().flush();
                    client.getInputStream().readAllBytes();
                } catch (IOException e) {
                    // the client gave up, as it should
                }
            });

            IllegalStateException e = startFails(Map.of("DATABASE_URL",
                    "postgres://app:secret@127.0.0.1:" + server.getLocalPort() + "/app?sslmode=require"));

            // pgJDBC names TLS itself here, quoting its cause, so nothing is added.
            assertEquals("Cannot connect to PostgreSQL at postgres://app:***@127.0.0.1:" + server.getLocalPort()
                    + "/app?sslmode=require: SSL error: Unsupported or unrecognized SSL message", e.getMessage());
        }
    }

    /**
     * Something that is not PostgreSQL at the address (here an HTTP server's answer to the first packet, whether
     * that is the SSLRequest or, with TLS off, the startup message): pgJDBC gives no cause, so the reason is added.
     */
    @ParameterizedTest
    @CsvSource({
        "'', An error occurred while setting up the SSL connection.",
        "?sslmode=disable, Protocol error.  Session setup failed."
    })
    void aServerThatDoesNotAnswerAsPostgresIsNamedSo(String query, String driverMessage) throws Exception {
        try (ServerSocket server = new ServerSocket(0)) {
            Thread.ofVirtual().start(() -> {
                try (Socket client = server.accept()) {
                    client.getInputStream().read(new byte[1024]);
                    client.getOutputStream().write("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n"
                            .getBytes(StandardCharsets.US_ASCII));
                    client.getOutputStream().flush();
                    client.getInputStream().readAllBytes();
                } catch (IOException e) {
                    // the client gave up, as it should
                }
            });

            IllegalStateException e = startFails(Map.of("DATABASE_URL",
                    "postgres://app:secret@127.0.0.1:" + server.getLocalPort() + "/app" + query));

            assertEquals("Cannot connect to PostgreSQL at postgres://app:***@127.0.0.1:" + server.getLocalPort() + "/app"
                    + query + ": " + driverMessage + " (the server there did not answer as PostgreSQL: its first bytes "
                    + "broke the protocol, so the host and port may be another service's, such as an HTTP proxy's)",
                    e.getMessage());
        }
    }

    private static IllegalStateException startFails(Map<String, String> settings) {
        return assertThrows(IllegalStateException.class, () -> BackendServer.builder().config(config(settings)).start());
    }

    private static Config config(Map<String, String> settings) {
        Map<String, String> environment = new HashMap<>(Map.of("HOST", "127.0.0.1", "PORT", "0", "ACQUIRE_TIMEOUT", "1s",
                "SHUTDOWN_TIMEOUT", "1s"));
        environment.putAll(settings);
        return Config.fromEnvironment(environment);
    }
}
