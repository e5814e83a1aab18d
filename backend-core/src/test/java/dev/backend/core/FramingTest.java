package dev.backend.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Request framing errors are the client's (RFC 9112 §6.3): a request whose body cannot be read exactly as its
 * framing says gets a 4xx (501 for a transfer coding nobody implements) and {@code Connection: close}, nothing
 * is logged as a server failure, and no byte after it is ever read as another request. On both engines; where
 * the JDK's provider cannot do what backend-http does, the test pins what it does.
 */
@ParameterizedClass
@EnumSource(HttpEngine.class)
class FramingTest {

    /** Sent after each malformed message: answering it would mean leftover bytes were read as a request. */
    private static final String SMUGGLED = "GET /json HTTP/1.1\r\nHost: x\r\n\r\n";

    private static HttpEngine.Served server;

    @Parameter
    HttpEngine engine;

    @BeforeParameterizedClassInvocation
    static void start(HttpEngine engine) {
        server = engine.serve(Router.create()
                .get("/json", r -> Response.json(java.util.Map.of("ok", true)))
                .post("/echo", r -> Response.text(r.bodyText()))
                .post("/count", r -> Response.text(Long.toString(r.bodyStream().transferTo(java.io.OutputStream.nullOutputStream()))))
                .build());
    }

    @AfterParameterizedClassInvocation
    static void stop() {
        server.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {
        // chunk-size that is not hex, too large for any length, chunk data without its CRLF
        "Transfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n",
        "Transfer-Encoding: chunked\r\n\r\nfffffffffffffffffff\r\nhello\r\n0\r\n\r\n",
        "Transfer-Encoding: chunked\r\n\r\n5\r\nhelloXX\r\n0\r\n\r\n",
        "Transfer-Encoding: chunked\r\n\r\n-5\r\nhello\r\n0\r\n\r\n",
        // Content-Length that is not 1*DIGIT, or two of them, or with Transfer-Encoding
        "Content-Length: +2\r\n\r\nok",
        "Content-Length: -1\r\n\r\n",
        "Content-Length: 2, 2\r\n\r\nok",
        "Content-Length: 0x2\r\n\r\nok",
        "Content-Length: 2\r\nContent-Length: 2\r\n\r\nok",
        "Content-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n",
        // transfer codings other than a lone final chunked
        "Transfer-Encoding: gzip\r\n\r\nok",
        "Transfer-Encoding: chunked, gzip\r\n\r\n2\r\nok\r\n0\r\n\r\n",
        "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n",
    })
    void aBodyThatCannotBeReadAsFramedIsRefusedAndTheConnectionClosed(String framing) throws IOException {
        for (String path : List.of("/echo", "/count")) {
            try (ServerLog log = new ServerLog(); RawHttp http = new RawHttp(server.port())) {
                http.sendRaw("POST " + path + " HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\n" + framing + SMUGGLED);
                RawHttp.Reply reply = http.read(false);

                assertTrue(reply.status() >= 400 && reply.status() < 500 || reply.status() == 501,
                        path + " " + framing + " answered " + reply.status() + ": " + reply.text());
                assertEquals("close", reply.header("Connection"), framing);
                // Pinned for the JDK's provider: after a chunk size it cannot use, it drains what it takes for the
                // chunk before closing, and only its request timer (maxReqTime, REQUEST_READ_TIMEOUT in
                // backend-server, 3 s in this module's tests) ends that wait. The answer has gone out before.
                assertTrue(http.closedByServer(), "the bytes after it were read as a request: " + framing);
                assertEquals(List.of(), log.errorsOrTraces(), framing);
            }
        }
    }

    @Test
    void aBodyShorterThanItsContentLengthIs400AndTheConnectionClosed() throws IOException {
        for (String path : List.of("/echo", "/count")) {
            try (ServerLog log = new ServerLog(); RawHttp http = new RawHttp(server.port())) {
                http.sendRaw("POST " + path + " HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nhello");
                http.finishSending();
                RawHttp.Reply reply = http.read(false);

                assertEquals(400, reply.status(), reply.text());
                assertEquals("{\"error\":\"The request body could not be read: its framing is invalid or it ended "
                        + "early\"}", reply.text());
                assertEquals("close", reply.header("Connection"));
                assertTrue(http.closedByServer());
                assertEquals(List.of(), log.errorsOrTraces());
            }
        }
    }

