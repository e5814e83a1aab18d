package dev.backend.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The parser's RFC 9112 decisions, one request each, through the whole request loop in memory: what is served,
 * what is refused with which status, and that every refusal is a short plain-text response with {@code
 * Connection: close} after which nothing more is read.
 */
class RequestParsingTest {

    private static final InMemory SERVER = InMemory.echo(HttpServerOptions.defaults()
            .withMaxRequestLineLength(200).withMaxHeaderSize(1024).withMaxHeaderCount(10));
    private static final Pattern STATUS = Pattern.compile("HTTP/1\\.1 (\\d{3}) ");

    static Stream<Arguments> served() {
        return Stream.of(
                Arguments.of("a plain GET", "GET /echo HTTP/1.1\r\nHost: x\r\n\r\n", "GET /echo 0 host=x"),
                Arguments.of("empty lines before the request line (§2.2)",
                        "\r\n\r\nGET /echo HTTP/1.1\r\nHost: x\r\n\r\n", "GET /echo 0"),
                Arguments.of("HTTP/1.0 without Host", "GET /echo HTTP/1.0\r\n\r\n", "GET /echo 0 host=null"),
                Arguments.of("an absolute-form target, whose authority replaces Host (§3.2.2)",
                        "GET http://example.com:8080/echo?q=1 HTTP/1.1\r\nHost: other\r\n\r\n",
                        "GET http://example.com:8080/echo?q=1 0 host=example.com:8080"),
                Arguments.of("an unknown method, passed on as sent", "FROB /echo HTTP/1.1\r\nHost: x\r\n\r\n", "FROB /echo"),
                Arguments.of("a method of 64 characters, the longest served", "M".repeat(64) + " /echo HTTP/1.1\r\nHost: x\r\n\r\n",
                        "M".repeat(64) + " /echo"),
                Arguments.of("empty members in Expect, ignored (RFC 9110 §5.6.1.2)",
                        "POST /echo HTTP/1.1\r\nHost: x\r\nExpect: , 100-continue,\r\nExpect:\r\nContent-Length: 3\r\n\r\nabc",
                        "POST /echo 3"),
                Arguments.of("100-continue given twice, one expectation (RFC 9110 §10.1.1)",
                        "POST /echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nExpect: 100-Continue, 100-continue\r\n"
                                + "Content-Length: 3\r\n\r\nabc", "POST /echo 3"),
                Arguments.of("a lower-case method, which is another method", "get /echo HTTP/1.1\r\nHost: x\r\n\r\n", "get /echo"),
                Arguments.of("HTTP/1.2, served as 1.1", "GET /echo HTTP/1.2\r\nHost: x\r\n\r\n", "GET /echo 0"),
                Arguments.of("an empty Host", "GET /echo HTTP/1.1\r\nHost:\r\n\r\n", "GET /echo 0 host="),
                Arguments.of("an IPv6 Host with port", "GET /echo HTTP/1.1\r\nHost: [::1]:8080\r\n\r\n", "host=[::1]:8080"),
                Arguments.of("a Content-Length with leading zeros", "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 003\r\n\r\nabc",
                        "POST /echo 3"),
                Arguments.of("whitespace around a field value", "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: \t3 \r\n\r\nabc",
                        "POST /echo 3"),
                Arguments.of("a chunked body with extensions and trailers (§7.1)",
                        "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                                + "3;name=value;q=\"a \\\" b\"\r\nabc\r\n2 ; x\r\nde\r\n0\r\nTrailer-One: 1\r\nTrailer-Two: 2\r\n\r\n",
                        "POST /echo 5"),
                Arguments.of("Transfer-Encoding in another case", "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: Chunked\r\n\r\n0\r\n\r\n",
                        "POST /echo 0"),
                Arguments.of("obs-text in a field value", "GET /echo HTTP/1.1\r\nHost: x\r\nX-Name: caf\u00e9\r\n\r\n", "GET /echo 0"),
                Arguments.of("a percent-encoded path", "GET /echo/%41%20b HTTP/1.1\r\nHost: x\r\n\r\n", "GET /echo/%41%20b 0"),
                Arguments.of("a Content-Length of many leading zeros, still 1*DIGIT (§6.3)",
                        cl("0000000000000000000000002"), "POST /echo 2"),
                Arguments.of("a target starting with //, a path whose first segment is empty (§3.2.1)",
                        "GET //x/echo HTTP/1.1\r\nHost: x\r\n\r\n", "root GET"));
    }

