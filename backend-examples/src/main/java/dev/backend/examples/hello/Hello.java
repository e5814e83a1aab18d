package dev.backend.examples.hello;

import com.sun.net.httpserver.HttpServer;
import dev.backend.core.Handler;
import dev.backend.core.HttpAdapter;
import dev.backend.core.Response;
import dev.backend.core.Router;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.Executors;

/**
 * Hello world on backend-core alone. {@code HttpServer.create} serves it with the first {@code
 * com.sun.net.httpserver} provider on the class path: with backend-core alone that is the JDK's built-in server
 * ({@code sun.net.httpserver}); in this module, whose other examples bring backend-server and with it backend-http,
 * it is backend-http's engine. The start-up line says which. Run with: {@code backend-examples/run hello}, then
 * {@code curl localhost:8080/hello/you} ({@code PORT} picks another port).
 */
public final class Hello {

    /** The exit code for a {@code PORT} that is not a port: backend-server's {@code ConfigException.EXIT_CODE}. */
    public static final int INVALID_CONFIGURATION = 2;

    private Hello() {}

    /** The application: one route. Tests run it in process with {@code TestClient}. */
    public static Handler app() {
        return Router.create()
                .get("/hello/{name}", request -> Response.text("Hello, " + request.path("name") + "!"))
                .build();
    }

    /** Serves {@link #app()} on {@code port} (0 for any free one), one virtual thread per request. */
    public static HttpServer serve(int port) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(port), 0);
        server.createContext("/", HttpAdapter.of(app()));
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.start();
        return server;
    }

    /**
     * Serves on {@code PORT}, 8080 by default, and says which server implementation answers; a {@code PORT} that is
     * not a port is one line saying so, and exit code 2; a port already in use is one line naming it and {@code
     * PORT}, and exit code 1.
     */
    public static void main(String[] args) throws IOException {
        int port;
        try {
            port = port(System.getenv());
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(INVALID_CONFIGURATION);
            return;
        }
        HttpServer server;
        try {
            server = serve(port);
        } catch (BindException e) {
            // A stack trace would bury the one thing to do: pick another port.
            System.err.println(portInUse(port));
            System.exit(1);
            return;
        }
        System.out.println("Hello listening on port " + server.getAddress().getPort() + " ("
                + server.getClass().getName() + ")");
    }

    /**
     * {@code PORT} as backend-server reads it, with its rules and message: trimmed, and unset or blank is 8080;
     * otherwise the digits 0 to 9 alone (no sign, and not another script's digits, which {@link Integer#parseInt}
     * would take), from 0 (any free port) to 65535. backend-server's own reader is not used: this example is
     * backend-core alone.
     *
     * @param environment variable names to values, usually {@code System.getenv()}
     * @return the port to listen on
     * @throws IllegalArgumentException if {@code PORT} is not a port, with the line backend-server would print,
     *     such as {@code Invalid configuration: PORT=abc is not valid: expected an integer from 0 to 65535}
     */
    public static int port(Map<String, String> environment) {
        String value = environment.get("PORT");
        if (value == null || value.isBlank()) {
            return 8080;
        }
        String v = value.strip();
        // At most 18 digits, as the server: they always fit a long, and leading zeros are allowed.
        boolean digits = v.length() <= 18 && v.chars().allMatch(c -> c >= '0' && c <= '9');
        if (digits && Long.parseLong(v) <= 65535) {
            return Integer.parseInt(v);
        }
        // The range alone would not explain why +8080 or ٨٠٨٠ (which parseInt reads as 8080) is refused.
        boolean notation = false;
        try {
            int n = Integer.parseInt(v);
            notation = n >= 0 && n <= 65535;
        } catch (NumberFormatException e) {
            // not an integer in any notation: the range says it
        }
        throw new IllegalArgumentException("Invalid configuration: PORT=" + shown(v) + " is not valid: "
                + (notation ? "write it in the digits 0 to 9 alone, without a sign; " : "")
                + "expected an integer from 0 to 65535");
    }

    /**
     * The value as backend-server quotes it: control characters and line separators escaped, so the message stays
     * one line, and at most 100 characters, then how many there were.
     */
    private static String shown(String value) {
        StringBuilder shown = new StringBuilder();
        for (int i = 0; i < Math.min(value.length(), 100); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '\n' -> shown.append("\\n");
                case '\r' -> shown.append("\\r");
                case '\t' -> shown.append("\\t");
                default -> shown.append(Character.isISOControl(c) || c == '\u2028' || c == '\u2029'
                        ? String.format("\\u%04x", (int) c) : String.valueOf(c));
            }
        }
        return value.length() > 100 ? shown + "... (" + value.length() + " characters)" : shown.toString();
    }

    /** What a user reads when {@code port} is taken (by {@code ./serve}, say). */
    public static String portInUse(int port) {
        return "Port " + port + " is already in use: run with PORT=<another port>, such as PORT=8081 (PORT=0 picks a free one)";
    }
}