    /**
     * backend-http gives up on a body read after the request read timeout (1 s here): 408, the client's delay. Pinned
     * for the JDK's provider: its request timer closes the connection under the read, so no answer arrives.
     */
    @Test
    void aBodyThatStopsArrivingIs408() throws IOException {
        try (HttpEngine.Served slow = engine.serveExchanges(HttpAdapter.of(Router.create()
                        .post("/echo", r -> Response.text(r.bodyText())).build()),
                dev.backend.http.HttpServerOptions.defaults().withRequestReadTimeout(java.time.Duration.ofSeconds(1)));
                ServerLog log = new ServerLog(); RawHttp http = new RawHttp(slow.port())) {
            http.sendRaw("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nhello");
            if (engine == HttpEngine.BACKEND) {
                RawHttp.Reply reply = http.read(false);
                assertEquals(408, reply.status());
                assertEquals("{\"error\":\"The request body did not arrive in time\"}", reply.text());
                assertEquals("close", reply.header("Connection"));
            }
            assertTrue(http.closedByServer());
            assertEquals(List.of(), log.errorsOrTraces());
        }
    }

    /** RFC 9112 §6.3's {@code 1*DIGIT}: leading zeros are allowed however many there are. */
    @ParameterizedTest
    @ValueSource(strings = {"000000000000000005", "0000000000000000005", "00000000000000000000000000000005"})
    void aContentLengthWithLeadingZerosIsItsValueWhateverItsWidth(String length) throws IOException {
        try (RawHttp http = new RawHttp(server.port())) {
            http.sendRaw("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: " + length + "\r\n\r\nhello");
            RawHttp.Reply reply = http.read(false);

            assertEquals(200, reply.status());
            assertEquals("hello", reply.text());
        }
    }

    /** More than 18 significant digits is a body larger than any limit: 413, not a malformed request. */
    @Test
    void aContentLengthOfMoreThanEighteenSignificantDigitsIs413() throws IOException {
        try (RawHttp http = new RawHttp(server.port())) {
            http.sendRaw("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 0001000000000000000000\r\n\r\nhello");

            assertEquals(413, http.read(false).status());
        }
    }

    @Test
    void contentLengthWithASignIsRefusedBeforeItsBodyIsRead() throws IOException {
        try (RawHttp http = new RawHttp(server.port())) {
            http.sendRaw("GET /json HTTP/1.1\r\nHost: x\r\nContent-Length: +2\r\n\r\nok" + SMUGGLED);
            RawHttp.Reply reply = http.read(false);

            assertEquals(400, reply.status());
            assertEquals("close", reply.header("Connection"));
            assertTrue(http.closedByServer());
        }
    }

    /**
     * A chunked body may end with trailer fields (RFC 9112 §7.1.2). backend-http reads and discards them; the
     * JDK's provider cannot read them (its chunked stream expects CRLF right after the last chunk), so there the
     * request is pinned as a 400 with {@code Connection: close} — never the trailer read as a second request.
     */
    @Test
    void aChunkedBodyWithTrailerFieldsIsReadWholeOrRefusedButTheTrailerNeverBecomesARequest() throws IOException {
        try (ServerLog log = new ServerLog(); RawHttp http = new RawHttp(server.port())) {
            http.sendRaw("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n"
                    + "X-Checksum: 5d41402a\r\n\r\n");
            RawHttp.Reply reply = http.read(false);

            if (engine == HttpEngine.BACKEND) {
                assertEquals(200, reply.status());
                assertEquals("hello", reply.text());
                assertEquals(200, http.send("GET", "/json").status(), "the connection goes on, in step");
            } else {
                assertEquals(400, reply.status());
                assertEquals("close", reply.header("Connection"));
                assertTrue(http.closedByServer());
            }
            assertEquals(List.of(), log.errorsOrTraces());
        }
    }

    @Test
    void chunkExtensionsAreIgnored() throws IOException {
        try (RawHttp http = new RawHttp(server.port())) {
            http.sendRaw("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5;note=\"x\"\r\nhello\r\n"
                    + "0\r\n\r\n");
            RawHttp.Reply reply = http.read(false);

            assertEquals(200, reply.status());
            assertEquals("hello", new String(reply.body(), StandardCharsets.UTF_8));
        }
    }
}
