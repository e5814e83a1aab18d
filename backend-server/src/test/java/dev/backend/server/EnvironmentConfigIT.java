package dev.backend.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backend.testing.TestDatabase;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An embedder's {@code BackendServer.builder()...start()} with no {@code .config(...)}: it reads the same
 * environment variables the reference service's jar does, and its start-up line says so.
 */
class EnvironmentConfigIT {

    @RegisterExtension
    static final TestDatabase DB = new TestDatabase();

    @Test
    void theBuilderWithoutAConfigurationServesOnThePortAndDatabaseTheEnvironmentNames() throws Exception {
        int port = freePort();
        try (ServerProcess server = ServerProcess.main(SlowUploadMain.class, Map.of("DATABASE_URL", DB.url(),
                "HOST", "127.0.0.1", "PORT", Integer.toString(port), "MIN_CONNECTIONS", "1", "MAX_CONNECTIONS", "3"))) {
            assertEquals(port, server.awaitPort());
            String line = server.awaitLine("Listening on");
            assertTrue(line.contains("pool 1-3 connections to postgres://" + DB.user() + "@"), line);
            assertTrue(line.contains("/" + DB.name() + ", metrics on /metrics, configuration from the environment) in "), line);

            HttpResponse<String> health = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + "/health")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, health.statusCode(), health.body());
            server.terminate();
            assertEquals(0, server.awaitExit(), server.output());
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
