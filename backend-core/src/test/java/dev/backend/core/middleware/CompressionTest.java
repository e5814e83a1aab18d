package dev.backend.core.middleware;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backend.core.Handler;
import dev.backend.core.Request;
import dev.backend.core.Response;
import dev.backend.core.testing.TestClient;
import dev.backend.core.testing.TestResponse;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;

class CompressionTest {

    private static final String BIG = "{\"items\":[" + "\"abcdefgh\",".repeat(300) + "\"end\"]}";

    private static TestResponse get(Handler handler, String acceptEncoding) {
        return get(handler, "GET", acceptEncoding);
    }

    private static TestResponse get(Handler handler, String method, String acceptEncoding) {
        Request.Builder request = Request.builder(method, "/");
        if (acceptEncoding != null) {
            request.header("Accept-Encoding", acceptEncoding);
        }
        return TestClient.of(Compression.create().wrap(handler)).send(request);
    }

    private static Handler json(String body) {
        return request -> Response.bytes(200, "application/json", body.getBytes(StandardCharsets.UTF_8));
    }

    private static String gunzip(byte[] bytes) {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(bytes))) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void aStreamThatFailsMidwayGetsNoGzipTrailerSoThePartNeverPassesForTheWhole() throws Exception {
        Handler failing = request -> Response.stream(200, "application/json", -1, out -> {
            out.write(BIG.getBytes(StandardCharsets.UTF_8));
            throw new IllegalStateException("the source failed");
        });

        assertFailsWithoutGzipTrailer(failing, "a truncated gzip stream, not a complete one");
    }

    @Test
    void aStreamWhoseWriterClosedItAndThenFailedGetsNoGzipTrailer() throws Exception {
        Handler failing = request -> Response.stream(200, "application/json", -1, out -> {
            try (OutputStream body = out) {
                body.write(BIG.getBytes(StandardCharsets.UTF_8));
                throw new IllegalStateException("the source failed");
            }
        });

        assertFailsWithoutGzipTrailer(failing, "the writer's close did not finish the gzip");
    }

    /** {@code failing}'s gzipped stream throws its writer's failure and leaves a gzip stream that never ends. */
    private static void assertFailsWithoutGzipTrailer(Handler failing, String why) throws Exception {
        Response compressed = Compression.create().wrap(failing).handle(Request.builder("GET", "/")
                .header("Accept-Encoding", "gzip").build());
        java.io.ByteArrayOutputStream sent = new java.io.ByteArrayOutputStream();
        Response.Body.Stream stream = (Response.Body.Stream) compressed.body();

        assertThrows(IllegalStateException.class, () -> stream.writer().writeTo(sent));
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(sent.toByteArray()))) {
            assertThrows(java.io.EOFException.class, in::readAllBytes, why);
        }
    }

    @Test
    void gzipsALargeJsonBodyWhenTheClientAcceptsIt() {
        TestResponse response = get(json(BIG), "gzip, deflate, br");

        assertEquals("gzip", response.header("Content-Encoding").orElseThrow());
        assertEquals(List.of("Accept-Encoding"), response.headers("Vary"));
        assertEquals("application/json", response.header("Content-Type").orElseThrow());
        assertTrue(response.bodyBytes().length < BIG.length() / 5);
        assertEquals(BIG, gunzip(response.bodyBytes()));
    }

    @Test
    void gzipsAMetricsScrapeInEitherTextFormat() {
        for (String type : List.of("text/plain; version=0.0.4; charset=utf-8",
                "application/openmetrics-text; version=1.0.0; charset=utf-8")) {
            Handler scrape = request -> Response.bytes(200, type, BIG.getBytes(StandardCharsets.UTF_8));

            assertEquals("gzip", get(scrape, "gzip").header("Content-Encoding").orElseThrow(), type);
        }
    }

    @Test
    void sendsItPlainWithVaryWhenTheClientDoesNotAcceptGzip() {
        for (String accept : new String[] {null, "", "identity", "br", "gzip;q=0", "*;q=0", "gzip;q=0.000, br",
                "*, gzip;q=0", "identity;q=1, gzip;q=0.5", "gzip;q=2"}) {
            TestResponse response = get(json(BIG), accept);

            assertTrue(response.header("Content-Encoding").isEmpty(), String.valueOf(accept));
            assertEquals(List.of("Accept-Encoding"), response.headers("Vary"), String.valueOf(accept));
            assertEquals(BIG, response.text());
        }
    }

    @Test
    void leavesBodiesBelowTheThresholdAlone() {
        TestResponse response = get(json("{\"small\":true}"), "gzip");

        assertTrue(response.header("Content-Encoding").isEmpty());
        assertTrue(response.header("Vary").isEmpty());
    }

    @Test
    void leavesAnEmptyBodyAloneEvenWithAMinimumOfZero() {
        Compression everything = Compression.of(Compression.Config.defaults().withMinSize(0));
        Handler emptyBytes = request -> Response.bytes(200, "application/json", new byte[0]);
        Handler emptyStream = request -> Response.stream(200, "text/plain", 0, out -> {
            throw new AssertionError("the writer of a stream declared empty is never called");
        });

        for (Handler handler : List.of(emptyBytes, emptyStream)) {
            TestResponse response = TestClient.of(everything.wrap(handler))
                    .send(Request.builder("GET", "/").header("Accept-Encoding", "gzip"));
            assertTrue(response.header("Content-Encoding").isEmpty());
            assertEquals("0", response.header("Content-Length").orElseThrow());
            assertEquals(0, response.bodyBytes().length);
        }
    }

    @Test
    void failsAStreamThatBreaksItsDeclaredLengthAsItWouldFailUncompressed() {
        String body = "abcdefgh".repeat(500);
        for (int written : new int[] {100, 4000, 9000}) {
            Handler handler = request -> Response.stream(200, "text/plain", 4000, out -> {
                byte[] bytes = body.repeat(3).getBytes(StandardCharsets.UTF_8);
                out.write(bytes, 0, written);
            });
            if (written == 4000) {
                assertEquals(body, gunzip(get(handler, "gzip").bodyBytes()));
            } else {
                IllegalStateException failed = assertThrows(IllegalStateException.class, () -> get(handler, "gzip"),
                        "a gzip client must not get a complete stream of " + written + " bytes");
                assertTrue(failed.getMessage().startsWith("the response declared 4000 body bytes and its writer wrote"),
                        failed.getMessage());
            }
        }
    }

    @Test
    void leavesIncompressibleAndAlreadyEncodedBodiesAlone() {
        byte[] png = new byte[4096];
        Handler image = request -> Response.bytes(200, "image/png", png);
        Handler encoded = request -> Response.bytes(200, "application/json", BIG.getBytes(StandardCharsets.UTF_8))
                .withHeader("Content-Encoding", "br");
        Handler events = request -> Response.bytes(200, "text/event-stream", BIG.getBytes(StandardCharsets.UTF_8));
        Handler noTransform = request -> Response.bytes(200, "text/plain", BIG.getBytes(StandardCharsets.UTF_8))
                .withHeader("Cache-Control", "public, No-Transform");

        assertArrayEquals(png, get(image, "gzip").bodyBytes());
        assertEquals("br", get(encoded, "gzip").header("Content-Encoding").orElseThrow());
        assertTrue(get(events, "gzip").header("Content-Encoding").isEmpty());
        assertTrue(get(noTransform, "gzip").header("Content-Encoding").isEmpty());
    }

    @Test
    void answersHeadWithTheHeadersAndLengthOfTheCompressedGet() {
        Handler tagged = request -> Response.bytes(200, "application/json", BIG.getBytes(StandardCharsets.UTF_8))
                .withHeader("ETag", "\"v1\"");
        TestResponse getResponse = get(tagged, "GET", "gzip");
        TestResponse head = get(tagged, "HEAD", "gzip");

        assertEquals("gzip", head.header("Content-Encoding").orElseThrow());
        assertEquals(List.of("Accept-Encoding"), head.headers("Vary"));
        assertEquals("W/\"v1\"", head.header("ETag").orElseThrow());
        assertEquals(getResponse.bodyBytes().length, head.response().body().knownLength());
        assertEquals(0, head.bodyBytes().length);
        assertEquals(List.of("Accept-Encoding"), get(tagged, "HEAD", null).headers("Vary"));
        assertTrue(get(tagged, "HEAD", null).header("Content-Encoding").isEmpty());
    }

    @Test
    void neverCompressesBodylessStatuses() {
        for (int status : new int[] {204, 304}) {
            Handler handler = request -> Response.bytes(status, "application/json", BIG.getBytes(StandardCharsets.UTF_8));
            assertTrue(get(handler, "gzip").header("Content-Encoding").isEmpty(), Integer.toString(status));
        }
    }

    @Test
    void compressesAStreamAsItIsWrittenAndSendsItChunked() {
        Handler handler = request -> Response.stream(200, "text/plain; charset=utf-8", -1, out -> {
            for (int i = 0; i < 100; i++) {
                out.write(("line " + i + "\n").getBytes(StandardCharsets.UTF_8));
            }
        });

        TestResponse response = get(handler, "gzip");

        assertEquals("gzip", response.header("Content-Encoding").orElseThrow());
        assertEquals(-1, response.response().body().knownLength());
        assertTrue(gunzip(response.bodyBytes()).startsWith("line 0\nline 1\n"));
        assertTrue(gunzip(response.bodyBytes()).endsWith("line 99\n"));
    }

    @Test
    void weakensAStrongEtagOfACompressedBody() {
        Handler tagged = request -> Response.bytes(200, "application/json", BIG.getBytes(StandardCharsets.UTF_8))
                .withHeader("ETag", "\"v1\"");

        assertEquals("W/\"v1\"", get(tagged, "gzip").header("ETag").orElseThrow());
        assertEquals("\"v1\"", get(tagged, null).header("ETag").orElseThrow());
    }

    @Test
    void rejectsALevelOutsideOneToNineAndANegativeMinimum() {
        assertThrows(IllegalArgumentException.class, () -> Compression.Config.defaults().withLevel(0));
        assertThrows(IllegalArgumentException.class, () -> Compression.Config.defaults().withLevel(10));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Compression.Config.defaults().withMinSize(-1));
        assertTrue(e.getMessage().startsWith("minSize"), e.getMessage());
    }
}
