package dev.backend.http.probe;

import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.HttpServer;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * Run in a JVM of its own by ProviderLookupTest: creates a server through {@link HttpServer#create(InetSocketAddress,
 * int, String, com.sun.net.httpserver.HttpHandler, Filter...)}, which picks the JVM's provider, asks it one question
 * and prints what it learned. In a package of its own so it can run next to the engine's named module.
 */
public final class ProviderProbe {

    private ProviderProbe() {
    }

    public static void main(String[] args) throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0, "/",
                exchange -> {
                    byte[] body = "probe".getBytes(StandardCharsets.UTF_8);
                    exchange.sendResponseHeaders(200, body.length);
                    try (OutputStream out = exchange.getResponseBody()) {
                        out.write(body);
                    }
                },
                Filter.beforeHandler("mark", exchange -> exchange.getResponseHeaders().set("X-Filter", "ran")));
        server.start();
        String response;
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.getAddress().getPort())) {
            socket.setSoTimeout(20_000);
            OutputStream out = socket.getOutputStream();
            out.write("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            response = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        }
        server.stop(0);
        System.out.println("server=" + server.getClass().getName());
        System.out.println("module=" + server.getClass().getModule().getName());
        System.out.println("filter=" + response.contains("\r\nX-Filter: ran\r\n"));
        System.out.println("body=" + response.substring(response.indexOf("\r\n\r\n") + 4));
    }
}
