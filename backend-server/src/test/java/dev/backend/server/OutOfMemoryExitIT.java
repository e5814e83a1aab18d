package dev.backend.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.backend.core.RawHttp;
import dev.backend.testing.TestDatabase;
import java.io.IOException;
import java.util.Map;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * An {@link OutOfMemoryError} that reaches the top of a thread ends the process with exit code 3 and one clear
 * line, on both engines, instead of leaving a server that may hang half-dead.
 */
class OutOfMemoryExitIT {

    @RegisterExtension
    static final TestDatabase DB = new TestDatabase();

    @ParameterizedTest
    @EnumSource(Config.HttpProvider.class)
    void anOutOfMemoryErrorEndsTheProcessWithExitCode3AndSaysSo(Config.HttpProvider provider) throws Exception {
        try (ServerProcess server = ServerProcess.main(OutOfMemoryMain.class, Map.of("DATABASE_URL", DB.url(),
                "HOST", "127.0.0.1", "PORT", "0", "MIN_CONNECTIONS", "1", "HTTP_PROVIDER", provider.name()))) {
            try (RawHttp client = new RawHttp(server.awaitPort())) {
                client.sendRaw("GET /out-of-memory HTTP/1.1\r\nHost: localhost\r\n\r\n");
                client.closedByServer();
            } catch (IOException reset) {
                // the process ended under the connection
            }
            assertEquals(3, server.awaitExit(), server.output());
            server.awaitLine("ERROR .*Out of memory in thread .* exiting with code 3 so the process is restarted");
        }
    }
}
