package dev.backend.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backend.core.testing.TestClient;
import dev.backend.core.testing.TestResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.core.type.TypeReference;

class RequestTest {

    record Address(String city) {}

    record Signup(String email, Integer age, Optional<String> nickname, Instant at, List<String> tags, Address address) {}

    private final TestClient client = TestClient.of(Router.create()
            .post("/signup", r -> Response.json(r.json(Signup.class)))
            .post("/list", r -> Response.json(r.json(new TypeReference<List<Integer>>() {})))
            .post("/text", r -> Response.text(r.bodyText()))
            .post("/bytes", r -> Response.text(Integer.toString(r.bodyBytes().length)))
            .get("/users/{id}", r -> Response.text(r.pathUuid("id").toString()))
            .get("/items/{n}", r -> Response.text(Long.toString(r.pathLong("n"))))
            .get("/search", r -> Response.json(Map.of(
                    "q", r.query("q").orElse(""),
                    "tags", r.queryAll("tag"),
                    "limit", r.queryInt("limit").orElse(50))))
            .build());

    private TestResponse postSignup(String json) {
        return postJson("/signup", json);
    }

    private TestResponse postJson(String path, String json) {
        return client.send(Request.builder("POST", path).header("Content-Type", "application/json").body(json));
    }

    private static final String VALID = """
            {"email":"a@example.com","age":30,"at":"2026-01-02T03:04:05Z","tags":["x"],"address":{"city":"Oslo"}}""";

    @Test
    void readsJsonIntoARecord() {
        TestResponse response = postSignup(VALID);

        assertEquals(200, response.status(), response.text());
        assertEquals("a@example.com", response.json().get("email").asString());
        assertEquals("2026-01-02T03:04:05Z", response.json().get("at").asString());
        assertTrue(response.json().get("nickname").isNull());
    }

    @Test
    void acceptsJsonContentTypeWithParametersAndSuffixTypes() {
        for (String type : List.of("application/json; charset=utf-8", "Application/JSON", "application/merge-patch+json")) {
            TestResponse response = client.send(Request.builder("POST", "/signup").header("Content-Type", type).body(VALID));
            assertEquals(200, response.status(), type);
        }
    }

    @Test
    void ignoresUnknownProperties() {
        assertEquals(200, postSignup(VALID.replace("{", "{\"extra\":1,")).status());
    }

    @Test
    void returns415WithoutJsonContentType() {
        TestResponse missing = client.send(Request.builder("POST", "/signup").body(VALID));
        TestResponse wrong = client.send(Request.builder("POST", "/signup").header("Content-Type", "text/plain").body(VALID));

        assertEquals(415, missing.status());
        assertEquals(415, wrong.status());
        assertEquals("Expected request with `Content-Type: application/json`", missing.error().orElseThrow());
    }

    private TestResponse postCoded(String path, String coding, byte[] body) {
        return client.send(Request.builder("POST", path).header("Content-Type", "application/json")
                .header("Content-Encoding", coding).body(body));
    }

