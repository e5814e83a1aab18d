package dev.backend.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The same raw requests sent to the JDK's server and to this engine, over sockets, with the same handlers. Each
 * case states both outcomes; where they differ, the case says why the difference is deliberate. 0 means the
 * server closed the connection without a response.
 */
class DifferentialTest {

    /** One raw request, what each server answers, and why they differ (empty when they agree). */
    record Case(String name, String request, int jdk, int backend, String why) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static HttpServer jdk;
    private static HttpServer backend;
    private static final java.util.Map<String, String> HEAD_WRITES = new java.util.concurrent.ConcurrentHashMap<>();

    @BeforeAll
    static void start() {
        jdk = TestServers.jdk();
        backend = TestServers.backend(HttpServerOptions.defaults());
        for (HttpServer server : List.of(jdk, backend)) {
            server.createContext("/echo", exchange -> {
                byte[] body = exchange.getRequestBody().readAllBytes();
                answer(exchange, 200, exchange.getRequestMethod() + " " + exchange.getRequestURI() + " " + body.length
                        + " host=" + exchange.getRequestHeaders().getFirst("Host"));
            });
            server.createContext("/nobody", exchange -> answer(exchange, 200, "not read"));
            server.createContext("/throws", exchange -> {
                throw new IllegalStateException("handler bug");
            });
            server.createContext("/closes", HttpExchange::close);
            server.createContext("/head-writes", exchange -> {
                exchange.getResponseHeaders().set("X-Write", "pending");
                exchange.sendResponseHeaders(200, 4);
                String outcome;
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write("body".getBytes(StandardCharsets.UTF_8));
                    outcome = "written";
                } catch (IOException e) {
                    outcome = "failed";
                }
                HEAD_WRITES.put(exchange.getHttpContext().getServer() == jdk ? "jdk" : "backend", outcome);
            });
            server.createContext("/typed", exchange -> {
                exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
                exchange.getResponseHeaders().set("X-Request-Id", "abc");
                answer(exchange, 200, "typed");
            });
            server.createContext("/status", exchange -> answer(exchange,
                    Integer.parseInt(exchange.getRequestURI().getPath().substring("/status/".length())), "status"));
            server.start();
        }
    }

    @AfterAll
    static void stop() {
        jdk.stop(0);
        backend.stop(0);
    }

    private static void answer(HttpExchange exchange, int status, String text) throws IOException {
        byte[] body = text.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    static Stream<Case> cases() {
        String get = "GET /echo HTTP/1.1\r\nHost: x\r\n";
        return Stream.of(
                new Case("a plain GET", get + "\r\n", 200, 200, ""),
                new Case("a POST with Content-Length", post("Content-Length: 3\r\n\r\nabc"), 200, 200, ""),
                new Case("a chunked POST", post("Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"), 200, 200, ""),
                new Case("an unknown method", "FROB /echo HTTP/1.1\r\nHost: x\r\n\r\n", 200, 200, ""),
                new Case("an absolute-form target", "GET http://y/echo HTTP/1.1\r\nHost: x\r\n\r\n", 200, 200, ""),
                new Case("no context for the path", "GET /nothing HTTP/1.1\r\nHost: x\r\n\r\n", 404, 404, ""),
                new Case("a negative Content-Length", post("Content-Length: -1\r\n\r\n"), 400, 400, ""),
                new Case("a hexadecimal Content-Length", post("Content-Length: 0x2\r\n\r\nab"), 400, 400, ""),
                new Case("two Content-Length fields", post("Content-Length: 2\r\nContent-Length: 2\r\n\r\nab"), 400, 400, ""),
                new Case("Transfer-Encoding with Content-Length",
                        post("Content-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"), 400, 400, ""),
                new Case("a coding before chunked", post("Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n"), 501, 501, ""),
                new Case("a target java.net.URI cannot represent", "GET /%zz HTTP/1.1\r\nHost: x\r\n\r\n", 400, 400,
                        "same status; the JDK's body names URISyntaxException (see its own test)"),
                new Case("Content-Length with a plus sign", post("Content-Length: +2\r\n\r\nab"), 200, 400,
                        "RFC 9112 §6.3: 1*DIGIT only; a proxy reading it differently is a smuggling precondition"),
                new Case("a Content-Length list", post("Content-Length: 2,2\r\n\r\nab"), 400, 400, ""),
                new Case("chunked not the final coding", post("Transfer-Encoding: chunked, gzip\r\n\r\n0\r\n\r\n"), 501, 400,
                        "RFC 9112 §6.3 rule 4 asks for 400 and close: the length cannot be determined"),
                new Case("Transfer-Encoding in HTTP/1.0", "POST /echo HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
                        200, 400, "RFC 9112 §6.1: faulty framing, the message must not be trusted"),
                new Case("a bare LF as line end", "GET /echo HTTP/1.1\nHost: x\n\n", 0, 400,
                        "RFC 9112 §2.2 allows accepting it; refused so no proxy in front can disagree about line ends."
                                + " The JDK does not answer it"),
                new Case("obs-fold", get + "X-Folded: a\r\n b\r\n\r\n", 200, 400, "RFC 9112 §5.2: refusing is one of the two choices"),
                new Case("no Host in HTTP/1.1", "GET /echo HTTP/1.1\r\n\r\n", 200, 400, "RFC 9112 §3.2: MUST respond 400"),
                new Case("two Host fields", get + "Host: y\r\n\r\n", 200, 400, "RFC 9112 §3.2: MUST respond 400"),
                new Case("an invalid Host", "GET /echo HTTP/1.1\r\nHost: a b\r\n\r\n", 200, 400, "RFC 9112 §3.2: MUST respond 400"),
                new Case("HTTP/2.0 in the request line", "GET /echo HTTP/2.0\r\nHost: x\r\n\r\n", 200, 505,
                        "RFC 9110 §15.6.6: a major version this server does not speak"),
                new Case("a version that is not HTTP", "GET /echo FOO/1.1\r\nHost: x\r\n\r\n", 200, 400, "RFC 9112 §3: invalid request line"),
                new Case("an unknown expectation", get + "Expect: magic\r\n\r\n", 200, 417, "RFC 9110 §10.1.1 allows 417; the JDK ignores it"),
                new Case("CONNECT", "CONNECT x:443 HTTP/1.1\r\nHost: x:443\r\n\r\n", 0, 501,
                        "this server does not tunnel; the JDK fails on the authority-form target and closes"),
                new Case("whitespace before the colon", "GET /echo HTTP/1.1\r\nHost : x\r\n\r\n", 400, 400, ""),
                new Case("a field name that is not a token", get + "X(y): 1\r\n\r\n", 400, 400, ""),
                new Case("a NUL in a field value", get + "X: a\0b\r\n\r\n", 200, 400, "RFC 9110 §5.5: must be rejected or replaced"),
                new Case("a request line of 9000 bytes", "GET /echo?" + "a".repeat(9000) + " HTTP/1.1\r\nHost: x\r\n\r\n", 200, 414,
                        "RFC 9112 §3: bounded (8 KiB by default), the JDK has no limit"),
                new Case("201 field lines of one name", get + "X: 1\r\n".repeat(201) + "\r\n", 200, 431,
                        "the JDK's limit (200) counts distinct names, this one field lines: repeating a name does not get"
                                + " around it"),
                new Case("201 distinct field names", get + distinctFields(201) + "\r\n", 0, 431,
                        "the JDK closes without a response at its limit; RFC 6585 §5 has a status for it"),
                new Case("a chunk size with 0x", post("Transfer-Encoding: chunked\r\n\r\n0x3\r\nabc\r\n0\r\n\r\n"), 0, 400,
                        "a framing error is the client's: 400 and close instead of a connection closed without answer"),
                new Case("a body shorter than its Content-Length", post("Content-Length: 10\r\n\r\nabc"), 0, 400,
                        "the handler's read fails; this engine answers 400 for it, the JDK closes"),
                new Case("a handler that throws before sending headers", "GET /throws HTTP/1.1\r\nHost: x\r\n\r\n", 0, 500,
                        "an answer the client can act on; a connection closed without one invites a retry of the request"),
                new Case("an exchange closed before sendResponseHeaders", "GET /closes HTTP/1.1\r\nHost: x\r\n\r\n", 0, 500,
                        "as above: the handler ended the exchange without a response"),
                new Case("a target starting with //", "GET //x/echo HTTP/1.1\r\nHost: x\r\n\r\n", 200, 404,
                        "RFC 9112 §3.2.1: //x/echo is a path whose first segment is empty; the JDK reads //x as an"
                                + " authority and routes /echo"),
                new Case("Transfer-Encoding by obs-fold", post("Transfer-Encoding:\r\n chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"),
                        200, 400, "RFC 9112 §5.2; the JDK frames the body as chunked, which a proxy in front may not"),
                new Case("a vertical tab before chunked", post("Transfer-Encoding: \u000bchunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"),
                        200, 400, "RFC 9110 §5.5: not whitespace; the JDK trims it and frames the body as chunked"),
                new Case("a bare CR inside a field value", get + "X: a\rb\r\n\r\n", 400, 400, ""),
                new Case("a DEL in a field value", get + "X: a\u007fb\r\n\r\n", 200, 400, "RFC 9110 §5.5: DEL is no field-vchar"),
                new Case("a lower-case version", "GET /echo http/1.1\r\nHost: x\r\n\r\n", 200, 400,
                        "RFC 9112 §2.3: HTTP-name is case-sensitive"),
                new Case("a method that is not a token", "G@T /echo HTTP/1.1\r\nHost: x\r\n\r\n", 200, 400,
                        "RFC 9110 §9.1: a method is a token"),
                new Case("a Content-Length with leading zeros", post("Content-Length: 0000000000000000003\r\n\r\nabc"),
                        200, 200, ""),
                new Case("a Content-Length of the largest long", post("Content-Length: 9223372036854775807\r\n\r\nab"),
                        0, 413, "RFC 9110 §15.5.14: more than 18 significant digits, a body larger than this server takes;"
                                + " the JDK waits for the body and closes"),
                new Case("an empty method", " /echo HTTP/1.1\r\nHost: x\r\n\r\n", 200, 400, "RFC 9112 §3: invalid request line"),
                new Case("OPTIONS *", "OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n", 404, 200,
                        "RFC 9110 §9.3.7: a server-wide OPTIONS; no context can match *, so the engine answers it"),
                new Case("OPTIONS to an absolute-form target with an empty path", "OPTIONS http://x HTTP/1.1\r\nHost: x\r\n\r\n",
                        404, 200, "RFC 9112 §3.2.4: the same target URI as OPTIONS *"),
                new Case("a method of 65 characters", "A".repeat(65) + " /echo HTTP/1.1\r\nHost: x\r\n\r\n", 200, 501,
                        "RFC 9112 §3: SHOULD answer 501 to a method longer than any implemented; the JDK has no limit"),
                new Case("100-continue given twice", post("Expect: 100-continue\r\nExpect: 100-continue\r\n"
                        + "Content-Length: 2\r\n\r\nab"), 200, 200, ""));
    }

    private static String distinctFields(int count) {
        StringBuilder fields = new StringBuilder();
        for (int i = 0; i < count; i++) {
            fields.append("X-").append(i).append(": 1\r\n");
        }
        return fields.toString();
    }

    private static String post(String rest) {
        return "POST /echo HTTP/1.1\r\nHost: x\r\n" + rest;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void bothServersAnswerAsTheCaseStates(Case c) throws IOException {
        assertEquals(c.jdk(), statusOf(TestServers.port(jdk), c.request()), "JDK for " + c.name());
        assertEquals(c.backend(), statusOf(TestServers.port(backend), c.request()), "backend for " + c.name());
        assertEquals(c.jdk() == c.backend(), c.why().isEmpty() || c.why().startsWith("same status"),
                "a difference needs its reason, agreement none");
    }

    /** The final status, after the client has sent everything and half-closed; 0 if none came. */
    private static int statusOf(int port, String request) throws IOException {
        try (RawClient client = new RawClient(port)) {
            client.send(request);
            client.shutdownOutput();
            RawClient.Response response = client.readFinal(request.startsWith("HEAD "));
            return response == null ? 0 : response.status();
        }
    }

    @Test
    void theJdkNamesAJavaExceptionForAnUnparsableTargetAndThisEngineDoesNot() throws IOException {
        String request = "GET /%zz HTTP/1.1\r\nHost: x\r\n\r\n";

        String jdkBody = responseTo(TestServers.port(jdk), request).text();
        String backendBody = responseTo(TestServers.port(backend), request).text();

        assertTrue(jdkBody.contains("URISyntaxException"), jdkBody);
        assertEquals("Bad Request: invalid request target\n", backendBody);
    }

    @Test
    void fieldNamesKeepTheHandlersSpellingHereAndAreRecasedByTheJdk() throws IOException {
        String request = "GET /typed HTTP/1.1\r\nHost: x\r\n\r\n";

        List<String> jdkNames = responseTo(TestServers.port(jdk), request).names();
        List<String> backendNames = responseTo(TestServers.port(backend), request).names();

        assertTrue(jdkNames.contains("Content-type") && jdkNames.contains("X-request-id"), jdkNames.toString());
        assertTrue(backendNames.contains("Content-Type") && backendNames.contains("X-Request-Id"), backendNames.toString());
        assertTrue(backendNames.contains("Content-Length") && backendNames.contains("Date"), backendNames.toString());
    }

    @Test
    void status422HasItsReasonPhraseHereOnly() throws IOException {
        String request = "GET /status/422 HTTP/1.1\r\nHost: x\r\n\r\n";

        assertEquals("HTTP/1.1 422 Unprocessable Content", responseTo(TestServers.port(backend), request).statusLine());
        assertFalse(responseTo(TestServers.port(jdk), request).statusLine().contains("Unprocessable"));
    }

    @Test
    void theJdkSendsContinueBeforeTheHandlerRunsAndThisEngineOnlyWhenItReads() throws IOException {
        String request = "POST /nobody HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n";

        try (RawClient client = new RawClient(TestServers.port(jdk))) {
            client.send(request);
            assertEquals(100, client.read(false).status());
        }
        try (RawClient client = new RawClient(TestServers.port(backend))) {
            client.send(request);
            RawClient.Response response = client.read(false);
            assertEquals(200, response.status());
            // The client was never told to send the body: the connection must not wait for it.
            assertEquals("close", response.header("Connection"));
            assertTrue(client.closedByServer());
        }
    }

    @Test
    void aHandlerWritingItsGetBodyForHeadFailsOnTheJdkAndIsDroppedHere() throws Exception {
        String request = "HEAD /head-writes HTTP/1.1\r\nHost: x\r\n\r\n";

        responseTo(TestServers.port(jdk), request);
        responseTo(TestServers.port(backend), request);

        assertTrue(ServerContractTest.waitFor(() -> HEAD_WRITES.size() == 2));
        assertEquals(java.util.Map.of("jdk", "failed", "backend", "written"), HEAD_WRITES);
    }

    @Test
    void absoluteFormTargetsAuthorityReplacesHostHereOnly() throws IOException {
        String request = "GET http://y/echo HTTP/1.1\r\nHost: x\r\n\r\n";

        assertTrue(responseTo(TestServers.port(jdk), request).text().endsWith("host=x"));
        assertTrue(responseTo(TestServers.port(backend), request).text().endsWith("host=y"));
    }

    @Test
    void neitherServerSendsContentLengthWithA204() throws IOException {
        String request = "GET /status/204 HTTP/1.1\r\nHost: x\r\n\r\n";

        assertNull(responseTo(TestServers.port(jdk), request).header("Content-Length"));
        assertNull(responseTo(TestServers.port(backend), request).header("Content-Length"));
    }

    private static RawClient.Response responseTo(int port, String request) throws IOException {
        try (RawClient client = new RawClient(port)) {
            return client.exchange(request);
        }
    }
}