    @ParameterizedTest(name = "serves {0}")
    @MethodSource("served")
    void servesValidRequests(String name, String request, String expected) {
        String output = SERVER.serve(request);

        assertEquals(200, firstStatus(output), output);
        assertTrue(output.contains(expected), output);
    }

    static Stream<Arguments> refused() {
        return Stream.of(
                Arguments.of("a bare LF as line end", "GET /echo HTTP/1.1\nHost: x\n\n", 400),
                Arguments.of("a bare LF ending one field line", "GET /echo HTTP/1.1\r\nHost: x\nX: y\r\n\r\n", 400),
                Arguments.of("a bare CR inside a field value", "GET /echo HTTP/1.1\r\nHost: x\r\nX: a\rb\r\n\r\n", 400),
                Arguments.of("a bare CR in the request line", "GET /echo\r HTTP/1.1\r\nHost: x\r\n\r\n", 400),
                Arguments.of("obs-fold (§5.2)", "GET /echo HTTP/1.1\r\nHost: x\r\nX: a\r\n b\r\n\r\n", 400),
                Arguments.of("whitespace before the first field", "GET /echo HTTP/1.1\r\n Host: x\r\n\r\n", 400),
                Arguments.of("whitespace before the colon (§5.1)", "GET /echo HTTP/1.1\r\nHost : x\r\n\r\n", 400),
                Arguments.of("a field name that is not a token", "GET /echo HTTP/1.1\r\nHost: x\r\nX(y): 1\r\n\r\n", 400),
                Arguments.of("an empty field name", "GET /echo HTTP/1.1\r\nHost: x\r\n: 1\r\n\r\n", 400),
                Arguments.of("a field line without colon", "GET /echo HTTP/1.1\r\nHost: x\r\nJunk\r\n\r\n", 400),
                Arguments.of("NUL in a field value (RFC 9110 §5.5)", "GET /echo HTTP/1.1\r\nHost: x\r\nX: a\0b\r\n\r\n", 400),
                Arguments.of("a control character in a field value", "GET /echo HTTP/1.1\r\nHost: x\r\nX: a\u0001b\r\n\r\n", 400),
                Arguments.of("Content-Length with a plus sign", cl("+2"), 400),
                Arguments.of("a negative Content-Length", cl("-1"), 400),
                Arguments.of("a hexadecimal Content-Length", cl("0x2"), 400),
                Arguments.of("a Content-Length list", cl("2,2"), 400),
                Arguments.of("a Content-Length list with spaces", cl("2, 2"), 400),
                Arguments.of("a Content-Length with a space inside", cl("1 2"), 400),
                Arguments.of("an empty Content-Length", cl(""), 400),
                Arguments.of("a Content-Length of more than 18 significant digits (RFC 9110 §15.5.14)",
                        cl("1234567890123456789"), 413),
                Arguments.of("a Content-Length of the largest long", cl("9223372036854775807"), 413),
                Arguments.of("a Content-Length past any long", cl("99999999999999999999999"), 413),
                Arguments.of("two equal Content-Length fields",
                        "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nab", 400),
                Arguments.of("Transfer-Encoding with Content-Length (§6.3)",
                        "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400),
                Arguments.of("Transfer-Encoding in HTTP/1.0 (§6.1)",
                        "POST /echo HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400),
                Arguments.of("a coding before chunked (§6.1)", te("gzip, chunked"), 501),
                Arguments.of("chunked not last (§6.3)", te("chunked, gzip"), 400),
                Arguments.of("no chunked at all", te("gzip"), 400),
                Arguments.of("the obsolete identity coding", te("identity"), 400),
                Arguments.of("chunked twice", te("chunked, chunked"), 400),
                Arguments.of("chunked with a parameter", te("chunked;q=1"), 400),
                Arguments.of("no Host in HTTP/1.1 (§3.2)", "GET /echo HTTP/1.1\r\n\r\n", 400),
                Arguments.of("two Host fields", "GET /echo HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n", 400),
                Arguments.of("a Host with a space", "GET /echo HTTP/1.1\r\nHost: a b\r\n\r\n", 400),
                Arguments.of("a Host with a path", "GET /echo HTTP/1.1\r\nHost: a/b\r\n\r\n", 400),
                Arguments.of("a Host with an unclosed IPv6 literal", "GET /echo HTTP/1.1\r\nHost: [::1\r\n\r\n", 400),
                Arguments.of("a Host with a non-numeric port", "GET /echo HTTP/1.1\r\nHost: a:b\r\n\r\n", 400),
                Arguments.of("HTTP/2.0 (RFC 9110 §15.6.6)", "GET /echo HTTP/2.0\r\nHost: x\r\n\r\n", 505),
                Arguments.of("HTTP/0.9 in a request line", "GET /echo HTTP/0.9\r\nHost: x\r\n\r\n", 505),
                Arguments.of("a lower-case version (§2.3)", "GET /echo http/1.1\r\nHost: x\r\n\r\n", 400),
                Arguments.of("a two-digit minor version", "GET /echo HTTP/1.10\r\nHost: x\r\n\r\n", 400),
                Arguments.of("a request line without version", "GET /echo\r\nHost: x\r\n\r\n", 400),
                Arguments.of("two spaces in the request line", "GET  /echo HTTP/1.1\r\nHost: x\r\n\r\n", 400),
                Arguments.of("a tab in the request line", "GET\t/echo HTTP/1.1\r\nHost: x\r\n\r\n", 400),
                Arguments.of("a fragment in the target", "GET /echo#x HTTP/1.1\r\nHost: x\r\n\r\n", 400),
                Arguments.of("a non-ASCII byte in the target", "GET /\u00e9 HTTP/1.1\r\nHost: x\r\n\r\n", 400),
                Arguments.of("a target java.net.URI cannot represent", "GET /%zz HTTP/1.1\r\nHost: x\r\n\r\n", 400),
                Arguments.of("a quote in the target", "GET /a\"b HTTP/1.1\r\nHost: x\r\n\r\n", 400),
                Arguments.of("an asterisk-form target with GET (§3.2.4)", "GET * HTTP/1.1\r\nHost: x\r\n\r\n", 400),
                Arguments.of("a target that is neither a path nor absolute", "GET echo HTTP/1.1\r\nHost: x\r\n\r\n", 400),
                Arguments.of("an absolute-form target of another scheme", "GET ftp://x/echo HTTP/1.1\r\nHost: x\r\n\r\n", 400),
                Arguments.of("an absolute-form target with user info", "GET http://u@x/echo HTTP/1.1\r\nHost: x\r\n\r\n", 400),
                Arguments.of("CONNECT, since this server does not tunnel", "CONNECT x:443 HTTP/1.1\r\nHost: x:443\r\n\r\n", 501),
                Arguments.of("an expectation other than 100-continue (RFC 9110 §10.1.1)",
                        "GET /echo HTTP/1.1\r\nHost: x\r\nExpect: magic\r\n\r\n", 417),
                Arguments.of("100-continue listed with another expectation",
                        "GET /echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue, magic\r\n\r\n", 417),
                Arguments.of("a request line over the limit", "GET /" + "a".repeat(300) + " HTTP/1.1\r\nHost: x\r\n\r\n", 414),
                Arguments.of("a method longer than the request line limit (§3: 501)",
                        "A".repeat(300) + " / HTTP/1.1\r\nHost: x\r\n\r\n", 501),
                Arguments.of("a method of 65 characters, within the line limit", "A".repeat(65) + " /echo HTTP/1.1\r\nHost: x\r\n\r\n",
                        501),
                Arguments.of("a method of 65 characters whose line is over the limit too",
                        "A".repeat(65) + " /" + "a".repeat(200) + " HTTP/1.1\r\nHost: x\r\n\r\n", 501),
                Arguments.of("a method over the limit whose line has not ended", "A".repeat(2000), 501),
                Arguments.of("a line over the limit that is not even a method", "A\tB".repeat(100) + "\r\n\r\n", 400),
                Arguments.of("a header section over the limit", "GET /echo HTTP/1.1\r\nHost: x\r\nX: " + "a".repeat(1100) + "\r\n\r\n", 431),
                Arguments.of("more fields than the limit", "GET /echo HTTP/1.1\r\nHost: x\r\n" + "X: 1\r\n".repeat(10) + "\r\n", 431),
                Arguments.of("an unfinished request head", "GET /echo HTTP/1.1\r\nHost: x\r\n", 400),
                Arguments.of("a chunk size that is not hex", chunked("xyz\r\nabc\r\n0\r\n\r\n"), 400),
                Arguments.of("a chunk size with 0x", chunked("0x3\r\nabc\r\n0\r\n\r\n"), 400),
                Arguments.of("a chunk size with a sign", chunked("+3\r\nabc\r\n0\r\n\r\n"), 400),
                Arguments.of("a chunk size after a space", chunked(" 3\r\nabc\r\n0\r\n\r\n"), 400),
                Arguments.of("a chunk size with trailing space and no extension", chunked("3 \r\nabc\r\n0\r\n\r\n"), 400),
                Arguments.of("a chunk size that overflows 64 bits", chunked("10000000000000000\r\nabc\r\n0\r\n\r\n"), 400),
                Arguments.of("chunk data not followed by CRLF", chunked("3\r\nabcd\r\n0\r\n\r\n"), 400),
                Arguments.of("a chunk extension without a name", chunked("3;\r\nabc\r\n0\r\n\r\n"), 400),
                Arguments.of("a chunk extension with an unclosed quote", chunked("3;a=\"b\r\nabc\r\n0\r\n\r\n"), 400),
                Arguments.of("a folded trailer field", chunked("0\r\nT: 1\r\n 2\r\n\r\n"), 400),
                Arguments.of("a trailer section without its final CRLF", chunked("0\r\nT: 1\r\n"), 400),
                Arguments.of("a body shorter than its Content-Length", "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc", 400));
    }

    @ParameterizedTest(name = "refuses {0}")
    @MethodSource("refused")
    void refusesMalformedRequestsAndCloses(String name, String request, int status) {
        // A valid request behind the bad one must never be read: the connection ends with the refusal.
        String output = SERVER.serve(request + "GET /echo HTTP/1.1\r\nHost: x\r\n\r\n");

        assertEquals(status, firstStatus(output), output);
        assertEquals(1, responses(output), output);
        assertTrue(output.contains("\r\nConnection: close\r\n"), output);
        assertTrue(output.contains("\r\nContent-Type: text/plain; charset=utf-8\r\n"), output);
        assertFalse(output.matches("(?s).*(Exception|java\\.|sun\\.|jdk\\.).*"), output);
    }

    @Test
    void answersExpectContinueOnlyWhenTheHandlerReads() {
        String head = "POST /echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n";

        // Read in slices of the head's length: the body is not here when the handler first reads, as for a client
        // that waits for the 100.
        String output = SERVER.run((head + "abc").getBytes(java.nio.charset.StandardCharsets.ISO_8859_1), head.length())
                .output.toString(java.nio.charset.StandardCharsets.ISO_8859_1);

        assertTrue(output.startsWith("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n"), output);
        assertTrue(output.contains("POST /echo 3"), output);
    }

    @Test
    void leavesOutTheContinueWhenTheBodyCameWithTheHead() {
        // RFC 9110 §10.1.1: a server MAY omit the 100 once it has some of the content; the client did not wait.
        String output = SERVER.serve("POST /echo HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\nabc"
                + "GET /echo HTTP/1.1\r\nHost: x\r\n\r\n");

        assertTrue(output.startsWith("HTTP/1.1 200 OK\r\n"), output);
        assertFalse(output.contains(" 100 "), output);
        assertEquals(2, responses(output), output);
    }

    @Test
    void answersServerWideOptionsItselfAndKeepsTheConnection() {
        // RFC 9112 §3.2.4, RFC 9110 §9.3.7: OPTIONS * is about the server; no context can match the target *.
        String output = SERVER.serve("OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\nGET /echo HTTP/1.1\r\nHost: x\r\n\r\n");

        assertTrue(output.startsWith("HTTP/1.1 200 OK\r\n"), output);
        assertTrue(output.contains("\r\nContent-Length: 0\r\n\r\nHTTP/1.1 200 OK\r\n"), output);
        assertFalse(output.contains("Connection: close"), output);
        assertTrue(output.endsWith("GET /echo 0 host=x"), output);
    }

    @Test
    void answersAnAbsoluteFormOptionsWithAnEmptyPathAsServerWide() {
        // RFC 9112 §3.2.4: the same target URI as OPTIONS *, which a proxy would forward as "*".
        String serverWide = SERVER.serve("OPTIONS http://x HTTP/1.1\r\nHost: x\r\n\r\n");
        String root = SERVER.serve("OPTIONS http://x/ HTTP/1.1\r\nHost: x\r\n\r\n");
        String query = SERVER.serve("OPTIONS http://x?a=1 HTTP/1.1\r\nHost: x\r\n\r\n");

        assertTrue(serverWide.startsWith("HTTP/1.1 200 OK\r\n") && serverWide.endsWith("Content-Length: 0\r\n\r\n"),
                serverWide);
        assertTrue(root.endsWith("root OPTIONS"), root);
        assertTrue(query.endsWith("root OPTIONS"), query);
    }

    @Test
    void closesAfterServerWideOptionsWithABodyItDoesNotRead() {
        String output = SERVER.serve("OPTIONS * HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc"
                + "GET /echo HTTP/1.1\r\nHost: x\r\n\r\n");

        assertTrue(output.startsWith("HTTP/1.1 200 OK\r\n"), output);
        assertTrue(output.endsWith("\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"), output);
        assertEquals(1, responses(output), output);
    }

    @Test
    void keepsAnHttp10ConnectionAfterServerWideOptionsOnlyWhenAskedTo() {
        String kept = SERVER.serve("OPTIONS * HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET /echo HTTP/1.0\r\n\r\n");
        String closed = SERVER.serve("OPTIONS * HTTP/1.0\r\n\r\nGET /echo HTTP/1.0\r\n\r\n");

        assertTrue(kept.contains("\r\nContent-Length: 0\r\nConnection: keep-alive\r\n\r\n"), kept);
        assertEquals(2, responses(kept), kept);
        assertTrue(closed.contains("\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"), closed);
        assertEquals(1, responses(closed), closed);
    }

    @Test
    void answersPipelinedRequestsInOrderInOneWrite() {
        String two = "GET /echo?1 HTTP/1.1\r\nHost: x\r\n\r\nPOST /echo?2 HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nab";

        MemoryTransport transport = SERVER.run(two.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1), Integer.MAX_VALUE);
        String output = transport.output.toString(java.nio.charset.StandardCharsets.ISO_8859_1);

        assertEquals(2, responses(output), output);
        assertTrue(output.indexOf("GET /echo?1 0") < output.indexOf("POST /echo?2 2"), output);
        assertEquals(1, transport.writes, "both responses share one write");
    }

    @Test
    void readsARequestThatArrivesOneByteAtATime() {
        String request = "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3;a=b\r\nabc\r\n0\r\nT: 1\r\n\r\n";

        String output = SERVER.run(request.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1), 1).output
                .toString(java.nio.charset.StandardCharsets.ISO_8859_1);

        assertTrue(output.contains("POST /echo 3"), output);
    }