    private static byte[] gzip(String text) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(out)) {
            gzip.write(text.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /**
     * Nothing here decodes a request content coding, so a coded body is refused before it is read (RFC 9110 §8.4,
     * RFC 7694 §3), as tower-http's RequestDecompression refuses a coding it cannot decode.
     */
    @Test
    void aGzipJsonBodyIs415WithAcceptEncodingIdentityNotAMisleadingUtf8Error() {
        TestResponse response = postCoded("/signup", "gzip", gzip(VALID));

        assertEquals(415, response.status(), response.text());
        assertEquals(Optional.of("identity"), response.header("Accept-Encoding"));
        assertEquals("Request body has a Content-Encoding this server does not decode; send it without one (RFC 7694)",
                response.error().orElseThrow());
    }

    /** A plain body labelled br: an intermediary that decodes it would see a different body from the one stored. */
    @ParameterizedTest
    @ValueSource(strings = {"br", "GZIP", "x-gzip", "deflate", "zstd", "gzip, identity", "identity, br", "unknown"})
    void aJsonBodyWithAnyContentCodingButIdentityIs415(String coding) {
        TestResponse response = postCoded("/signup", coding, VALID.getBytes(StandardCharsets.UTF_8));

        assertEquals(415, response.status(), coding);
        assertEquals(Optional.of("identity"), response.header("Accept-Encoding"), coding);
    }

    @Test
    void aCodingInASecondContentEncodingFieldCountsToo() {
        TestResponse response = client.send(Request.builder("POST", "/signup")
                .header("Content-Type", "application/json")
                .header("Content-Encoding", "identity")
                .header("Content-Encoding", "br")
                .body(VALID));

        assertEquals(415, response.status());
    }

    @ParameterizedTest
    @ValueSource(strings = {"identity", "Identity", "", " , identity"})
    void identityOrAnEmptyContentEncodingIsReadAsUsual(String coding) {
        TestResponse response = postCoded("/signup", coding, VALID.getBytes(StandardCharsets.UTF_8));

        assertEquals(200, response.status(), coding);
    }

    @Test
    void bodyTextRefusesACodedBodyAndBodyBytesGivesTheBytesAsSent() {
        byte[] coded = gzip("hello");

        TestResponse text = postCoded("/text", "gzip", coded);
        TestResponse bytes = postCoded("/bytes", "gzip", coded);

        assertEquals(415, text.status());
        assertEquals(Optional.of("identity"), text.header("Accept-Encoding"));
        assertEquals(200, bytes.status());
        assertEquals(Integer.toString(coded.length), bytes.text());
    }

    @Test
    void returns400ForTwoDifferentContentTypes() {
        // RFC 9110 §8.3: one media type. A proxy that reads the last would see text/plain where this reads JSON.
        TestResponse response = client.send(Request.builder("POST", "/signup")
                .header("Content-Type", "application/json").header("Content-Type", "text/plain").body(VALID));

        assertEquals(400, response.status());
        assertEquals("Content-Type given twice with different values; send one media type (RFC 9110 §8.3)",
                response.error().orElseThrow());
    }

    @Test
    void acceptsTheSameContentTypeRepeatedInAnySpelling() {
        // RFC 9110 §8.3.1: type, subtype and parameter names are case-insensitive; whitespace around ';' optional.
        for (List<String> same : List.of(List.of("application/json", "application/json"),
                List.of("application/json", "Application/JSON"),
                List.of("application/json; charset=utf-8", "application/json;CHARSET=UTF-8"),
                List.of("application/json; charset=\"utf-8\"", "application/json; charset=utf-8"),
                List.of("application/json; charset=\"UTF-8\"", "application/json ;charset=\"utf-8\""))) {
            TestResponse response = client.send(Request.builder("POST", "/signup")
                    .header("Content-Type", same.get(0)).header("Content-Type", same.get(1)).body(VALID));

            assertEquals(200, response.status(), same + " " + response.text());
        }
    }

    @Test
    void returns400ForAContentTypeThatIsAList() {
        // A proxy combining or splitting at the comma reads text/plain; a media type holds no comma.
        // Broken quoting hides nothing either: an unclosed or misplaced quote does not make a comma part of a value.
        for (String list : List.of("application/json;, text/plain", "application/json, application/json",
                "application/json; x=\"a, text/plain", "application/json; x=a\"b, text/plain",
                "application/json; x=\\\", text/plain", "application/json; x=\"a\"b, text/plain",
                "application/json; \"a,b\"=c")) {
            TestResponse response = client.send(Request.builder("POST", "/signup").header("Content-Type", list).body(VALID));

            assertEquals(400, response.status(), list);
            assertEquals("Content-Type holds a list; send one media type (RFC 9110 §8.3)", response.error().orElseThrow());
        }
    }

    @Test
    void returns415ForAContentTypeThatIsNoMediaTypeThoughItEndsInJson() {
        // A filter in front may read form data or XML where a lenient reading would bind JSON.
        for (String value : List.of("application/x-www-form-urlencoded foo+json", "application/xml\t+json",
                "application/octet-stream \"x\"+json", "application/json; charset")) {
            TestResponse response = client.send(Request.builder("POST", "/signup").header("Content-Type", value).body(VALID));

            assertEquals(415, response.status(), value);
        }
    }

    @Test
    void acceptsACommaInsideAQuotedParameter() {
        TestResponse response = client.send(Request.builder("POST", "/signup")
                .header("Content-Type", "application/json; note=\"a, \\\"b\\\"\"").body(VALID));

        assertEquals(200, response.status(), response.text());
    }

    @Test
    void returns400ForMalformedJsonWithItsLocation() {
        TestResponse response = postSignup("{\"email\": \"a@example.com\",");

        assertEquals(400, response.status());
        assertTrue(response.error().orElseThrow().startsWith("Malformed JSON at line 1, column"), response.text());
    }

    @Test
    void returns400ForAnEmptyBody() {
        TestResponse response = postSignup("");

        assertEquals(400, response.status());
        assertEquals("Request body is empty; expected JSON", response.error().orElseThrow());
    }

    @Test
    void returns400ForTrailingGarbage() {
        assertEquals(400, postSignup(VALID + " x").status());
    }

    @Test
    void returns422ForAWrongTypeNamingTheField() {
        TestResponse response = postSignup(VALID.replace("30", "\"thirty\""));

        assertEquals(422, response.status());
        assertEquals("Invalid JSON field 'age': expected an integer", response.error().orElseThrow());
    }

    @Test
    void returns422ForAMissingRequiredField() {
        TestResponse response = postSignup(VALID.replace("\"email\":\"a@example.com\",", ""));

        assertEquals(422, response.status());
        assertEquals("Invalid JSON field 'email': required, must not be missing or null", response.error().orElseThrow());
    }

    @Test
    void returns422ForANullRequiredField() {
        assertEquals(422, postSignup(VALID.replace("\"a@example.com\"", "null")).status());
    }

    @Test
    void allowsOptionalFieldsToBeMissingOrNull() {
        assertEquals(200, postSignup(VALID.replace("{", "{\"nickname\":null,")).status());
    }

    @Test
    void isStrictAboutScalarTypes() {
        assertEquals(422, postSignup(VALID.replace("\"a@example.com\"", "5")).status());
        assertEquals(422, postSignup(VALID.replace("30", "30.5")).status());
        assertEquals(422, postSignup(VALID.replace("30", "99999999999")).status());
    }

    @Test
    void namesNestedFieldsAndArrayElements() {
        assertEquals("Invalid JSON field 'address.city': expected a string",
                postSignup(VALID.replace("\"Oslo\"", "[]")).error().orElseThrow());
        assertEquals("Invalid JSON field 'tags[0]': expected a string",
                postSignup(VALID.replace("[\"x\"]", "[{}]")).error().orElseThrow());
        assertEquals("Invalid JSON field 'at': expected an RFC 3339 date-time string",
                postSignup(VALID.replace("2026-01-02T03:04:05Z", "yesterday")).error().orElseThrow());
    }

    @Test
    void returns422ForTheWrongRootShape() {
        TestResponse response = postSignup("[1,2]");

        assertEquals(422, response.status());
        assertEquals("Invalid JSON body: expected an object", response.error().orElseThrow());
    }

    @Test
    void readsGenericTypes() {
        assertEquals("[1,2,3]", postJson("/list", "[1,2,3]").text());
    }

    @Test
    void parsesPathUuids() {
        UUID id = UUID.randomUUID();

        assertEquals(id.toString(), client.get("/users/" + id).text());
    }

    @Test
    void returns400NamingTheParameterForABadUuid() {
        for (String bad : List.of("42", "1-1-1-1-1", "zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz", UUID.randomUUID() + "0")) {
            TestResponse response = client.get("/users/" + bad);
            assertEquals(400, response.status(), bad);
            assertEquals("Invalid path parameter 'id': expected a UUID", response.error().orElseThrow());
        }
    }

    @Test
    void parsesIntegerPathParameters() {
        assertEquals("-12", client.get("/items/-12").text());
        assertEquals(400, client.get("/items/+12").status());
        assertEquals(400, client.get("/items/1e3").status());
        assertEquals(400, client.get("/items/99999999999999999999").status());
    }

    @Test
    void decodesQueryParameters() {
        TestResponse response = client.get("/search?q=a+b%26c&tag=x&tag=y&limit=10");

        assertEquals("a b&c", response.json().get("q").asString());
        assertEquals("[\"x\",\"y\"]", response.json().get("tags").toString());
        assertEquals(10, response.json().get("limit").asInt());
    }

    /** Taking the first silently would let a proxy that takes the last read another value than the handler. */
    @Test
    void aSingleValuedQueryParameterGivenTwiceIsA400NamingIt() {
        for (String target : List.of("/search?limit=2&limit=3", "/search?q=a&q=a")) {
            TestResponse response = client.get(target);

            assertEquals(400, response.status(), target);
            assertTrue(response.error().orElseThrow().matches("Query parameter '(limit|q)' is given 2 times; expected one "
                    + "value"), response.text());
        }
        assertEquals("[\"x\",\"y\"]", client.get("/search?tag=x&tag=y").json().get("tags").toString());
    }

    @Test
    void returns400ForABadQueryInteger() {
        TestResponse response = client.get("/search?limit=ten");

        assertEquals(400, response.status());
        assertEquals("Invalid query parameter 'limit': expected an integer", response.error().orElseThrow());
    }

    @Test
    void aQueryIntegerOutsideIntIsA400NotAWrappedValue() {
        assertEquals(-2147483648, client.get("/search?limit=-2147483648").json().get("limit").asInt());
        assertEquals(2147483647, client.get("/search?limit=2147483647").json().get("limit").asInt());
        for (String bad : List.of("2147483648", "-2147483649", "99999999999999999999999", "+1", "1.0", "1e3", "",
                "%201", "0x10", "%EF%BC%91", "-")) {
            TestResponse response = client.get("/search?limit=" + bad);
            assertEquals(400, response.status(), bad);
            assertEquals("Invalid query parameter 'limit': expected an integer", response.error().orElseThrow(), bad);
        }
    }

    @Test
    void aQueryIntegerMayHaveLeadingZerosHoweverMany() {
        assertEquals(2, client.get("/search?limit=02").json().get("limit").asInt());
        assertEquals(2, client.get("/search?limit=" + "0".repeat(40) + "2").json().get("limit").asInt());
        assertEquals(-2, client.get("/search?limit=-" + "0".repeat(40) + "2").json().get("limit").asInt());
        assertEquals(0, client.get("/search?limit=" + "0".repeat(40)).json().get("limit").asInt());
    }

    @Test
    void returns400ForMalformedPercentEncoding() {
        assertEquals(400, client.get("/search?q=%zz").status());
    }

    @Test
    void readsHeadersCaseInsensitively() {
        Request request = Request.builder("GET", "/").header("X-Api-Key", "k").build();

        assertEquals("k", request.header("x-api-key").orElseThrow());
        assertEquals(List.of("k"), request.headers("X-API-KEY"));
    }

    @Test
    void keepsTheBodyAfterTheFirstRead() {
        Request request = Request.builder("POST", "/").body("hello").build();

        assertEquals("hello", request.bodyText());
        assertArrayEquals("hello".getBytes(), request.bodyBytes());
    }

    @Test
    void rejectsADeclaredLengthOverTheLimitWithoutReading() {
        Request request = Request.builder("POST", "/").header("Content-Length", "11").body("hello world").build();

        AppException e = assertThrows(AppException.class, () -> request.withBodyLimit(10));
        assertEquals(413, e.error().status());
    }

    @Test
    void rejectsABodyThatGrowsPastTheLimitWithoutADeclaredLength() throws Exception {
        Request request = Request.builder("POST", "/").header("Content-Length", "x").body("hello world").build()
                .withBodyLimit(5);

        assertEquals(413, assertThrows(AppException.class, request::bodyBytes).error().status());
        Request streamed = Request.builder("POST", "/").header("Content-Length", "x").body("hello world").build()
                .withBodyLimit(5);
        try (InputStream in = streamed.bodyStream()) {
            assertEquals(413, assertThrows(AppException.class, in::readAllBytes).error().status());
        }
    }

    @Test
    void appliesTheDefaultBodyLimit() {
        byte[] big = new byte[(int) Request.DEFAULT_BODY_LIMIT + 1];

        TestResponse response = client.send(Request.builder("POST", "/signup")
                .header("Content-Type", "application/json").body(big));

        assertEquals(413, response.status());
    }
}
