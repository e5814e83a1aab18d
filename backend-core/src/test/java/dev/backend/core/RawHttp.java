package dev.backend.core;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A deliberately dumb HTTP/1.1 client over one socket, so tests see exactly what went over the wire:
 * which headers, how many body bytes, and whether the connection stayed open. Shared with backend-server's
 * tests through this module's test jar.
 */
public final class RawHttp implements AutoCloseable {

    /** A parsed reply; header names are lower-cased. */
    public record Reply(int status, Map<String, String> headers, byte[] body) {
        /** The header's value, or null. */
        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        /** The body as UTF-8. */
        public String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    /** Connects to {@code port} on loopback. */
    public RawHttp(int port) throws IOException {
        socket = new Socket(InetAddress.getLoopbackAddress(), port);
        socket.setSoTimeout(30_000); // generous: the machines running the tests are small and shared
        in = socket.getInputStream();
        out = socket.getOutputStream();
    }

    /** Sends text as it is, UTF-8 encoded. */
    public void sendRaw(String request) throws IOException {
        sendRaw(request.getBytes(StandardCharsets.UTF_8));
    }

    /** Sends bytes as they are. */
    public void sendRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** Tells the server this client sends nothing more (a half-close), as a client cut off mid-body does. */
    public void finishSending() throws IOException {
        socket.shutdownOutput();
    }

    /** Sends a request without a body and reads the reply. */
    public Reply send(String method, String path, String... headerLines) throws IOException {
        return sendWithBody(method, path, "", headerLines);
    }

    /** Sends {@code body} with a matching Content-Length after the given header lines. */
    public Reply sendWithBody(String method, String path, String body, String... headerLines) throws IOException {
        StringBuilder request = new StringBuilder(method + " " + path + " HTTP/1.1\r\nHost: localhost\r\n");
        for (String line : headerLines) {
            request.append(line).append("\r\n");
        }
        if (!body.isEmpty()) {
            request.append("Content-Length: ").append(body.getBytes(StandardCharsets.UTF_8).length).append("\r\n");
        }
        sendRaw(request.append("\r\n").append(body).toString());
        return read(method.equals("HEAD"));
    }

    /** Reads one reply; {@code head} when it answers a HEAD request. */
    public Reply read(boolean head) throws IOException {
        String statusLine = line();
        int status = Integer.parseInt(statusLine.split(" ")[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        for (String line = line(); !line.isEmpty(); line = line()) {
            int colon = line.indexOf(':');
            headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
        }
        byte[] body;
        if (head || status == 204 || status == 304) {
            body = new byte[0];
        } else if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            ByteArrayOutputStream chunks = new ByteArrayOutputStream();
            for (int size = Integer.parseInt(line().trim(), 16); size > 0; size = Integer.parseInt(line().trim(), 16)) {
                chunks.write(in.readNBytes(size));
                line();
            }
            line();
            body = chunks.toByteArray();
        } else if (headers.containsKey("content-length")) {
            body = in.readNBytes(Integer.parseInt(headers.get("content-length")));
        } else {
            body = in.readAllBytes();
        }
        return new Reply(status, headers, body);
    }

    /** Waits until nothing accepts connections on {@code port}: a stopping server closed its listener. */
    public static void awaitRefused(int port) throws InterruptedException {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            try {
                new Socket(InetAddress.getLoopbackAddress(), port).close();
                Thread.sleep(20); // still listening: the stop has not reached the listener yet
            } catch (IOException refused) {
                return;
            }
        }
        throw new AssertionError("port " + port + " still accepts connections");
    }

    /** True when the server closed the connection (reading hits end of stream). */
    public boolean closedByServer() throws IOException {
        try {
            return in.read() < 0;
        } catch (java.net.SocketException e) {
            return true;
        }
    }

    private String line() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) {
                throw new IOException("connection closed mid-response");
            }
            if (b != '\r') {
                line.write(b);
            }
        }
        return line.toString(StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
