package dev.backend.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backend.server.BackendServer;
import dev.backend.server.Config;
import dev.backend.server.spi.EmbeddedDatabaseProvider;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The module as an application gets it: on the class path, found by backend-server, nothing to call. */
class EmbeddedPostgresProviderTest {

    @TempDir
    Path temp;

    @Test
    void isRegisteredAsTheServiceBackendServerLooksUp() {
        assertEquals(List.of(EmbeddedPostgresProvider.class),
                ServiceLoader.load(EmbeddedDatabaseProvider.class).stream().map(ServiceLoader.Provider::type).toList());
    }

    @Test
    void backendServerWithoutDatabaseUrlStartsItAndStopsItLast() throws Exception {
        Path data = temp.resolve("postgres");
        Config config = Config.fromEnvironment(Map.of("EMBEDDED_DATABASE_DIR", data.toString(), "HOST", "127.0.0.1",
                "PORT", "0", "MIN_CONNECTIONS", "1", "MAX_CONNECTIONS", "2"));
        try (LogCapture log = LogCapture.of(BackendServer.class)) {
            try (BackendServer server = BackendServer.builder().config(config).start()) {
                HttpResponse<String> health = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + server.port() + "/health")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertEquals(200, health.statusCode(), health.body());
            }
            assertTrue(log.lines().getFirst().contains("connections to postgres://postgres@localhost:"), log.lines().toString());
            assertTrue(log.lines().stream().anyMatch(l -> l.startsWith("INFO Embedded PostgreSQL stopped")), log.lines().toString());
        }
        assertTrue(Files.exists(data.resolve("PG_VERSION")), "the data stays for the next start");
    }
}
