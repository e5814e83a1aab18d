package dev.backend.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backend.core.testing.TestClient;
import dev.backend.core.testing.TestResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Paths and queries are matched and read on their decoded form (RFC 3986); bad encodings are a 400. */
class PathMatchingTest {

    private final Handler app = Router.create()
            .get("/files/{name}", r -> Response.text(r.path("name")))
            .get("/files/{name}/{more}", r -> Response.text(r.path("name") + "|" + r.path("more")))
            .get("/café", r -> Response.text("café"))
            .get("/users", r -> Response.text("users"))
            .get("/a+b", r -> Response.text("plus"))
            .get("/static/{*rest}", r -> Response.text(r.path("rest")))
            .get("/search", r -> Response.text(String.join("|", r.queryAll("q"))))
            .post("/text", r -> Response.text(r.bodyText()))
            .build();

    private final TestClient client = TestClient.of(app);

    private String text(String target) {
        TestResponse response = client.get(target);
        assertEquals(200, response.status(), target + " " + response.text());
        return response.text();
    }

    private AppError badRequest(String target) {
        TestResponse response = client.get(target);
        assertEquals(400, response.status(), target + " " + response.text());
        return new AppError.BadRequest(response.error().orElseThrow());
    }

    @ParameterizedTest
    @ValueSource(strings = {"/files/%FF", "/files/%FE", "/files/%C3", "/files/%C3%28", "/files/%ED%A0%80",
            "/files/%F4%90%80%80", "/files/%C0%AF", "/caf%C3"})
    void percentEncodedBytesThatAreNotUtf8Are400NotAReplacementCharacter(String target) {
        assertEquals("Malformed path: percent-encoded bytes are not UTF-8 (RFC 3986 §2.5)", badRequest(target).message());
    }

