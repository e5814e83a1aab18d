package dev.backend.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backend.core.HttpAdapter;
import dev.backend.core.Response;
import dev.backend.core.Router;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The listener's own limits against slow and oversized clients (slowloris), under both providers.
 *
 * <p>Runs in a JVM of its own (see the backend-server pom): the JDK's provider reads its limits once, when its
 * first server starts, and these tests need short ones.
 */
class SlowClientTest {

    private static final long READ_TIMEOUT_MILLIS = 2_000;
    private static final long IDLE_TIMEOUT_MILLIS = 2_000;
    /** A generous bound for "was cut off": the limits, the providers' check intervals, and a slow machine. */
    private static final long CUT_OFF_WITHIN_MILLIS = 15_000;

    private static final Map<Config.HttpProvider, HttpListener> LISTENERS = new EnumMap<>(Config.HttpProvider.class);

    /** One listener per provider for the whole class: the JDK's limits hold for the whole JVM anyway. */
    @BeforeAll
    static void start() {
        for (Config.HttpProvider provider : Config.HttpProvider.values()) {
            Config.Http http = Config.fromEnvironment(Map.of(
                    "HOST", "127.0.0.1",
                    "PORT", "0",
                    "HTTP_PROVIDER", provider.name().toLowerCase(Locale.ROOT),
                    "REQUEST_READ_TIMEOUT", READ_TIMEOUT_MILLIS + "ms",
                    "IDLE_CONNECTION_TIMEOUT", IDLE_TIMEOUT_MILLIS + "ms",
                    "MAX_HEADER_SIZE", "4KB")).http();
            Router routes = Router.create().get("/ping", request -> Response.text("pong"));
            LISTENERS.put(provider, HttpListener.start(http, HttpAdapter.of(StandardMiddleware.from(http).wrap(routes.build()))));
        }
    }

    @AfterAll
    static void stop() {
        LISTENERS.values().forEach(listener -> listener.stop(Duration.ofSeconds(1)));
    }

    private static int port(Config.HttpProvider provider) {
        return LISTENERS.get(provider).port();
    }

    @ParameterizedTest
    @EnumSource(Config.HttpProvider.class)
    void cutsOffAClientSendingOneHeaderBytePerSecondWhileServingOthers(Config.HttpProvider provider) throws Exception {
        int port = port(provider);
        try (Socket slow = connect(port)) {
            long begin = System.nanoTime();
            CompletableFuture<Long> closedAfter = closedAfter(slow, begin);
            // 60 bytes at one per second would take a minute: the server must not wait for them.
            Thread.ofVirtual().start(() -> trickle(slow, "GET /ping HTTP/1.1\r\nHost: x\r\nX-Slow: " + "a".repeat(30)));

            int served = 0;
            while (!closedAfter.isDone()) {
                long requestBegin = System.nanoTime();
                assertEquals("pong", ping(port));
                assertTrue(System.nanoTime() - requestBegin < TimeUnit.SECONDS.toNanos(5), "others were kept waiting");
                served++;
                Thread.sleep(200);
                assertTrue(System.nanoTime() - begin < TimeUnit.MILLISECONDS.toNanos(CUT_OFF_WITHIN_MILLIS),
                        "the slow client was not cut off");
            }
            long millis = closedAfter.get();
            assertTrue(millis >= READ_TIMEOUT_MILLIS / 2, "cut off too early, after " + millis + " ms");
            assertTrue(served > 3, "served only " + served + " other requests meanwhile");
        }
    }

    @ParameterizedTest
    @EnumSource(Config.HttpProvider.class)
    void closesAKeepAliveConnectionLeftIdle(Config.HttpProvider provider) throws Exception {
        int port = port(provider);
        try (Socket idle = connect(port)) {
            idle.getOutputStream().write("GET /ping HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            String reply = readReply(idle.getInputStream());
            assertTrue(reply.startsWith("HTTP/1.1 200"), reply);
            long begin = System.nanoTime();

            long millis = closedAfter(idle, begin).get(CUT_OFF_WITHIN_MILLIS, TimeUnit.MILLISECONDS);

            assertTrue(millis >= IDLE_TIMEOUT_MILLIS / 2, "closed too early, after " + millis + " ms");
        }
    }

    @ParameterizedTest
    @EnumSource(Config.HttpProvider.class)
    void closesANewConnectionThatSendsNothing(Config.HttpProvider provider) throws Exception {
        int port = port(provider);
        try (Socket silent = connect(port)) {
            closedAfter(silent, System.nanoTime()).get(CUT_OFF_WITHIN_MILLIS, TimeUnit.MILLISECONDS);

            assertEquals("pong", ping(port));
        }
    }

    @ParameterizedTest
    @EnumSource(Config.HttpProvider.class)
    void refusesAHeaderSectionOverTheMaximumSize(Config.HttpProvider provider) throws Exception {
        int port = port(provider);
        try (Socket big = connect(port)) {
            String request = "GET /ping HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(8 * 1024) + "\r\n\r\n";
            try {
                big.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            } catch (SocketException e) {
                // Closed while we were still writing: refused, as it should be.
            }
            String reply = readReply(big.getInputStream());

            assertFalse(reply.startsWith("HTTP/1.1 200"), reply);
        }
        assertEquals("pong", ping(port));
    }

    private static Socket connect(int port) throws IOException {
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), port);
        socket.setSoTimeout((int) CUT_OFF_WITHIN_MILLIS * 2);
        return socket;
    }

    /** Completes with the milliseconds from {@code begin} until the server closed {@code socket}. */
    private static CompletableFuture<Long> closedAfter(Socket socket, long begin) {
        CompletableFuture<Long> closed = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try {
                while (socket.getInputStream().read() >= 0) {
                    // a reply to a trickled request would be a failure, seen by the caller as no close
                }
            } catch (IOException e) {
                // a reset counts as closed
            }
            closed.complete(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begin));
        });
        return closed;
    }

    private static void trickle(Socket socket, String text) {
        try {
            OutputStream out = socket.getOutputStream();
            for (byte b : text.getBytes(StandardCharsets.US_ASCII)) {
                out.write(b);
                out.flush();
                Thread.sleep(1000);
            }
        } catch (IOException | InterruptedException e) {
            // the server hung up: what the test waits for
        }
    }

    private static String ping(int port) throws IOException {
        try (Socket socket = connect(port)) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write("GET /ping HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            String reply = new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            return reply.substring(reply.indexOf("\r\n\r\n") + 4);
        }
    }

    /** Reads the first reply's status line, headers and Content-Length body, or what comes before the end. */
    private static String readReply(InputStream in) throws IOException {
        StringBuilder reply = new StringBuilder();
        try {
            for (int b = in.read(); b >= 0; b = in.read()) {
                reply.append((char) b);
                if (reply.length() >= 4 && reply.lastIndexOf("\r\n\r\n") == reply.length() - 4) {
                    String headers = reply.toString().toLowerCase(java.util.Locale.ROOT);
                    int length = headers.indexOf("content-length: ");
                    if (length >= 0) {
                        int end = headers.indexOf("\r\n", length);
                        in.readNBytes(Integer.parseInt(headers.substring(length + 16, end).trim()));
                    }
                    break;
                }
            }
        } catch (SocketException e) {
            // reset by the server
        }
        return reply.toString();
    }
}
