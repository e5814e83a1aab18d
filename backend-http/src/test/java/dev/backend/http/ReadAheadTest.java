package dev.backend.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Plain connections are read by the engine's selector ahead of their handlers ({@link SelectorTransport}): what it
 * holds is bounded, nothing it holds is lost, and writes to a client that is not reading wait for it.
 */
class ReadAheadTest {

    private static final int BODY = 1024 * 1024;

    private HttpServer server;

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private int start(com.sun.net.httpserver.HttpHandler handler) {
        server = TestServers.backend(HttpServerOptions.defaults());
        server.createContext("/", handler);
        server.start();
        return TestServers.port(server);
    }

    @Test
    void aBodyTheHandlerHasNotReadYetIsHeldAtMostTwiceTheReadAheadAndArrivesWhole() throws Exception {
        CountDownLatch arrived = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger heldMost = new AtomicInteger();
        int port = start(exchange -> {
            SelectorTransport transport = assertInstanceOf(SelectorTransport.class, ((Exchange) exchange).connection.transport);
            arrived.countDown();
            try {
                // The client keeps sending meanwhile: the selector must stop reading it, not buffer the megabyte.
                for (int i = 0; i < 20; i++) {
                    heldMost.accumulateAndGet(transport.pending(), Math::max);
                    Thread.sleep(25);
                }
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            byte[] body = exchange.getRequestBody().readAllBytes();
            boolean intact = body.length == BODY && isPattern(body);
            InMemory.answer(exchange, 200, "read " + body.length + (intact ? " intact" : " corrupt"));
        });
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(20_000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST / HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: " + BODY + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            CompletableFuture<Void> sending = CompletableFuture.runAsync(() -> {
                try {
                    out.write(pattern(BODY));
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            assertTrue(arrived.await(10, TimeUnit.SECONDS));
            Thread.sleep(600);
            release.countDown();
            sending.get(20, TimeUnit.SECONDS);
            String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);

            assertTrue(response.startsWith("HTTP/1.1 200 "), response);
            assertTrue(response.endsWith("read " + BODY + " intact"), response);
        }
        assertTrue(heldMost.get() > 0, "the selector read ahead of the handler");
        assertTrue(heldMost.get() < 2 * SelectorTransport.MAX_PENDING, "held " + heldMost.get() + " bytes");
    }

    @Test
    void aBodyDribbledOneByteASegmentIsHeldWithinTheSameBoundCountingEachChunk() throws Exception {
        int dribbled = 4000;
        CountDownLatch arrived = new CountDownLatch(1);
        CountDownLatch sent = new CountDownLatch(1);
        AtomicInteger chunks = new AtomicInteger();
        AtomicInteger pending = new AtomicInteger();
        int port = start(exchange -> {
            SelectorTransport transport = (SelectorTransport) ((Exchange) exchange).connection.transport;
            arrived.countDown();
            try {
                sent.await(20, TimeUnit.SECONDS);
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            chunks.set(transport.chunks());
            pending.set(transport.pending());
            byte[] body = exchange.getRequestBody().readAllBytes();
            InMemory.answer(exchange, 200, "read " + body.length);
        });
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(20_000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST / HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: " + dribbled + "\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            assertTrue(arrived.await(10, TimeUnit.SECONDS));
            // One byte a segment, while the handler reads nothing: each may become a chunk of its own.
            for (int i = 0; i < dribbled; i++) {
                out.write('d');
                java.util.concurrent.locks.LockSupport.parkNanos(20_000);
            }
            sent.countDown();
            String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);

            assertTrue(response.endsWith("read " + dribbled), response);
        }
        // A one-byte array costs some 24 bytes of header and a slot of the queue: thousands of them would hold
        // far more than the bound, though they carry only thousands of bytes.
        assertTrue(chunks.get() * 64 < 2 * SelectorTransport.MAX_PENDING, chunks.get() + " chunks held");
        assertTrue(pending.get() < 2 * SelectorTransport.MAX_PENDING, pending.get() + " bytes held");
    }

    @Test
    void aLargeResponseToAClientThatReadsLateIsWrittenWhole() throws Exception {
        int size = 8 * 1024 * 1024;
        int port = start(exchange -> {
            exchange.sendResponseHeaders(200, size);
            try (OutputStream body = exchange.getResponseBody()) {
                body.write(pattern(size));
            }
        });
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(20_000);
            socket.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            // Far more than the socket buffers hold: the engine's write waits for room until the client reads.
            Thread.sleep(500);
            InputStream in = socket.getInputStream();
            String head = readHead(in);
            byte[] body = in.readNBytes(size);

            assertTrue(head.startsWith("HTTP/1.1 200 "), head);
            assertEquals(size, body.length);
            assertTrue(isPattern(body));
        }
    }

    @Test
    void aHandlerInterruptedWhileWaitingForItsBodyFailsAndTheConnectionCloses() throws Exception {
        CompletableFuture<Throwable> failure = new CompletableFuture<>();
        int port = start(exchange -> {
            Thread.currentThread().interrupt();
            try {
                exchange.getRequestBody().readAllBytes();
                failure.complete(null);
            } catch (IOException e) {
                failure.complete(e);
                throw e;
            } finally {
                Thread.interrupted();
            }
        });
        try (RawClient client = new RawClient(port)) {
            // The head arrives, the body never does: the handler waits for it until the interrupt ends the wait.
            client.send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n");

            assertInstanceOf(IOException.class, failure.get(10, TimeUnit.SECONDS));
            assertTrue(client.closedByServer());
        }
    }

    private static String readHead(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int c = in.read();
            if (c < 0) {
                break;
            }
            head.append((char) c);
        }
        return head.toString();
    }

    private static byte[] pattern(int size) {
        byte[] bytes = new byte[size];
        for (int i = 0; i < size; i++) {
            bytes[i] = (byte) (i % 251);
        }
        return bytes;
    }

    private static boolean isPattern(byte[] bytes) {
        return Arrays.equals(bytes, pattern(bytes.length));
    }
}