    @ParameterizedTest
    @ValueSource(strings = {"/files/%ZZ", "/files/%", "/files/%F", "/files/a%2", "/files/%G0", "/files/%\u0663\u0663"})
    void invalidPercentEncodingIs400(String target) {
        assertTrue(badRequest(target).message().startsWith("Malformed path: "), target);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/files/..", "/files/.", "/files/%2E%2E", "/files/%2e", "/files/.%2E", "/files/../users",
            "/files/a/../b", "/./users", "/static/a/../../etc"})
    void dotSegmentsAre400EvenWhenEncoded(String target) {
        assertEquals("Malformed path: '.' and '..' segments are not allowed (RFC 3986 §3.3)", badRequest(target).message());
    }

    @Test
    void dotsInsideASegmentAreOrdinaryCharacters() {
        assertEquals("...", text("/files/..."));
        assertEquals(".env", text("/files/.env"));
        assertEquals("a..b", text("/files/a..b"));
    }

    @Test
    void literalSegmentsMatchTheDecodedTextWhateverTheEncoding() {
        assertEquals("café", text("/caf%C3%A9"));
        assertEquals("café", text("/caf%c3%a9"));
        assertEquals("café", text("/café"));
        assertEquals("users", text("/%75sers"));
        assertEquals("users", text("/%75%73%65%72%73"));
    }

    @Test
    void parameterValuesAreDecodedAndUppercaseAndLowercaseHexAreTheSame() {
        assertEquals("é", text("/files/%C3%A9"));
        assertEquals("é", text("/files/%c3%a9"));
        assertEquals("a b", text("/files/a%20b"));
        assertEquals("100%", text("/files/100%25"));
        assertEquals("%2F", text("/files/%252F"));
        assertEquals("😀", text("/files/%F0%9F%98%80"));
    }

    @Test
    void anEncodedSlashStaysInsideItsSegment() {
        assertEquals("a/b", text("/files/a%2Fb"));
        assertEquals("a/b", text("/files/a%2fb"));
        assertEquals("a|b", text("/files/a/b"));
        assertEquals("x/y|z", text("/files/x%2Fy/z"));
    }

    @Test
    void plusIsAPlusSignInAPath() {
        assertEquals("a+b", text("/files/a+b"));
        assertEquals("plus", text("/a+b"));
        assertEquals("plus", text("/a%2Bb"));
        assertEquals(404, client.get("/a%20b").status());
    }

    @Test
    void aCatchAllIsDecodedWhole() {
        assertEquals("css/site é.css", text("/static/css/site%20%C3%A9.css"));
        assertEquals("a/b/c", text("/static/a%2Fb/c"));
    }

    /**
     * What docs/pipeline.md and Router's javadoc say a catch-all value may be: the dot-segment check is of the
     * request's segments, so once the value is decoded whole it may be absolute or climb out with "..".
     */
    @Test
    void aCatchAllValueMayBeAbsoluteOrHoldDotDotAndBackslashesOnceDecoded() {
        assertEquals("/etc/passwd", text("/static//etc/passwd"));
        assertEquals("/etc/passwd", text("/static/%2Fetc%2Fpasswd"));
        assertEquals("../../etc/passwd", text("/static/..%2F..%2Fetc%2Fpasswd"));
        assertEquals("a/..", text("/static/a%2F.."));
        assertEquals("a\\..\\..\\win", text("/static/a%5C..%5C..%5Cwin"));
        assertEquals("C:\\Windows", text("/static/C:%5CWindows"));
        assertEquals("a//b", text("/static/a//b"));
        assertEquals("a/", text("/static/a/"));
        assertEquals("/", text("/static//"));
    }

    @Test
    void aParameterValueMayBeAbsoluteOrHoldDotDotThroughEncodedSlashes() {
        assertEquals("/etc/passwd", text("/files/%2Fetc%2Fpasswd"));
        assertEquals("../../etc", text("/files/..%2F..%2Fetc"));
    }

    @Test
    void aCatchAllValueIsNeverEmptyNorHoldsARequestDotSegmentOrAControlCharacter() {
        assertEquals(404, client.get("/static/").status());
        badRequest("/static/a/../../etc/passwd");
        badRequest("/static//../etc/passwd");
        badRequest("/static/%2E%2E/etc");
        badRequest("/static/a%00.txt");
        badRequest("/static/a%0D%0Ab");
    }

    @Test
    void matchingIsCaseSensitiveAndWithoutUnicodeNormalization() {
        assertEquals(404, client.get("/Users").status());
        assertEquals(404, client.get("/cafe%CC%81").status(), "e + combining acute is not é");
    }

    @Test
    void rawSpacesAndControlCharactersAre400() {
        // Raw non-ASCII is tested over the wire below: the builder encodes it, as a client does.
        for (String path : List.of("/files/a b", "/files/a\tb", "/files/\u007f")) {
            assertEquals("Malformed path: characters outside printable ASCII must be percent-encoded (RFC 3986 §2.1)",
                    badRequest(path).message());
        }
    }

    // ---- percent-encoded control characters (Http11Probe MAL-URL-PERCENT-NULL, MAL-URL-PERCENT-CRLF)

    private static final String CONTROL = "Malformed path: control characters are not allowed, even percent-encoded"
            + " (RFC 3986 §7.3)";

    @Test
    void refuses400APercentEncodedNulInAPathSegment() {
        assertEquals(CONTROL, badRequest("/files/a%00b").message());
        assertEquals(CONTROL, badRequest("/files/%00").message());
        assertEquals(CONTROL, badRequest("/files/x/y%00").message());
    }

    @Test
    void refuses400APercentEncodedCrLfInAPathSegment() {
        assertEquals(CONTROL, badRequest("/files/a%0D%0Ab").message());
        assertEquals(CONTROL, badRequest("/files/a%0d%0ab").message());
        assertEquals(CONTROL, badRequest("/files/a%0Ab").message());
        assertEquals(CONTROL, badRequest("/files/%C3%A9%0D").message());
    }

    @Test
    void refuses400APercentEncodedDelInAPathSegment() {
        assertEquals(CONTROL, badRequest("/files/a%7Fb").message());
        assertEquals(CONTROL, badRequest("/files/a%7fb").message());
    }

    @Test
    void refuses400EveryPercentEncodedC0ControlAndDel() {
        for (int c = 0; c <= 0x7F; c = c == 0x1F ? 0x7F : c + 1) {
            assertEquals(CONTROL, badRequest(String.format("/files/a%%%02Xb", c)).message());
            assertEquals(CONTROL, badRequest(String.format("/files/a%%%02xb", c)).message());
        }
    }

    @Test
    void refuses400AControlCharacterInsideACatchAllValue() {
        assertEquals(CONTROL, badRequest("/static/css/site%00.css").message());
        assertEquals(CONTROL, badRequest("/static/a/b%0D%0Ac/d").message());
        assertEquals(CONTROL, badRequest("/static/a%2F%0A").message());
    }

    @Test
    void refuses400AControlCharacterInALiteralSegmentRatherThanAnswering404() {
        assertEquals(CONTROL, badRequest("/users%00").message());
        assertEquals(CONTROL, badRequest("/%00/users").message());
    }

    @Test
    void stillAcceptsAnEncodedSpaceAndSlashAndEveryOtherPrintableCharacter() {
        assertEquals("a b", text("/files/a%20b"));
        assertEquals("a/b", text("/files/a%2Fb"));
        assertEquals("100%", text("/files/100%25"));
        assertEquals("~!'()*", text("/files/%7E%21%27%28%29%2A"));
        assertEquals("a\u00a0b", text("/files/a%C2%A0b"));
        assertEquals("a b/c d", text("/static/a%20b/c%20d"));
    }

    @Test
    void queryValuesStillCarryEncodedLineBreaksAndTabs() {
        assertEquals("line 1\r\nline 2\tend", text("/search?q=line+1%0D%0Aline%202%09end"));
    }

    @Test
    void theBuilderPercentEncodesNonAsciiAsAClientWould() {
        Request request = Request.builder("GET", "/files/é?q=ü").build();

        assertEquals("/files/%C3%A9", request.path());
        assertEquals("q=%C3%BC", request.rawQuery().orElseThrow());
        assertEquals("é", text("/files/é"));
    }

    @Test
    void templatesAreWrittenDecoded() {
        Router router = Router.create();
        Handler h = r -> Response.noContent();

        assertTrue(assertThrows(IllegalArgumentException.class, () -> router.get("/caf%C3%A9", h)).getMessage()
                .contains("matched decoded"));
        assertThrows(IllegalArgumentException.class, () -> router.get("/files/..", h));
        assertThrows(IllegalArgumentException.class, () -> router.get("/./x", h));
    }

    @Test
    void theRawPathIsKeptAsSent() {
        TestClient echo = TestClient.of(Router.create().get("/files/{name}", r -> Response.text(r.path())).build());

        assertEquals("/files/a%2fb%C3%A9", echo.get("/files/a%2fb%C3%A9").text());
    }

    // ---- queries

    @Test
    void queryValuesAreDecodedStrictly() {
        assertEquals("é|€|a b|a+b", text("/search?q=%C3%A9&q=%e2%82%ac&q=a+b&q=a%2Bb"));
        assertEquals("ü", text("/search?q=ü"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"/search?q=%FF", "/search?q=%FE", "/search?q=%C3", "/search?%FF=x", "/search?q=%ED%A0%80"})
    void queryBytesThatAreNotUtf8Are400(String target) {
        assertEquals("Malformed query string: percent-encoded bytes are not UTF-8 (RFC 3986 §2.5)",
                badRequest(target).message());
    }

    @ParameterizedTest
    @ValueSource(strings = {"/search?q=%zz", "/search?q=%", "/search?q=%4"})
    void invalidQueryEncodingIs400(String target) {
        assertEquals("Malformed query string: '%' must be followed by two hex digits (RFC 3986 §2.1)",
                badRequest(target).message());
    }

    @Test
    void aRouteThatNeverReadsTheQueryIgnoresItsEncoding() {
        assertEquals("users", text("/users?q=%FF"));
    }

    // ---- body text

    @Test
    void bodyTextThatIsNotUtf8Is400() {
        TestResponse response = client.send(Request.builder("POST", "/text").body(new byte[] {'a', (byte) 0xFF}));

        assertEquals(400, response.status());
        assertEquals("Request body is not valid UTF-8", response.error().orElseThrow());
        assertEquals("é", client.send(Request.builder("POST", "/text").body("é")).text());
    }

    // ---- over a socket, through each engine's own request parsing

    @ParameterizedTest
    @EnumSource(HttpEngine.class)
    void theWireAgreesWithTheInProcessRules(HttpEngine engine) throws IOException {
        try (HttpEngine.Served server = engine.serve(app); RawHttp http = new RawHttp(server.port())) {
            assertEquals(400, http.send("GET", "/files/%FF").status());
            assertEquals("é", http.send("GET", "/files/%C3%A9").text());
            assertEquals(400, http.send("GET", "/files/%2E%2E").status());
            assertEquals(400, http.send("GET", "/files/a%00b").status());
            assertEquals(400, http.send("GET", "/files/a%0D%0Ab").status());
            assertEquals(400, http.send("GET", "/search?q=%FE").status());

            http.sendRaw("GET /files/caf\u00c3\u00a9 HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            RawHttp.Reply raw = http.read(false);
            assertEquals(400, raw.status(), raw.text());
        }
    }
    @ParameterizedTest
    @EnumSource(HttpEngine.class)
    void aTargetStartingWithTwoSlashesIsAPathWhoseFirstSegmentIsEmptyNotAnAuthority(HttpEngine engine)
            throws IOException {
        try (HttpEngine.Served server = engine.serve(app); RawHttp http = new RawHttp(server.port())) {
            assertEquals("users", http.send("GET", "/users").text());
            for (String target : List.of("//evil/users", "//user@evil:99/users", "///users", "//evil/users?q=1")) {
                RawHttp.Reply reply = http.send("GET", target);
                assertEquals(404, reply.status(), target + " " + reply.text());
                assertTrue(reply.text().startsWith("{\"error\":"), target + " " + reply.text());
            }
        }
    }

    @ParameterizedTest
    @EnumSource(HttpEngine.class)
    void theRequestPathIsTheWholeTargetPathAsSent(HttpEngine engine) throws IOException {
        Handler echo = r -> Response.text(r.path() + " " + r.rawQuery().orElse("-"));
        try (HttpEngine.Served server = engine.serve(echo); RawHttp http = new RawHttp(server.port())) {
            assertEquals("//evil/a b=1", http.send("GET", "//evil/a?b=1").text());
            assertEquals("//user@evil:99/a -", http.send("GET", "//user@evil:99/a").text());
            assertEquals("///a -", http.send("GET", "///a").text());
            assertEquals("/a -", http.send("GET", "/a").text());
            RawHttp.Reply bare = http.send("GET", "//evil");
            if (engine == HttpEngine.BACKEND) {
                assertEquals("//evil -", bare.text());
            } else {
                // The JDK matches contexts on URI#getPath, empty here: its own 404 page, before any handler.
                assertEquals(404, bare.status(), bare.text());
            }
        }
    }
}
