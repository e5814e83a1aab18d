package dev.backend.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backend.core.ServerLog;
import dev.backend.testing.TestDatabase;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * At {@code MAX_HTTP_CONNECTIONS}, with every connection held by a slow client (idle ones, and ones trickling their
 * request a byte at a time, far more of them than the limit), a new client does not hang unanswered: the backend
 * engine serves it in its overflow lane and logs that the limit was reached.
 *
 * <p>Runs in a JVM of its own (see the backend-server pom): the JDK's provider reads its connection limit once
 * per JVM, when its first server starts.
 */
class ConnectionLimitTest {

    @RegisterExtension
    static final TestDatabase DB = new TestDatabase();

    private static final int LIMIT = 20;
    private static final int IDLE = 10;
    /** Enough to fill the rest of the limit, the overflow lane (64) and more. */
    private static final int TRICKLING = 110;

    @ParameterizedTest
    @EnumSource(Config.HttpProvider.class)
    void atTheLimitANewClientIsAnsweredInTheOverflowLaneAndTheLimitIsLogged(Config.HttpProvider provider)
            throws Exception {
        Config config = Config.fromEnvironment(Map.of("DATABASE_URL", DB.url(), "HOST", "127.0.0.1", "PORT", "0",
                "MIN_CONNECTIONS", "1", "HTTP_PROVIDER", provider.name(), "MAX_HTTP_CONNECTIONS", Integer.toString(LIMIT),
                "REQUEST_READ_TIMEOUT", "60s", "IDLE_CONNECTION_TIMEOUT", "60s"));
        try (ServerLog log = new ServerLog(); BackendServer server = BackendServer.builder().config(config).start()) {
            List<Socket> slow = new ArrayList<>();
            try {
                for (int i = 0; i < IDLE + TRICKLING; i++) {
                    Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.port());
                    slow.add(socket);
                    if (i >= IDLE) {
                        Thread.ofVirtual().start(() -> trickle(socket));
                    }
                }
                if (provider == Config.HttpProvider.BACKEND) {
                    String answer = probeUntilAnswered(server.port());
                    assertTrue(answer.startsWith("HTTP/1.1 200 "), answer);
                    assertTrue(answer.contains("\r\nConnection: close\r\n"), "one request in the overflow lane: " + answer);
                    assertTrue(answer.endsWith("{\"status\":\"UP\",\"checks\":[]}"), answer);
                    assertTrue(log.warnings().stream().anyMatch(line -> line.logger().equals("dev.backend.http")
                            && line.message().startsWith("HTTP connection limit reached")), log.warnings().toString());
                } else {
                    // Pinned: past jdk.httpserver.maxConnections the JDK's provider closes every new connection at
                    // once, the liveness probe's too, and logs nothing.
                    assertEquals("", probe(server.port()), "closed without an answer");
                    assertEquals(List.of(), log.warnings().stream()
                            .filter(line -> line.message() != null && line.message().contains("limit")).toList());
                }
            } finally {
                for (Socket socket : slow) {
                    socket.close();
                }
            }
        }
    }

    /** Probes until answered; each attempt must end at once (answered or closed), none may hang. */
    private static String probeUntilAnswered(int port) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            long begin = System.nanoTime();
            String answer = probe(port);
            assertTrue(System.nanoTime() - begin < TimeUnit.SECONDS.toNanos(10), "a probe hung");
            if (!answer.isEmpty() || System.nanoTime() > deadline) {
                return answer;
            }
            Thread.sleep(100);
        }
    }

    /** {@code GET /health/live} on a connection of its own: the whole answer, or empty if closed unanswered. */
    private static String probe(int port) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(15_000);
            try {
                socket.getOutputStream().write("GET /health/live HTTP/1.1\r\nHost: probe\r\n\r\n"
                        .getBytes(StandardCharsets.US_ASCII));
            } catch (IOException closedAtOnce) {
                return "";
            }
            InputStream in = socket.getInputStream();
            try {
                return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
            } catch (IOException reset) {
                return "";
            }
        }
    }

    /** A request head, one byte every half second, until the server or the test closes the socket. */
    private static void trickle(Socket socket) {
        try {
            OutputStream out = socket.getOutputStream();
            for (byte b : "GET /health/live HTTP/1.1\r\nHost: slow\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII)) {
                out.write(b);
                out.flush();
            }
            while (true) {
                out.write('a');
                out.flush();
                Thread.sleep(500);
            }
        } catch (IOException | InterruptedException e) {
            // closed: what the server does to a slow client in the overflow lane, and the test at its end
        }
    }
}
