package dev.backend.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** What goes over the wire for each {@code sendResponseHeaders} call, over real sockets. */
class ResponseWritingTest {

    private static HttpServer server;
    private static final Map<String, CompletableFuture<String>> FAILURES = new ConcurrentHashMap<>();
    private static final byte[] LARGE = new byte[1 << 20];

    @BeforeAll
    static void start() {
        for (int i = 0; i < LARGE.length; i++) {
            LARGE[i] = (byte) ('a' + i % 26);
        }
        server = TestServers.backend(HttpServerOptions.defaults());
        server.createContext("/status/", exchange -> {
            int status = Integer.parseInt(exchange.getRequestURI().getPath().substring("/status/".length()));
            exchange.getResponseHeaders().set("Content-Length", "99");
            exchange.getResponseHeaders().set("Transfer-Encoding", "gzip");
            byte[] body = "body".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            } catch (IOException e) {
                // 204 and 304 take no body: the write fails, the response went out already.
            }
        });
        server.createContext("/typed", exchange -> {
            exchange.getResponseHeaders().set("content-TYPE", "text/plain");
            exchange.getResponseHeaders().add("Set-Cookie", "a=1");
            exchange.getResponseHeaders().add("set-cookie", "b=2");
            exchange.getResponseHeaders().set("Date", "Sun, 06 Nov 1994 08:49:37 GMT");
            InMemory.answer(exchange, 200, "typed");
        });
        server.createContext("/chunked", exchange -> {
            exchange.sendResponseHeaders(200, 0);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write("part one, ".getBytes(StandardCharsets.UTF_8));
                out.flush();
                out.write("part two".getBytes(StandardCharsets.UTF_8));
            }
        });
        server.createContext("/large-fixed", exchange -> {
            exchange.sendResponseHeaders(200, LARGE.length);
            try (OutputStream out = exchange.getResponseBody()) {
                for (int i = 0; i < LARGE.length; i += 1000) {
                    out.write(LARGE, i, Math.min(1000, LARGE.length - i));
                }
            }
        });
        server.createContext("/large-chunked", exchange -> {
            exchange.sendResponseHeaders(200, 0);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(LARGE, 0, 100);
                out.write(LARGE, 100, LARGE.length - 100);
            }
        });
        server.createContext("/too-many", exchange -> {
            exchange.sendResponseHeaders(200, 3);
            OutputStream out = exchange.getResponseBody();
            out.write("ab".getBytes(StandardCharsets.UTF_8));
            FAILURES.get("/too-many").complete(assertThrows(IOException.class,
                    () -> out.write("cd".getBytes(StandardCharsets.UTF_8))).getMessage());
        });
        server.createContext("/too-few", exchange -> {
            exchange.sendResponseHeaders(200, 3);
            OutputStream out = exchange.getResponseBody();
            out.write("ab".getBytes(StandardCharsets.UTF_8));
            FAILURES.get("/too-few").complete(assertThrows(IOException.class, out::close).getMessage());
        });
        server.createContext("/fails-midway", exchange -> {
            exchange.sendResponseHeaders(200, 0);
            OutputStream out = exchange.getResponseBody();
            out.write("complete chunk".getBytes(StandardCharsets.UTF_8));
            out.flush();
            out.write("lost".getBytes(StandardCharsets.UTF_8));
            throw new IllegalStateException("the data source failed");
        });
        server.createContext("/early-hints", exchange -> {
            exchange.getResponseHeaders().set("Link", "</style.css>; rel=preload");
            exchange.sendResponseHeaders(103, -1);
            InMemory.answer(exchange, 200, "final");
        });
        server.createContext("/no-body", exchange -> exchange.sendResponseHeaders(202, -1));
        server.createContext("/invalid-values", exchange -> {
            var headers = exchange.getResponseHeaders();
            String failures = String.join(",",
                    assertThrows(IllegalArgumentException.class, () -> headers.set("X", "a\r\nInjected: 1")).getClass().getSimpleName(),
                    assertThrows(IllegalArgumentException.class, () -> headers.set("X", "a\nb")).getClass().getSimpleName(),
                    assertThrows(IllegalArgumentException.class, () -> headers.set("X", "\u20ac")).getClass().getSimpleName(),
                    assertThrows(IllegalArgumentException.class, () -> headers.set("Bad Name", "v")).getClass().getSimpleName(),
                    assertThrows(IllegalArgumentException.class, () -> headers.add("X:", "v")).getClass().getSimpleName());
            headers.set("X", "ok");
            headers.get("X").add("late\r\nInjected: 1");
            FAILURES.get("/invalid-values").complete(failures + "|" + assertThrows(IllegalArgumentException.class,
                    () -> exchange.sendResponseHeaders(200, -1)).getClass().getSimpleName());
            headers.remove("X");
            exchange.sendResponseHeaders(200, -1);
        });
        server.start();
    }

    @AfterAll
    static void stop() {
        server.stop(0);
    }

    private static RawClient client() throws IOException {
        return new RawClient(TestServers.port(server));
    }

    private static String get(String path) {
        return "GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n";
    }

    @Test
    void fieldsGoOutAsTheHandlerSpelledThemAndAHandlersDateIsKept() throws IOException {
        try (RawClient client = client()) {
            RawClient.Response response = client.exchange(get("/typed"));

            // The last set() of a name decides its spelling ("content-TYPE", then "Content-Type" by answer()).
            assertEquals(List.of("Content-Type", "Set-Cookie", "Set-Cookie", "Date", "Content-Length"), response.names());
            assertEquals("Sun, 06 Nov 1994 08:49:37 GMT", response.header("Date"));
            assertEquals("[a=1, b=2]", response.fields().stream().filter(f -> f[0].equals("Set-Cookie"))
                    .map(f -> f[1]).toList().toString());
        }
    }

    @Test
    void theDateIsAnImfFixdateOfNow() throws IOException {
        try (RawClient client = client()) {
            String date = client.exchange(get("/status/200")).header("Date");

            assertTrue(date.matches("(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \\d{2} [A-Z][a-z]{2} \\d{4} \\d{2}:\\d{2}:\\d{2} GMT"), date);
            ZonedDateTime sent = ZonedDateTime.parse(date, DateTimeFormatter.RFC_1123_DATE_TIME);
            assertTrue(Duration.between(sent, ZonedDateTime.now()).abs().toSeconds() < 60, date);
        }
    }

    @Test
    void everyRegisteredStatusHasItsReasonPhrase() throws IOException {
        Map<Integer, String> reasons = Map.ofEntries(Map.entry(201, "Created"), Map.entry(207, "Multi-Status"),
                Map.entry(308, "Permanent Redirect"), Map.entry(413, "Content Too Large"), Map.entry(421, "Misdirected Request"),
                Map.entry(422, "Unprocessable Content"), Map.entry(425, "Too Early"), Map.entry(428, "Precondition Required"),
                Map.entry(429, "Too Many Requests"), Map.entry(431, "Request Header Fields Too Large"),
                Map.entry(451, "Unavailable For Legal Reasons"), Map.entry(508, "Loop Detected"),
                Map.entry(511, "Network Authentication Required"));
        try (RawClient client = client()) {
            for (Map.Entry<Integer, String> reason : reasons.entrySet()) {
                assertEquals("HTTP/1.1 " + reason.getKey() + " " + reason.getValue(),
                        client.exchange(get("/status/" + reason.getKey())).statusLine());
            }
            assertEquals("HTTP/1.1 299 ", client.exchange(get("/status/299")).statusLine(), "the space stays (§4)");
        }
    }

    @Test
    void aPositiveLengthIsExactAndReplacesTheHandlersFramingFields() throws IOException {
        try (RawClient client = client()) {
            RawClient.Response response = client.exchange(get("/status/200"));

            assertEquals("4", response.header("Content-Length"));
            assertNull(response.header("Transfer-Encoding"));
            assertEquals("body", response.text());
        }
    }

    @Test
    void lengthZeroMeansChunked() throws IOException {
        try (RawClient client = client()) {
            RawClient.Response response = client.exchange(get("/chunked"));

            assertEquals("chunked", response.header("Transfer-Encoding"));
            assertNull(response.header("Content-Length"));
            assertEquals("part one, part two", response.text());
            assertTrue(response.complete());
        }
    }

    @Test
    void lengthMinusOneSendsAnEmptyBodyWithContentLengthZero() throws IOException {
        try (RawClient client = client()) {
            RawClient.Response response = client.exchange(get("/no-body"));

            assertEquals(202, response.status());
            assertEquals("0", response.header("Content-Length"));
        }
    }

    @Test
    void headKeepsTheHandlersContentLengthAndSendsNoBody() throws IOException {
        try (RawClient client = client()) {
            RawClient.Response head = client.exchange("HEAD /status/200 HTTP/1.1\r\nHost: x\r\n\r\n");
            // A body after the HEAD response would be read as the next status line.
            RawClient.Response next = client.exchange(get("/status/201"));

            assertEquals("99", head.header("Content-Length"));
            assertNull(head.header("Transfer-Encoding"));
            assertEquals(201, next.status());
        }
    }

    @Test
    void noContentHasNoContentLengthAndNotModifiedKeepsTheHandlers() throws IOException {
        try (RawClient client = client()) {
            RawClient.Response noContent = client.exchange(get("/status/204"));
            RawClient.Response notModified = client.exchange(get("/status/304"));
            RawClient.Response next = client.exchange(get("/status/200"));

            assertNull(noContent.header("Content-Length"));
            assertNull(noContent.header("Transfer-Encoding"));
            assertEquals("99", notModified.header("Content-Length"));
            assertEquals("body", next.text());
        }
    }

    @Test
    void anInterimResponseGoesOutBeforeTheFinalOne() throws IOException {
        try (RawClient client = client()) {
            client.send(get("/early-hints"));
            RawClient.Response hints = client.read(false);
            RawClient.Response last = client.read(false);

            assertEquals("HTTP/1.1 103 Early Hints", hints.statusLine());
            assertEquals("</style.css>; rel=preload", hints.header("Link"));
            assertEquals("final", last.text());
        }
    }

    @Test
    void http10GetsNoInterimResponseAndACloseDelimitedBodyForLengthZero() throws IOException {
        try (RawClient client = client()) {
            RawClient.Response hints = client.exchange("GET /early-hints HTTP/1.0\r\n\r\n");
            assertEquals(200, hints.status());
            assertEquals("close", hints.header("Connection"));
        }
        try (RawClient client = client()) {
            RawClient.Response response = client.exchange("GET /chunked HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");

            assertNull(response.header("Transfer-Encoding"), "no chunking for HTTP/1.0 (RFC 9112 §6.1)");
            assertEquals("close", response.header("Connection"));
            assertEquals("part one, part two", response.text());
        }
    }

    @Test
    void http10KeepAliveIsAnsweredAndKept() throws IOException {
        try (RawClient client = client()) {
            RawClient.Response first = client.exchange("GET /status/200 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
            RawClient.Response second = client.exchange("GET /status/201 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");

            assertEquals("keep-alive", first.header("Connection"));
            assertEquals(201, second.status());
        }
    }

    @Test
    void bodiesLargerThanTheBufferArriveWhole() throws IOException {
        try (RawClient client = client()) {
            assertArrayEquals(LARGE, client.exchange(get("/large-fixed")).body());
            RawClient.Response chunked = client.exchange(get("/large-chunked"));
            assertArrayEquals(LARGE, chunked.body());
            assertTrue(chunked.complete());
        }
    }

    @Test
    void writingMoreThanTheLengthFailsAndClosesTheConnection() throws IOException {
        FAILURES.put("/too-many", new CompletableFuture<>());
        try (RawClient client = client()) {
            RawClient.Response response = client.exchange(get("/too-many"));

            assertFalse(response.complete());
            assertTrue(client.closedByServer());
            assertTrue(FAILURES.get("/too-many").join().startsWith("too many bytes"));
        }
    }

    @Test
    void closingBeforeTheLengthFailsAndClosesTheConnection() throws IOException {
        FAILURES.put("/too-few", new CompletableFuture<>());
        try (RawClient client = client()) {
            RawClient.Response response = client.exchange(get("/too-few"));

            assertFalse(response.complete());
            assertTrue(client.closedByServer());
            assertTrue(FAILURES.get("/too-few").join().startsWith("insufficient bytes"));
        }
    }

    @Test
    void aChunkedResponseThatFailsMidwayLooksTruncated() throws IOException {
        try (RawClient client = client()) {
            RawClient.Response response = client.exchange(get("/fails-midway"));

            assertEquals("complete chunk", response.text());
            assertFalse(response.complete(), "no last chunk: the client must not take the body as complete");
            assertTrue(client.closedByServer());
        }
    }

    @Test
    void fieldValuesThatCouldSplitALineAreRefused() throws IOException {
        FAILURES.put("/invalid-values", new CompletableFuture<>());
        try (RawClient client = client()) {
            RawClient.Response response = client.exchange(get("/invalid-values"));

            assertEquals(200, response.status());
            assertNull(response.header("Injected"));
            assertEquals(String.join(",", java.util.Collections.nCopies(5, "IllegalArgumentException"))
                    + "|IllegalArgumentException", FAILURES.get("/invalid-values").join());
        }
    }
}
