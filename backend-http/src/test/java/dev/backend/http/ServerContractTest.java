package dev.backend.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.BindException;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The {@link HttpServer} contract (lifecycle, contexts), checked on the JDK's server and on this engine alike,
 * so both are held to the same answers.
 */
class ServerContractTest {

    static Stream<Arguments> servers() {
        return Stream.of(
                Arguments.of("jdk", (Supplier<HttpServer>) TestServers::jdk),
                Arguments.of("backend", (Supplier<HttpServer>) () -> TestServers.backend(HttpServerOptions.defaults())));
    }

    private static final HttpHandler OK = exchange -> {
        exchange.sendResponseHeaders(200, -1);
        exchange.close();
    };

    @ParameterizedTest(name = "{0}")
    @MethodSource("servers")
    void bindingTwiceIsABindException(String name, Supplier<HttpServer> servers) {
        HttpServer server = servers.get();
        try {
            assertThrows(BindException.class, () -> server.bind(TestServers.anyPort(), 0));
        } finally {
            server.stop(0);
        }
    }

    @org.junit.jupiter.api.Test
    void aCreateThatCannotBindLeavesNoSocketOpen() throws IOException {
        var os = (com.sun.management.UnixOperatingSystemMXBean)
                java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        HttpServer taken = TestServers.backend(HttpServerOptions.defaults());
        try {
            long before = os.getOpenFileDescriptorCount();
            for (int i = 0; i < 100; i++) {
                assertThrows(BindException.class, () -> BackendHttp.create(taken.getAddress(), 0,
                        HttpServerOptions.defaults()));
            }
            assertTrue(os.getOpenFileDescriptorCount() - before < 50,
                    (os.getOpenFileDescriptorCount() - before) + " descriptors more after 100 failed creates");
        } finally {
            taken.stop(0);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("servers")
    void startingTwiceOrAfterStopIsIllegal(String name, Supplier<HttpServer> servers) {
        HttpServer server = servers.get();
        server.start();
        assertThrows(IllegalStateException.class, server::start);
        assertThrows(IllegalStateException.class, () -> server.setExecutor(Runnable::run));
        server.stop(0);
        assertThrows(IllegalStateException.class, server::start);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("servers")
    void stoppingWithANegativeDelayIsIllegal(String name, Supplier<HttpServer> servers) {
        HttpServer server = servers.get();
        try {
            assertThrows(IllegalArgumentException.class, () -> server.stop(-1));
        } finally {
            server.stop(0);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("servers")
    void anExecutorIsNullUntilSet(String name, Supplier<HttpServer> servers) {
        HttpServer server = servers.get();
        try {
            assertNull(server.getExecutor());
            Executor executor = Runnable::run;
            server.setExecutor(executor);
            assertSame(executor, server.getExecutor());
            server.setExecutor(null);
            assertNull(server.getExecutor());
        } finally {
            server.stop(0);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("servers")
    void contextPathsAreValidatedAndUnique(String name, Supplier<HttpServer> servers) {
        HttpServer server = servers.get();
        try {
            assertThrows(IllegalArgumentException.class, () -> server.createContext("api", OK));
            assertThrows(NullPointerException.class, () -> server.createContext(null, OK));
            assertThrows(NullPointerException.class, () -> server.createContext("/a", null));
            assertThrows(NullPointerException.class, () -> server.createContext(null));
            HttpContext context = server.createContext("/a", OK);
            assertEquals("/a", context.getPath());
            assertSame(server, context.getServer());
            assertThrows(IllegalArgumentException.class, () -> server.createContext("/a", OK));
            assertThrows(IllegalArgumentException.class, () -> server.removeContext("/b"));
            server.removeContext("/a");
            assertThrows(IllegalArgumentException.class, () -> server.removeContext(context));
            server.createContext("/a", OK);
        } finally {
            server.stop(0);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("servers")
    void theLongestContextPrefixServesARequest(String name, Supplier<HttpServer> servers) throws IOException {
        HttpServer server = servers.get();
        server.createContext("/", exchange -> InMemory.answer(exchange, 200, "root"));
        server.createContext("/api", exchange -> InMemory.answer(exchange, 200, "api"));
        server.createContext("/api/users", exchange -> InMemory.answer(exchange, 200, "users"));
        server.createContext("/empty");
        server.start();
        try (RawClient client = new RawClient(TestServers.port(server))) {
            assertEquals("users", client.exchange(get("/api/users/7")).text());
            assertEquals("api", client.exchange(get("/api")).text());
            assertEquals("api", client.exchange(get("/apiary")).text(), "a prefix of characters, not of segments");
            assertEquals("root", client.exchange(get("/API")).text(), "case-sensitive");
        }
        try (RawClient client = new RawClient(TestServers.port(server))) {
            assertEquals(500, client.exchange(get("/empty")).status(), "a context without handler");
        } finally {
            server.stop(0);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("servers")
    void aRequestNoContextServesIsA404(String name, Supplier<HttpServer> servers) throws IOException {
        HttpServer server = servers.get();
        server.createContext("/api", OK);
        server.start();
        try (RawClient client = new RawClient(TestServers.port(server))) {
            assertEquals(404, client.exchange(get("/other")).status());
        } finally {
            server.stop(0);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("servers")
    void aRemovedContextServesNoMore(String name, Supplier<HttpServer> servers) throws IOException {
        HttpServer server = servers.get();
        server.createContext("/gone", OK);
        server.start();
        try {
            server.removeContext("/gone");
            try (RawClient client = new RawClient(TestServers.port(server))) {
                assertEquals(404, client.exchange(get("/gone")).status());
            }
        } finally {
            server.stop(0);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("servers")
    void anUnboundServerHasNoAddressAndCannotStart(String name, Supplier<HttpServer> servers) throws IOException {
        HttpServer bound = servers.get();
        boolean jdk = bound.getClass().getName().startsWith("sun.");
        bound.stop(0);
        HttpServer server = jdk ? HttpServer.create() : BackendHttp.create(null, 0, HttpServerOptions.defaults());
        try {
            assertNull(server.getAddress());
            assertThrows(IllegalStateException.class, server::start);
            assertThrows(NullPointerException.class, () -> server.bind(null, 0));
            server.bind(TestServers.anyPort(), 0);
            assertFalse(server.getAddress().getPort() == 0);
        } finally {
            server.stop(0);
        }
    }

    static String get(String path) {
        return "GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n";
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("servers")
    void theServerThreadKeepsTheJvmAliveWhileItRuns(String name, Supplier<HttpServer> servers) throws Exception {
        HttpServer server = servers.get();
        long before = liveNonDaemonThreads();
        server.start();
        try {
            assertTrue(liveNonDaemonThreads() > before);
        } finally {
            server.stop(0);
        }
        assertTrue(waitFor(() -> liveNonDaemonThreads() <= before), "the server thread ends with stop");
    }

    private static long liveNonDaemonThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.isAlive() && !t.isDaemon()).count();
    }

    static boolean waitFor(java.util.function.BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return true;
            }
            Thread.sleep(10);
        }
        return condition.getAsBoolean();
    }
}
