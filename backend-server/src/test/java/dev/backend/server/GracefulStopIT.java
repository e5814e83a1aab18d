package dev.backend.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backend.core.RawHttp;
import dev.backend.testing.TestDatabase;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Signals to a real server process mid-request, under both providers: {@link SlowUploadMain} is an
 * application's main in its own JVM with a route that logs when its handler starts, so the signal is sent
 * exactly while a request is in flight. reference-service's {@code ServerJarIT} does the same against the
 * jar's users API.
 */
class GracefulStopIT {

    @RegisterExtension
    static final TestDatabase DB = new TestDatabase();

    private static ServerProcess start(Config.HttpProvider provider) throws Exception {
        return ServerProcess.main(SlowUploadMain.class, Map.of("DATABASE_URL", DB.url(), "HOST", "127.0.0.1",
                "PORT", "0", "MIN_CONNECTIONS", "1", "SHUTDOWN_TIMEOUT", "10m", "HTTP_PROVIDER", provider.name()));
    }

    @ParameterizedTest
    @EnumSource(Config.HttpProvider.class)
    void sigtermDuringASlowUploadLetsItFinishWith200ThenExitsWith0(Config.HttpProvider provider) throws Exception {
        try (ServerProcess server = start(provider)) {
            int port = server.awaitPort();
            try (RawHttp client = new RawHttp(port)) {
                client.sendRaw("POST /upload HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/octet-stream\r\n"
                        + "Content-Length: 10\r\n\r\nhello");
                server.awaitLine("Upload started");
                server.terminate();
                server.awaitLine("Stopping: readiness answers 503");
                RawHttp.awaitRefused(port);
                client.sendRaw("world"); // the rest of the body, after the listener closed
                RawHttp.Reply reply = client.read(false);
                assertEquals(200, reply.status());
                assertEquals("10 bytes", reply.text());
            }
            assertEquals(0, server.awaitExit(), server.output());
            server.awaitLine("Listener closed, 1 in-flight request\\(s\\) finished");
        }
    }

    @Test
    void aSecondSigtermForcesExitWithoutWaitingForTheRequest() throws Exception {
        try (ServerProcess server = start(Config.HttpProvider.BACKEND)) {
            try (RawHttp client = new RawHttp(server.awaitPort())) {
                client.sendRaw("POST /upload HTTP/1.1\r\nHost: localhost\r\nContent-Length: 10\r\n\r\nhello");
                server.awaitLine("Upload started");
                server.terminate();
                server.awaitLine("Stopping: readiness answers 503");
                server.terminate();
                // Well before SHUTDOWN_TIMEOUT (10m): the second signal does not wait for the upload.
                assertEquals(1, server.awaitExit(), server.output());
            }
            assertTrue(server.output().contains("Second signal: forcing exit"), server.output());
        }
    }
}