    @Test
    void writesASmallResponseInOneWrite() {
        MemoryTransport transport = SERVER.run("GET /echo HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(
                java.nio.charset.StandardCharsets.ISO_8859_1), Integer.MAX_VALUE);

        assertEquals(1, transport.writes);
    }

    @Test
    void aTargetStartingWithTwoSlashesIsAPathNotAnAuthority() {
        InMemory memory = new InMemory(HttpServerOptions.defaults());
        memory.server.createContext("/", exchange -> InMemory.answer(exchange, 200, "path="
                + exchange.getRequestURI().getRawPath() + " authority=" + exchange.getRequestURI().getRawAuthority()
                + " query=" + exchange.getRequestURI().getRawQuery()));
        memory.server.createContext("/api", exchange -> InMemory.answer(exchange, 200, "api"));

        String output = memory.serve("GET //evil/api/users?limit=1 HTTP/1.1\r\nHost: x\r\n\r\n");

        assertTrue(output.contains("path=//evil/api/users authority=null query=limit=1"), output);
    }

    @Test
    void theEnginesOwnErrorsAreJsonWhenAskedFor() {
        InMemory memory = InMemory.echo(HttpServerOptions.defaults().withJsonErrors(true));

        String refused = memory.serve("GET /%zz HTTP/1.1\r\nHost: x\r\n\r\n");
        InMemory echoOnly = new InMemory(HttpServerOptions.defaults().withJsonErrors(true));
        echoOnly.server.createContext("/echo", exchange -> InMemory.answer(exchange, 200, "echo"));
        String noContext = echoOnly.serve("GET /other HTTP/1.1\r\nHost: x\r\n\r\n");

        assertTrue(refused.startsWith("HTTP/1.1 400 "), refused);
        assertTrue(refused.contains("\r\nContent-Type: application/json\r\n"), refused);
        assertTrue(refused.endsWith("\r\n\r\n{\"error\":\"Bad Request: invalid request target\"}"), refused);
        assertTrue(noContext.startsWith("HTTP/1.1 404 "), noContext);
        assertTrue(noContext.endsWith("\r\n\r\n{\"error\":\"Not Found\"}"), noContext);
    }

    private static String cl(String value) {
        return "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: " + value + "\r\n\r\nab";
    }

    private static String te(String value) {
        return "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: " + value + "\r\n\r\n0\r\n\r\n";
    }

    private static String chunked(String body) {
        return "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" + body;
    }

    static int firstStatus(String output) {
        Matcher matcher = STATUS.matcher(output);
        return matcher.find() ? Integer.parseInt(matcher.group(1)) : -1;
    }

    static int responses(String output) {
        Matcher matcher = STATUS.matcher(output);
        int count = 0;
        while (matcher.find()) {
            count++;
        }
        return count;
    }
}
