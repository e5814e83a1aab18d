package dev.backend.reference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backend.core.Json;
import dev.backend.core.RawHttp;
import dev.backend.server.ServerProcess;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/** The runnable jar, as an operator runs it: {@code java -jar reference-service.jar} with only environment variables. */
class ServerJarIT {

    private static final String TEXT_LINE = "^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}\\S* (TRACE|DEBUG|INFO |WARN |ERROR) \\[";

    @TempDir
    Path temp;

    private static Path jar() {
        return Path.of(System.getProperty("reference.service.jar", "target/reference-service.jar"));
    }

    @Test
    void startsWithNothingConfiguredOnEmbeddedPostgresAndStopsOnSigtermWithExitCode0() throws Exception {
        Path data = temp.resolve("postgres");
        try (ServerProcess server = ServerProcess.jar(jar(), Map.of("EMBEDDED_DATABASE_DIR", data.toString(), "PORT", "0"))) {
            int port = server.awaitPort(); // within 60 s, a new cluster included
            HttpResponse<String> health = get(port, "/health");
            assertEquals(200, health.statusCode());
            assertEquals("{\"status\":\"UP\",\"checks\":[{\"name\":\"database\",\"status\":\"UP\"}]}", health.body());

            server.terminate();
            assertEquals(0, server.awaitExit(), server.output());
            String output = server.output();
            assertTrue(output.contains("using embedded PostgreSQL (development default) with data in " + data), output);
            assertTrue(output.contains("Received SIGTERM"), output);
            // 0 or 1 in flight: the client has the /health answer a moment before its handler's count drops.
            for (String step : new String[] {"Listener closed, [01] in-flight request\\(s\\) finished \\(\\d+ ms\\)",
                    "Connection pool closed \\(\\d+ ms\\)", "Embedded PostgreSQL stopped \\(\\d+ ms\\)", "Stopped in \\d+ ms"}) {
                server.awaitLine(step);
            }
            // Every line in our format: no plain java.util.logging lines from the provider or the driver.
            for (String line : server.lines()) {
                assertTrue(line.matches(TEXT_LINE + ".*"), line);
            }
        }
        assertTrue(Files.exists(data.resolve("PG_VERSION")), "the data stays for the next start");
    }

    @Test
    void sigtermDuringASlowlyUploadedCreateLetsItFinishWith201ThenExitsWith0() throws Exception {
        Map<String, String> environment = Map.of("EMBEDDED_DATABASE_DIR", temp.resolve("postgres").toString(),
                "PORT", "0", "SHUTDOWN_TIMEOUT", "5m");
        String body = "{\"email\":\"slow@example.com\",\"name\":\"Slow Client\"}";
        int half = body.length() / 2;
        try (ServerProcess server = ServerProcess.jar(jar(), environment)) {
            int port = server.awaitPort();
            try (RawHttp client = new RawHttp(port)) {
                client.sendRaw("POST /api/v1/users HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                        + "Content-Length: " + body.length() + "\r\n\r\n" + body.substring(0, half));
                // The server dispatches once the headers are in; the handler then waits for the rest of the
                // body. The margin only has to cover that dispatch, and the stop log below proves it happened.
                Thread.sleep(1000);
                server.terminate();
                server.awaitLine("Stopping: readiness answers 503");
                RawHttp.awaitRefused(port);
                client.sendRaw(body.substring(half));
                RawHttp.Reply reply = client.read(false);
                assertEquals(201, reply.status(), reply.text());
                assertTrue(reply.text().contains("\"email\":\"slow@example.com\""), reply.text());
            }
            assertEquals(0, server.awaitExit(), server.output());
            server.awaitLine("Listener closed, 1 in-flight request\\(s\\) finished");
        }
    }

    @Test
    void writesOneJsonObjectPerLineAndRecoversEmbeddedPostgresLeftByAKilledServer() throws Exception {
        Map<String, String> environment = Map.of("EMBEDDED_DATABASE_DIR", temp.resolve("postgres").toString(),
                "PORT", "0", "LOG_FORMAT", "json", "HTTP_PROVIDER", "jdk");
        try (ServerProcess killed = ServerProcess.jar(jar(), environment)) {
            assertEquals(200, get(killed.awaitPort(), "/health").statusCode());
            killed.process().destroyForcibly(); // SIGKILL: no stop runs, PostgreSQL (its own session) lives on
            killed.awaitExit();
        }
        try (ServerProcess server = ServerProcess.jar(jar(), environment)) {
            assertEquals(200, get(server.awaitPort(), "/health").statusCode());
            server.terminate();
            assertEquals(0, server.awaitExit(), server.output());
            server.awaitLine("Stopped in \\d+ ms");
            assertTrue(server.output().contains("left running on"), server.output());
            for (String line : server.lines()) {
                JsonNode event = Json.mapper().readTree(line);
                assertTrue(event.isObject(), line);
                assertTrue(event.hasNonNull("level") && event.hasNonNull("formattedMessage"), line);
            }
        }
    }

    @Test
    void migrateAppliesTheMigrationPackagedUnderItsOwnPackageInsideTheJar() throws Exception {
        Map<String, String> environment = Map.of("EMBEDDED_DATABASE_DIR", temp.resolve("postgres").toString());
        try (ServerProcess migrate = ServerProcess.jar(jar(), environment, "migrate")) {
            assertEquals(0, migrate.awaitExit(), migrate.output());
            assertTrue(migrate.output().contains("Applied 1 migration(s) from classpath:dev/backend/reference/migrations to "
                    + "postgres://postgres@localhost:"), migrate.output());
        }
    }

    @Test
    void exitsWith2AndNamesTheVariableOnABadPortBeforeStartingAnything() throws Exception {
        Path data = temp.resolve("postgres");
        try (ServerProcess server = ServerProcess.jar(jar(), Map.of("PORT", "99999", "EMBEDDED_DATABASE_DIR", data.toString()))) {
            assertEquals(2, server.awaitExit());
            assertEquals("Invalid configuration: PORT=99999 is not valid: expected an integer from 0 to 65535",
                    server.output());
        }
        assertFalse(Files.exists(data));
    }

    @Test
    void exitsWith1WithoutPrintingThePasswordWhenTheDatabaseIsUnreachable() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        String url = "postgres://app:Zq9-secret@127.0.0.1:" + closedPort + "/users";
        try (ServerProcess server = ServerProcess.jar(jar(), Map.of("DATABASE_URL", url, "PORT", "0"))) {
            assertEquals(1, server.awaitExit());
            String output = server.output();
            assertTrue(output.contains("Start-up failed: Cannot connect to PostgreSQL at postgres://app:***@127.0.0.1:"
                    + closedPort + "/users"), output);
            assertFalse(output.contains("Zq9"), output);
        }
    }

    static HttpResponse<String> get(int port, String path) throws IOException, InterruptedException {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
