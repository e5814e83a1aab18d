package dev.backend.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.BasicAuthenticator;
import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.io.FilterInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The {@link HttpExchange} contract on this engine, over real sockets. */
class ExchangeContractTest {

    private HttpServer server;

    private RawClient start(String path, HttpHandler handler) throws IOException {
        server = TestServers.backend(HttpServerOptions.defaults());
        server.createContext(path, handler);
        server.start();
        return new RawClient(TestServers.port(server));
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    private static String get(String path) {
        return "GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n";
    }

    @Test
    void filtersRunInOrderThenTheHandlerAndTheListIsReadPerRequest() throws Exception {
        List<String> calls = new CopyOnWriteArrayList<>();
        try (RawClient client = start("/", exchange -> {
            calls.add("handler");
            InMemory.answer(exchange, 200, "ok");
        })) {
            HttpContext context = server.createContext("/f", exchange -> {
                calls.add("handler");
                InMemory.answer(exchange, 200, String.valueOf(exchange.getAttribute("seen")));
            });
            context.getFilters().add(Filter.beforeHandler("first", exchange -> calls.add("first")));
            context.getFilters().add(Filter.beforeHandler("second", exchange -> {
                calls.add("second");
                exchange.setAttribute("seen", "second");
            }));
            assertEquals("second", client.exchange(get("/f")).text());
            assertEquals(List.of("first", "second", "handler"), calls);

            calls.clear();
            context.getFilters().add(Filter.afterHandler("after", exchange -> calls.add("after " + exchange.getResponseCode())));
            client.exchange(get("/f"));
            // The after-filter runs once the handler returns, which may be after the client has its response.
            assertTrue(ServerContractTest.waitFor(() -> calls.size() == 4));
            assertEquals(List.of("first", "second", "handler", "after 200"), calls);
        }
    }

    @Test
    void anAuthenticatorRunsAfterFiltersAndSetsThePrincipal() throws IOException {
        List<String> calls = new CopyOnWriteArrayList<>();
        try (RawClient client = start("/", exchange -> InMemory.answer(exchange, 200, exchange.getPrincipal().getUsername()))) {
            HttpContext context = server.createContext("/private",
                    exchange -> InMemory.answer(exchange, 200, "hello " + exchange.getPrincipal().getUsername()));
            context.getFilters().add(Filter.beforeHandler("log", exchange -> calls.add("filter")));
            context.setAuthenticator(new BasicAuthenticator("realm") {
                @Override
                public boolean checkCredentials(String user, String password) {
                    calls.add("authenticator");
                    return user.equals("ada") && password.equals("secret");
                }
            });

            RawClient.Response refused = client.exchange("GET /private HTTP/1.1\r\nHost: x\r\nAuthorization: Basic "
                    + Base64.getEncoder().encodeToString("ada:wrong".getBytes(StandardCharsets.UTF_8)) + "\r\n\r\n");
            RawClient.Response challenged = client.exchange(get("/private"));
            RawClient.Response admitted = client.exchange("GET /private HTTP/1.1\r\nHost: x\r\nAuthorization: Basic "
                    + Base64.getEncoder().encodeToString("ada:secret".getBytes(StandardCharsets.UTF_8)) + "\r\n\r\n");

            assertEquals(401, refused.status());
            assertEquals(401, challenged.status());
            assertEquals("Basic realm=\"realm\", charset=\"UTF-8\"", challenged.header("WWW-Authenticate"));
            assertEquals("Basic realm=\"realm\", charset=\"UTF-8\"", refused.header("WWW-Authenticate"));
            assertEquals("hello ada", admitted.text());
            assertEquals(List.of("filter", "authenticator", "filter", "filter", "authenticator"), calls);
        }
    }

    @Test
    void aRefusedRequestsBodyIsNotReadToTheEnd() throws IOException {
        try (RawClient client = start("/", exchange -> InMemory.answer(exchange, 200, "never"))) {
            server.createContext("/private", exchange -> InMemory.answer(exchange, 200, "never"))
                    .setAuthenticator(new BasicAuthenticator("realm") {
                        @Override
                        public boolean checkCredentials(String user, String password) {
                            return false;
                        }
                    });
            // A body announced as huge and never sent: reading it would hang until the read timeout.
            RawClient.Response response = client.exchange("POST /private HTTP/1.1\r\nHost: x\r\n"
                    + "Content-Length: 1000000000\r\n\r\nsome");

            assertEquals(401, response.status());
            assertEquals("close", response.header("Connection"));
        }
    }

    @Test
    void attributesBelongToOneExchange() throws IOException {
        try (RawClient client = start("/", exchange -> {
            Object before = exchange.getAttribute("count");
            exchange.setAttribute("count", 1);
            exchange.setAttribute("gone", "x");
            exchange.setAttribute("gone", null);
            assertThrows(NullPointerException.class, () -> exchange.getAttribute(null));
            InMemory.answer(exchange, 200, before + " " + exchange.getAttribute("count") + " " + exchange.getAttribute("gone"));
        })) {
            assertEquals("null 1 null", client.exchange(get("/")).text());
            assertEquals("null 1 null", client.exchange(get("/")).text());
        }
    }

    @Test
    void theExchangeDescribesTheRequest() throws IOException {
        try (RawClient client = start("/", exchange -> InMemory.answer(exchange, 200, String.join("|",
                exchange.getRequestMethod(), exchange.getRequestURI().toString(), exchange.getProtocol(),
                String.valueOf(exchange.getResponseCode()), String.valueOf(exchange.getPrincipal()),
                String.valueOf(exchange.getRemoteAddress().getAddress().isLoopbackAddress()),
                String.valueOf(exchange.getLocalAddress().getPort() == TestServers.port(server)),
                exchange.getHttpContext().getPath())))) {
            assertEquals("PATCH|/a/b?c=d|HTTP/1.1|-1|null|true|true|/",
                    client.exchange("PATCH /a/b?c=d HTTP/1.1\r\nHost: x\r\n\r\n").text());
            assertEquals("GET|/|HTTP/1.0|-1|null|true|true|/", client.exchange("GET / HTTP/1.0\r\n\r\n").text());
        }
    }

    @Test
    void requestHeadersAreReadOnlyAndKeepEveryValueInOrder() throws IOException {
        try (RawClient client = start("/", exchange -> {
            var headers = exchange.getRequestHeaders();
            assertThrows(UnsupportedOperationException.class, () -> headers.add("X", "y"));
            assertThrows(UnsupportedOperationException.class, () -> headers.remove("Accept"));
            assertThrows(UnsupportedOperationException.class, () -> headers.get("Accept").add("z"));
            InMemory.answer(exchange, 200, headers.get("accept") + " " + headers.getFirst("ACCEPT") + " " + headers.keySet());
        })) {
            assertEquals("[a, b] a [Host, Accept]",
                    client.exchange("GET / HTTP/1.1\r\nHost: x\r\nAccept: a\r\naccept: b\r\n\r\n").text());
        }
    }

    @Test
    void theResponseCodeIsSetBySendResponseHeadersAndASecondCallFails() throws IOException {
        CompletableFuture<String> seen = new CompletableFuture<>();
        try (RawClient client = start("/", exchange -> {
            int before = exchange.getResponseCode();
            exchange.sendResponseHeaders(202, -1);
            IOException second = assertThrows(IOException.class, () -> exchange.sendResponseHeaders(200, -1));
            seen.complete(before + " " + exchange.getResponseCode() + " " + second.getMessage());
        })) {
            assertEquals(202, client.exchange(get("/")).status());
            assertEquals("-1 202 headers already sent", seen.join());
        }
    }

    @Test
    void theBodyStreamsAreTheSameObjectsAndWritingBeforeTheHeadersFails() throws IOException {
        try (RawClient client = start("/", exchange -> {
            OutputStream early = exchange.getResponseBody();
            InputStream in = exchange.getRequestBody();
            assertThrows(IOException.class, () -> early.write(1));
            assertSame(in, exchange.getRequestBody());
            exchange.sendResponseHeaders(200, 2);
            assertSame(early, exchange.getResponseBody());
            early.write("ok".getBytes(StandardCharsets.UTF_8));
            early.close();
        })) {
            assertEquals("ok", client.exchange(get("/")).text());
        }
    }

    @Test
    void setStreamsLetsAFilterWrapTheBodies() throws IOException {
        try (RawClient client = start("/", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        })) {
            server.createContext("/upper", exchange -> {
                byte[] body = exchange.getRequestBody().readAllBytes();
                exchange.sendResponseHeaders(200, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            }).getFilters().add(new Filter() {
                @Override
                public void doFilter(HttpExchange exchange, Chain chain) throws IOException {
                    InputStream in = new FilterInputStream(exchange.getRequestBody()) {
                        @Override
                        public int read(byte[] b, int off, int len) throws IOException {
                            int n = super.read(b, off, len);
                            for (int i = off; i < off + Math.max(n, 0); i++) {
                                b[i] = (byte) Character.toUpperCase(b[i]);
                            }
                            return n;
                        }
                    };
                    OutputStream out = new FilterOutputStream(exchange.getResponseBody()) {
                        @Override
                        public void write(byte[] b, int off, int len) throws IOException {
                            out.write(("[" + new String(b, off, len, StandardCharsets.UTF_8) + "]")
                                    .getBytes(StandardCharsets.UTF_8), 0, len);
                        }
                    };
                    exchange.setStreams(in, out);
                    exchange.setStreams(null, null);
                    chain.doFilter(exchange);
                }

                @Override
                public String description() {
                    return "wrapper";
                }
            });
            assertEquals("[ABC", client.exchange("POST /upper HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\nabcd").text());
        }
    }

    @Test
    void bodiesCanBeReadAndWrittenByteByByte() throws IOException {
        try (RawClient client = start("/", exchange -> {
            InputStream in = exchange.getRequestBody();
            StringBuilder text = new StringBuilder();
            for (int b = in.read(); b >= 0; b = in.read()) {
                text.append((char) b);
            }
            boolean chunked = exchange.getRequestURI().getQuery() != null;
            exchange.sendResponseHeaders(200, chunked ? 0 : text.length());
            try (OutputStream out = exchange.getResponseBody()) {
                for (char c : text.reverse().toString().toCharArray()) {
                    out.write(c);
                }
            }
        })) {
            assertEquals("olleh", client.exchange("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello").text());
            assertEquals("dlrow", client.exchange("POST /?chunked HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "2\r\nwo\r\n3\r\nrld\r\n0\r\n\r\n").text());
        }
    }

    @Test
    void aHandlerMayFinishTheResponseFromAnotherThread() throws IOException {
        ExecutorService later = Executors.newSingleThreadExecutor();
        try (RawClient client = start("/", exchange -> later.execute(() -> {
            try {
                Thread.sleep(50);
                InMemory.answer(exchange, 200, "later");
            } catch (IOException | InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }))) {
            assertEquals("later", client.exchange(get("/")).text());
            assertEquals("later", client.exchange(get("/")).text(), "the connection serves the next request after it");
        } finally {
            later.shutdownNow();
        }
    }

    @Test
    void withoutAnExecutorHandlersRunOnTheConnectionsVirtualThread() throws IOException {
        try (RawClient client = start("/", exchange -> InMemory.answer(exchange, 200,
                Thread.currentThread().isVirtual() + " " + Thread.currentThread().getName()))) {
            assertTrue(client.exchange(get("/")).text().startsWith("true backend-http-connection-"));
        }
    }

    @Test
    void withAnExecutorEachExchangeIsOneTaskOnIt() throws Exception {
        ExecutorService executor = Executors.newFixedThreadPool(1, runnable -> new Thread(runnable, "user-executor"));
        server = TestServers.backend(HttpServerOptions.defaults());
        server.createContext("/", exchange -> InMemory.answer(exchange, 200, Thread.currentThread().getName()));
        server.setExecutor(executor);
        server.start();
        try (RawClient client = new RawClient(TestServers.port(server))) {
            assertEquals("user-executor", client.exchange(get("/")).text());
            assertEquals("user-executor", client.exchange(get("/")).text());
        } finally {
            server.stop(0);
            executor.shutdownNow();
            assertTrue(executor.awaitTermination(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void anExecutorThatRefusesTheExchangeGets503() throws IOException {
        server = TestServers.backend(HttpServerOptions.defaults());
        server.createContext("/", exchange -> InMemory.answer(exchange, 200, "never"));
        server.setExecutor(task -> {
            throw new RejectedExecutionException("full");
        });
        server.start();
        try (RawClient client = new RawClient(TestServers.port(server))) {
            RawClient.Response response = client.exchange(get("/"));
            assertEquals(503, response.status());
            assertEquals("close", response.header("Connection"));
            assertFalse(response.text().contains("full"));
        }
    }

    @Test
    void aHandlerThatThrowsBeforeTheHeadersGets500AndTheConnectionCloses() throws IOException {
        try (RawClient client = start("/", exchange -> {
            throw new IllegalStateException("secret detail");
        })) {
            RawClient.Response response = client.exchange(get("/"));
            assertEquals(500, response.status());
            assertEquals("Internal Server Error\n", response.text());
            assertEquals("close", response.header("Connection"));
            assertTrue(client.closedByServer());
        }
    }

    @Test
    void closingTheExchangeWithoutHeadersGets500() throws IOException {
        try (RawClient client = start("/", HttpExchange::close)) {
            assertEquals(500, client.exchange(get("/")).status());
        }
    }

    @Test
    void aConnectionCloseFromTheHandlerEndsTheConnectionAfterTheResponse() throws IOException {
        try (RawClient client = start("/", exchange -> {
            exchange.getResponseHeaders().set("Connection", "close");
            InMemory.answer(exchange, 200, "bye");
        })) {
            RawClient.Response response = client.exchange(get("/"));
            assertEquals("bye", response.text());
            assertEquals(List.of("Date", "Connection", "Content-Type", "Content-Length"), response.names());
            assertTrue(client.closedByServer());
        }
    }

    @Test
    void theRequestBodyEndsAtItsFramedEndAndFailsOnceClosed() throws IOException {
        try (RawClient client = start("/", exchange -> {
            InputStream in = exchange.getRequestBody();
            byte[] first = in.readNBytes(2);
            int available = in.available();
            byte[] rest = in.readAllBytes();
            int after = in.read();
            in.close();
            assertThrows(IOException.class, in::read);
            InMemory.answer(exchange, 200, new String(first, StandardCharsets.UTF_8) + "|"
                    + (available >= 0 && available <= 3) + "|" + new String(rest, StandardCharsets.UTF_8) + "|" + after);
        })) {
            assertEquals("ab|true|cde|-1", client.exchange(
                    "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nabcde").text());
            assertEquals("ab|true|cde|-1", client.exchange("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "2\r\nab\r\n3\r\ncde\r\n0\r\n\r\n").text());
            assertEquals("|true||-1", client.exchange(get("/")).text(), "a request without body reads as empty");
        }
    }
}
