package dev.backend.core;

import static dev.backend.core.JsonInput.assertRefused;
import static dev.backend.core.JsonInput.post;
import static dev.backend.core.JsonInput.read;
import static dev.backend.core.JsonInput.refused;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.annotation.JsonCreator;
import dev.backend.core.middleware.LogCapture;
import dev.backend.core.testing.TestClient;
import dev.backend.core.testing.TestResponse;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.sql.Time;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Arrays;
import java.util.Calendar;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.JsonNode;

/**
 * The JSON contract of {@link Json}, type by type, against what serde's derived {@code Deserialize} does
 * with serde_json for the corresponding Rust type (the Rust type is named in each test).
 */
class JsonContractTest {

    enum Color {
        RED, GREEN;

        @Override
        public String toString() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    record Ints(int i, long l, short s, byte b, Integer boxed, BigInteger big) {}

    record Flags(boolean flag, double ratio) {}

    record Floats(double d, float f, Double boxed) {}

    record Text(String s) {}

    record Letter(char c) {}

    record Paint(Color color) {}

    record Id(UUID id) {}

    record When(Instant at) {}

    record Zoned(OffsetDateTime at) {}

    record Day(LocalDate day) {}

    record Local(LocalDateTime at) {}

    record Wait(Duration delay) {}

    record Clock(LocalTime at) {}

    record Region(ZonedDateTime at) {}

    record Legacy(Date date, Timestamp timestamp, Calendar calendar) {}

    record Stream(ByteBuffer data) {}

    record SqlParts(java.sql.Date day, Time time, OffsetTime at) {}

    record Nested(Text inner) {}

    record Numbers(List<Integer> values) {}

    record Labels(Set<String> labels) {}

    record Counts(Map<String, Integer> counts) {}

    record Maybe(Optional<Integer> value, OptionalInt count) {}

    record Money(BigDecimal amount) {}

    record Blob(byte[] data) {}

    record Item(String name) {}

    interface Shape {}

    record Drawing(Shape shape) {}

    // ---- records: every component required unless Optional (serde: a field without Option<T> must be present)

    @Test
    void missingPrimitiveComponentsAre422LikeAnyOtherMissingField() {
        assertRefused(422, "Invalid JSON field 'i': required, must not be missing or null",
                "{\"l\":1,\"s\":1,\"b\":1,\"boxed\":1,\"big\":1}", Ints.class);
        assertRefused(422, "Invalid JSON field 'l': required, must not be missing or null",
                "{\"i\":1,\"s\":1,\"b\":1,\"boxed\":1,\"big\":1}", Ints.class);
        assertRefused(422, "Invalid JSON field 'flag': required, must not be missing or null", "{\"ratio\":1}",
                Flags.class);
        assertRefused(422, "Invalid JSON field 'ratio': required, must not be missing or null", "{\"flag\":true}",
                Flags.class);
    }

    @Test
    void nullComponentsAre422() {
        assertRefused(422, "Invalid JSON field 'flag': required, must not be missing or null",
                "{\"flag\":null,\"ratio\":1}", Flags.class);
        assertRefused(422, "Invalid JSON field 'inner': required, must not be missing or null", "{\"inner\":null}",
                Nested.class);
        assertRefused(422, "Invalid JSON field 'inner.s': required, must not be missing or null", "{\"inner\":{}}",
                Nested.class);
    }

    @Test
    void ignoresUnknownKeysAsSerdeDoesWithoutDenyUnknownFields() {
        assertEquals(new Text("x"), read("{\"s\":\"x\",\"other\":[1,{}]}", Text.class));
    }

    @Test
    void refusesARepeatedKeyAnywhere() {
        assertRefused(422, "Invalid JSON body: duplicate key 's'", "{\"s\":\"a\",\"s\":\"b\"}", Text.class);
        assertRefused(422, "Invalid JSON field 'counts': duplicate key 'a'", "{\"counts\":{\"a\":1,\"a\":2}}",
                Counts.class);
    }

    @Test
    void aLongKeyIsQuotedInErrorsOnlyUpTo200Characters() {
        String key = "k".repeat(49_999);
        String quoted = "k".repeat(200) + "...";

        assertRefused(422, "Invalid JSON body: duplicate key '" + quoted + "'",
                "{\"" + key + "\":1,\"" + key + "\":2}", Object.class);
        assertRefused(422, "Invalid JSON field 'counts." + "k".repeat(193) + "...': expected an integer",
                "{\"counts\":{\"" + key + "\":true}}", Counts.class);
        assertRefused(422, "Invalid JSON body: duplicate key '" + "k".repeat(199) + "...'",
                "{\"" + "k".repeat(199) + "😀\":1,\"" + "k".repeat(199) + "😀\":2}", Object.class);
    }

    // ---- the body as a whole

    @ParameterizedTest
    @ValueSource(strings = {"null", " null "})
    void aNullBodyIs422AndNeverReachesTheHandler(String body) {
        assertRefused(422, "Invalid JSON body: expected an object, not null", body, Text.class);
    }

    @Test
    void aNullBodyAnswers422WithoutLoggingAnError() {
        TestClient client = TestClient.of(Router.create()
                .post("/users", r -> Response.text(r.json(Text.class).s().trim()))
                .build());

        try (LogCapture logs = new LogCapture()) {
            TestResponse response = client.send(Request.builder("POST", "/users")
                    .header("Content-Type", "application/json").body("null"));

            assertEquals(422, response.status(), response.text());
            assertEquals(List.of(), logs.errors());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"[]", "[{\"s\":\"x\"}]", "1", "\"x\"", "true", "1.5"})
    void arraysAndScalarsWhereAnObjectBelongsAre422(String body) {
        assertRefused(422, "Invalid JSON body: expected an object", body, Text.class);
    }

    @Test
    void nullAtTheRootIsAcceptedOnlyForOptional() throws Exception {
        assertEquals(Optional.empty(), post("null").json(new TypeReference<Optional<Integer>>() {}));
        assertEquals(422, assertThrows(AppException.class, () -> post("null").json(Integer.class)).error().status());
        assertEquals(422, assertThrows(AppException.class, () -> post("null").json(Object.class)).error().status());
    }

    /** RFC 8259 §2: {@code JSON-text = ws value ws}; serde_json says "EOF while parsing a value", axum a 400. */
    @ParameterizedTest
    @ValueSource(strings = {" ", "   ", "\n\t", "\r\n", "\uFEFF ", "\uFEFF\n\t"})
    void aBodyOfOnlyWhitespaceIs400LikeAnEmptyOne(String body) {
        assertRefused(400, "Request body is only whitespace; expected JSON", body, Text.class);
        assertRefused(400, "Request body is only whitespace; expected JSON", body, Object.class);
        assertEquals("Request body is only whitespace; expected JSON", assertThrows(AppException.class,
                () -> post(body).json(new TypeReference<Optional<Integer>>() {})).error().message());
    }

    /** RFC 8259 §8.1 lets a parser ignore a byte order mark; what is left of this one is nothing. */
    @Test
    void aByteOrderMarkAloneIsAnEmptyBody() {
        assertRefused(400, "Request body is empty; expected JSON", new byte[0], Text.class);
        assertRefused(400, "Request body is empty; expected JSON", "\uFEFF", Text.class);
    }

    @ParameterizedTest
    @CsvSource({"'\uFEFF\uFEFF{}', U+FEFF", "'{\u200B}', U+200B", "'[\u00A0]', U+00A0", "'[\u2028]', U+2028"})
    void anInvisibleUnexpectedCharacterIsNamedByItsCodePointNotQuoted(String body, String named) {
        String message = refused(body, Object.class).message();

        assertTrue(message.contains("Unexpected character (" + named + ")"), message);
        assertTrue(message.chars().noneMatch(c -> "\uFEFF\u200B\u00A0\u2028".indexOf(c) >= 0), message);
    }

    @Test
    void trailingDataIs400() {
        assertRefused(400, "Malformed JSON at line 1, column 10: trailing data after the JSON value", "{\"s\":\"a\"}{}",
                Text.class);
        assertEquals(400, refused("{\"s\":\"a\"} x", Text.class).status());
        assertEquals(400, refused("{\"s\":\"a\"}]", Text.class).status());
        assertEquals(new Text("a"), read(" {\"s\":\"a\"}\r\n\t ", Text.class));
    }

    @ParameterizedTest
    @ValueSource(strings = {"{", "{\"s\":", "{\"s\":\"a", "{'s':'a'}", "{s:\"a\"}", "{\"s\":\"a\",}",
            "/* c */{\"s\":\"a\"}", "{\"s\":NaN}", "{\"s\":Infinity}", "{\"s\":01}", "{\"s\":+1}", "{\"s\":.5}",
            "{\"s\":1.}", "{\"s\":\"\t\"}", "{\"s\":\"\\x\"}", "{\"s\":tru}"})
    void invalidJsonIs400WithALocationAndNoParserInternals(String body) {
        AppError error = refused(body, Text.class);

        assertEquals(400, error.status(), body);
        assertTrue(error.message().startsWith("Malformed JSON at line 1, column "), error.message());
    }

    @Test
    void aTrailingCommaIs400() {
        assertRefused(400, "Malformed JSON at line 1, column 4: Unexpected character (']' (code 93)): expected a value",
                "[1,]", Object.class);
    }

    @Test
    void saysWhichFeatureIsMissingWithoutNamingTheParser() {
        assertRefused(400, "Malformed JSON at line 1, column 9: Non-standard token 'NaN'", "{\"s\":NaN}", Text.class);
        assertRefused(400, "Malformed JSON at line 1, column 2: Unexpected end-of-input: expected close marker for Object",
                "{", Text.class);
    }

    @Test
    void nestingDeeperThan500LevelsIs400() {
        AppError error = refused("[".repeat(100_000), Object.class);

        assertEquals(400, error.status());
        assertTrue(error.message().contains("nesting depth (501) exceeds the maximum allowed (500)"), error.message());
        assertTrue(post("[".repeat(500) + "]".repeat(500)).json(Object.class) instanceof List<?>);
    }

    @Test
    void aNumberLongerThan1000CharactersIs400() {
        AppError error = refused("{\"big\":" + "1".repeat(1001) + "}", Ints.class);

        assertEquals(400, error.status());
        assertTrue(error.message().contains("Number value length (1001) exceeds the maximum allowed (1000)"),
                error.message());
    }

    @Test
    void theBodyMustBeUtf8() {
        byte[] utf16 = "{\"s\":\"a\"}".getBytes(StandardCharsets.UTF_16);
        byte[] utf16le = "{\"s\":\"a\"}".getBytes(StandardCharsets.UTF_16LE);
        byte[] invalid = {'{', '"', 's', '"', ':', '"', (byte) 0xFF, '"', '}'};
        byte[] encodedSurrogate = {'{', '"', 's', '"', ':', '"', (byte) 0xED, (byte) 0xA0, (byte) 0x80, '"', '}'};
        byte[] bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF, '{', '"', 's', '"', ':', '"', 'a', '"', '}'};

        assertEquals("Malformed JSON: the body must be UTF-8 (RFC 8259 §8.1)", refused(utf16, Text.class).message());
        assertEquals(400, refused(utf16le, Text.class).status());
        assertEquals(400, refused(invalid, Text.class).status());
        assertEquals(400, refused(encodedSurrogate, Text.class).status());
        assertEquals(new Text("a"), post(bom).json(Text.class));
    }

    /**
     * Every sequence RFC 3629 §4 excludes, inside a string value, where Jackson 3.2 decodes overlong forms without
     * checking (the classic filter bypass: {@code E0 80 AF} arrives as {@code /}), and inside a key.
     */
    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            C0 AF       | C0 AF       | overlong encoding
            C1 BF       | C1 BF       | overlong encoding
            E0 80 AF    | E0 80 AF    | overlong encoding
            E0 9F BF    | E0 9F BF    | overlong encoding
            F0 80 80 AF | F0 80 80 AF | overlong encoding
            F0 8F BF BF | F0 8F BF BF | overlong encoding
            ED A0 80    | ED A0 80    | a UTF-16 surrogate
            ED BF BF    | ED BF BF    | a UTF-16 surrogate
            F4 90 80 80 | F4 90 80 80 | beyond U+10FFFF
            F5 80 80 80 | F5 80 80 80 | not a UTF-8 byte
            F8 88 80 80 | F8 88 80 80 | not a UTF-8 byte
            FF          | FF          | not a UTF-8 byte
            80          | 80          | a continuation byte without a lead byte
            BF 41       | BF          | a continuation byte without a lead byte
            C3 28       | C3          | an incomplete sequence
            E2 82 41    | E2 82       | an incomplete sequence
            F0 9F 98    | F0 9F 98    | an incomplete sequence
            """)
    void malformedUtf8InAStringIs400NamingTheOffsetAndTheBytes(String sequence, String shown, String reason) {
        byte[] bad = hex(sequence);
        String expected = "invalid UTF-8 at byte offset %d (" + shown + "): " + reason + " (RFC 3629 §3)";

        assertRefused(400, "Malformed JSON: " + expected.formatted(6), concat("{\"s\":\"", bad, "\"}"), Text.class);
        assertRefused(400, "Malformed JSON: " + expected.formatted(2), concat("{\"", bad, "\":\"a\"}"), Object.class);
    }

    @Test
    void wellFormedUtf8AtEveryLengthIsRead() {
        String text = "\u007F \u0080 \u07FF \u0800 \uD7FF \uE000 \uFFFF \uD800\uDC00 \uDBFF\uDFFF é€😀";

        assertEquals(new Text(text), read("{\"s\":\"" + text + "\"}", Text.class));
    }

    private static byte[] hex(String bytes) {
        String[] parts = bytes.trim().split(" ");
        byte[] out = new byte[parts.length];
        for (int i = 0; i < parts.length; i++) {
            out[i] = (byte) Integer.parseInt(parts[i], 16);
        }
        return out;
    }

    private static byte[] concat(String before, byte[] middle, String after) {
        byte[] head = before.getBytes(StandardCharsets.UTF_8);
        byte[] tail = after.getBytes(StandardCharsets.UTF_8);
        byte[] all = Arrays.copyOf(head, head.length + middle.length + tail.length);
        System.arraycopy(middle, 0, all, head.length, middle.length);
        System.arraycopy(tail, 0, all, head.length + middle.length, tail.length);
        return all;
    }

    @Test
    void aTypeJacksonCannotBuildIsTheServersBugNotTheClients() {
        AppError error = refused("{\"shape\":{}}", Drawing.class);

        assertEquals(500, error.status());
        assertEquals(AppError.INTERNAL_MESSAGE, error.message());
    }

    // ---- integers (Rust i32, i64, i16, i8, Option<i32>; BigInteger has no std equivalent)

    @Test
    void integersAreIntegerLiteralsInRange() {
        assertEquals(new Ints(-1, 9_223_372_036_854_775_807L, (short) 32767, (byte) -128, 0, new BigInteger("1" + "0".repeat(40))),
                read("{\"i\":-1,\"l\":9223372036854775807,\"s\":32767,\"b\":-128,\"boxed\":-0,\"big\":1" + "0".repeat(40) + "}",
                        Ints.class));
    }

    @ParameterizedTest
    @ValueSource(strings = {"1.0", "1.5", "1e2", "\"1\"", "true", "[1]", "{}"})
    void integersRefuseFractionsExponentsStringsAndOtherTypes(String value) {
        assertRefused(422, "Invalid JSON field 'i': expected an integer", ints("i", value), Ints.class);
    }

    @Test
    void integersOutOfRangeAre422() {
        assertRefused(422, "Invalid JSON field 'i': number out of range", ints("i", "2147483648"), Ints.class);
        assertRefused(422, "Invalid JSON field 'l': number out of range", ints("l", "9223372036854775808"), Ints.class);
        assertRefused(422, "Invalid JSON field 's': number out of range", ints("s", "32768"), Ints.class);
        assertRefused(422, "Invalid JSON field 'b': number out of range", ints("b", "128"), Ints.class);
        assertRefused(422, "Invalid JSON field 'boxed': number out of range", ints("boxed", "-2147483649"), Ints.class);
    }

    private static String ints(String field, String value) {
        String json = "{\"i\":1,\"l\":1,\"s\":1,\"b\":1,\"boxed\":1,\"big\":1}";
        return json.replace("\"" + field + "\":1", "\"" + field + "\":" + value);
    }

    // ---- floating point (Rust f64, f32)

    @Test
    void floatsAcceptAnyNumberIncludingIntegers() {
        assertEquals(new Floats(1.0, 2.5f, 1e300), read("{\"d\":1,\"f\":2.5,\"boxed\":1e300}", Floats.class));
        assertEquals(new Floats(0.0, 0.0f, 0.0), read("{\"d\":1e-400,\"f\":1e-50,\"boxed\":0}", Floats.class));
    }

    @Test
    void floatsThatOverflowToInfinityAre422() {
        assertRefused(422, "Invalid JSON field 'd': number out of range", "{\"d\":1e400,\"f\":1,\"boxed\":1}", Floats.class);
        assertRefused(422, "Invalid JSON field 'f': number out of range", "{\"d\":1,\"f\":1e39,\"boxed\":1}", Floats.class);
        assertRefused(422, "Invalid JSON field 'boxed': number out of range", "{\"d\":1,\"f\":1,\"boxed\":-1e400}",
                Floats.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"NaN\"", "\"Infinity\"", "\"1.5\"", "true"})
    void floatsAreNeverStrings(String value) {
        assertRefused(422, "Invalid JSON field 'd': expected a number", "{\"d\":" + value + ",\"f\":1,\"boxed\":1}",
                Floats.class);
    }

    @Test
    void decimalsAreExactAndBounded() {
        assertEquals(new BigDecimal("1.10"), read("{\"amount\":1.10}", Money.class).amount());
        assertEquals(new BigDecimal("1E+1000"), read("{\"amount\":1e1000}", Money.class).amount());
        assertRefused(422, "Invalid JSON field 'amount': number out of range", "{\"amount\":1e999999999}", Money.class);
        assertRefused(422, "Invalid JSON field 'amount': number out of range", "{\"amount\":1e-1001}", Money.class);
        assertRefused(422, "Invalid JSON field 'amount': expected a number", "{\"amount\":\"1.10\"}", Money.class);
    }

    @Test
    void decimalsWithAnExponentBeyondAnIntAreOutOfRangeLikeAnyOtherBeyondTheBound() {
        String outOfRange = "Invalid JSON field 'amount': number out of range";

        assertRefused(422, outOfRange, "{\"amount\":1e2147483648}", Money.class);
        assertRefused(422, outOfRange, "{\"amount\":1e-2147483649}", Money.class);
        assertRefused(422, "Invalid JSON body: number out of range", "1e2147483648", BigDecimal.class);
    }

    // ---- untyped values (serde_json::Value), and the readers that take a double straight from the parser

    record Untyped(Object v) {}

    record Tree(JsonNode v) {}

    record MaybeTree(Optional<JsonNode> v) {}

    record AnyNumber(Number v) {}

    record MaybeDouble(OptionalDouble v) {}

    record Doubles(double[] v) {}

    record FloatArray(float[] v) {}

    record Objects(Object[] v) {}

    record IntArray(int[] v) {}

    record LongArray(long[] v) {}

    /** serde_json's {@code Value} refuses {@code 1e400} ("number out of range"); Jackson held infinity here. */
    @ParameterizedTest
    @ValueSource(strings = {"1e400", "-1e1000000", "1e2147483648", "-1e999999999"})
    void aNumberThatOverflowsADoubleIs422WhereverItIsRead(String number) {
        String field = "{\"v\":" + number + "}";
        String array = "{\"v\":[1," + number + "]}";
        String body = "Invalid JSON body: number out of range";

        assertRefused(422, "Invalid JSON field 'v': number out of range", field, Untyped.class);
        assertRefused(422, "Invalid JSON field 'v': number out of range", field, Tree.class);
        assertRefused(422, "Invalid JSON field 'v': number out of range", field, MaybeTree.class);
        assertRefused(422, "Invalid JSON field 'v': number out of range", field, AnyNumber.class);
        assertRefused(422, "Invalid JSON field 'v': number out of range", field, MaybeDouble.class);
        assertRefused(422, "Invalid JSON field 'v[1]': number out of range", array, Doubles.class);
        assertRefused(422, "Invalid JSON field 'v[1]': number out of range", array, FloatArray.class);
        assertRefused(422, "Invalid JSON field 'v[1]': number out of range", array, Objects.class);
        // Jackson tracks no path inside an untyped value or a tree, so there the body as a whole is named.
        assertRefused(422, body, array, Object.class);
        assertRefused(422, body, field, JsonNode.class);
        assertRefused(422, body, number, Object.class);
        assertRefused(422, body, number, JsonNode.class);
        AppError map = assertThrows(AppException.class,
                () -> post(field).json(new TypeReference<Map<String, Object>>() {})).error();
        assertEquals("Invalid JSON field 'v': number out of range", map.message());
    }

    @Test
    void aFloatArrayRefusesWhatOverflowsAFloat() {
        assertRefused(422, "Invalid JSON field 'v[0]': number out of range", "{\"v\":[1e39]}", FloatArray.class);
    }

    /**
     * {@code Vec<f64>} is read from a JSON array only. Jackson also read a {@code double[]} or {@code float[]} from a
     * base64 string of IEEE 754 bytes: {@code "f/AAAAAAAAA="} arrived as infinity, {@code "f/gAAAAAAAAA="} as NaN.
     */
    @ParameterizedTest
    @ValueSource(strings = {"\"f/AAAAAAAAA=\"", "\"f/gAAAAAAAAA=\"", "\"\"", "\"AAAAAAAAAAA=\"", "\"f4AAAA==\""})
    void doubleAndFloatArraysAreArraysNotBase64Vectors(String base64) {
        String body = "{\"v\":" + base64 + "}";

        assertRefused(422, "Invalid JSON field 'v': expected an array", body, Doubles.class);
        assertRefused(422, "Invalid JSON field 'v': expected an array", body, FloatArray.class);
        assertRefused(422, "Invalid JSON field 'v': expected an array", body, IntArray.class);
        assertRefused(422, "Invalid JSON field 'v': expected an array", body, LongArray.class);
        assertArrayEquals(new double[] {1.5, 2}, read("{\"v\":[1.5,2]}", Doubles.class).v());
    }

    @Test
    void untypedNumbersInRangeAreReadAsBeforeAndWrittenBackAsNumbers() {
        Object value = read("{\"v\":[1.5,1e300,1e-400,7,12345678901,1" + "0".repeat(30) + "]}", Object.class);

        assertEquals(Map.of("v", List.of(1.5, 1e300, 0.0, 7, 12345678901L, new BigInteger("1" + "0".repeat(30)))),
                value);
        assertEquals("{\"v\":1.0E300}", new String(Json.write(read("{\"v\":1e300}", JsonNode.class)),
                StandardCharsets.UTF_8));
        assertArrayEquals(new double[] {1.5, 0.0}, read("{\"v\":[1.5,1e-400]}", Doubles.class).v());
        assertEquals(OptionalDouble.of(2.5), read("{\"v\":2.5}", MaybeDouble.class).v());
    }

    /**
     * serde_json's {@code Option<f64>} is a number or null. Jackson's {@code OptionalDouble} reader took the strings
     * {@code "NaN"}, {@code "Infinity"} and {@code "-Infinity"} as those values, which a {@code double} refuses.
     */
    @ParameterizedTest
    @ValueSource(strings = {"\"NaN\"", "\"Infinity\"", "\"-Infinity\"", "\"1.5\""})
    void anOptionalDoubleIsANumberOrNullNotAString(String value) {
        assertRefused(422, "Invalid JSON field 'v': expected a number or null", "{\"v\":" + value + "}",
                MaybeDouble.class);
        assertEquals(OptionalDouble.empty(), read("{\"v\":null}", MaybeDouble.class).v());
        assertEquals(OptionalDouble.empty(), read("{}", MaybeDouble.class).v());
        assertEquals(OptionalDouble.of(-0.5), read("{\"v\":-0.5}", MaybeDouble.class).v());
    }

    record Ratio(double r, float f, Double boxed) {}

    /**
     * Written as Jackson writes them by default (its {@code WRITE_NAN_AS_STRINGS}): JSON has no NaN or infinity, so
     * a non-finite double becomes a string, which this reader refuses as a number. serde_json writes {@code null}.
     */
    @Test
    void aNonFiniteDoubleInAResponseIsWrittenAsAString() {
        assertEquals("{\"r\":\"NaN\",\"f\":\"Infinity\",\"boxed\":\"-Infinity\"}", new String(
                Json.write(new Ratio(Double.NaN, Float.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY)),
                StandardCharsets.UTF_8));
        assertEquals("{\"v\":[\"NaN\"]}", new String(Json.write(Map.of("v", List.of(Double.NaN))),
                StandardCharsets.UTF_8));
    }

    // ---- booleans (Rust bool)

    @ParameterizedTest
    @ValueSource(strings = {"0", "1", "\"true\"", "\"yes\""})
    void booleansAreOnlyTrueAndFalse(String value) {
        assertRefused(422, "Invalid JSON field 'flag': expected a boolean", "{\"flag\":" + value + ",\"ratio\":1}",
                Flags.class);
    }

    // ---- strings (Rust String, char)

    @Test
    void stringsAreStringsOfValidUnicode() {
        assertEquals("😀\u0000é", read("{\"s\":\"\\ud83d\\ude00\\u0000\\u00e9\"}", Text.class).s());
        assertRefused(422, "Invalid JSON field 's': expected a string", "{\"s\":5}", Text.class);
        assertRefused(422, "Invalid JSON field 's': expected a string", "{\"s\":{}}", Text.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"\\ud800", "x\\udc00", "\\ud800\\ud800", "\\ude00\\ud83d"})
    void anEscapedLoneSurrogateIs400AsInSerdeJson(String escaped) {
        AppError error = refused("{\"s\":\"" + escaped + "\"}", Text.class);

        assertEquals(400, error.status());
        assertTrue(error.message().contains("lone surrogate"), error.message());
    }

    @Test
    void charsAreOneCharacterStrings() {
        assertEquals('é', read("{\"c\":\"é\"}", Letter.class).c());
        assertEquals('\uFFFF', read("{\"c\":\"\\uffff\"}", Letter.class).c());
        for (String value : List.of("\"ab\"", "\"\"", "\"😀\"", "65", "[\"a\"]")) {
            assertRefused(422, "Invalid JSON field 'c': expected a single-character string (U+0000 to U+FFFF)",
                    "{\"c\":" + value + "}", Letter.class);
        }
    }

    record JavaTyped(Number number, OptionalDouble ratio, OptionalInt count, StringBuilder text) {}

    @Test
    void messagesNameJsonValuesNotJavaTypes() {
        assertRefused(422, "Invalid JSON field 'number': expected a number", "{\"number\":\"x\"}", JavaTyped.class);
        assertRefused(422, "Invalid JSON field 'ratio': expected a number or null", "{\"ratio\":\"x\"}",
                JavaTyped.class);
        assertRefused(422, "Invalid JSON field 'count': expected an integer or null", "{\"count\":\"x\"}",
                JavaTyped.class);
        assertRefused(422, "Invalid JSON field 'text': expected a string", "{\"text\":[1]}", JavaTyped.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"\\ud800", "\\udfff"})
    void aCharThatIsAnEscapedLoneSurrogateIs400AsInAString(String escaped) {
        AppError error = refused("{\"c\":\"" + escaped + "\"}", Letter.class);

        assertEquals(400, error.status());
        assertTrue(error.message().contains("lone surrogate"), error.message());
    }

    record Chars(char[] v) {}

    record Sequence(CharSequence v) {}

    record Token(String value) {
        @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
        Token {}
    }

    /**
     * serde_json refuses an escaped lone surrogate as a syntax error whatever the string is read into; Jackson took
     * it into a {@code JsonNode}, a {@code char[]}, a {@code CharSequence} and a type built from a string.
     */
    @ParameterizedTest
    @ValueSource(strings = {"\\ud800", "x\\udc00", "\\ud800\\ud800", "\\ude00\\ud83d"})
    void anEscapedLoneSurrogateIs400WhateverTheStringIsReadInto(String escaped) {
        String field = "{\"v\":\"" + escaped + "\"}";
        String root = "\"" + escaped + "\"";
        List<Map.Entry<String, Class<?>>> reads = List.of(Map.entry(field, Tree.class), Map.entry(root, JsonNode.class),
                Map.entry(field, MaybeTree.class), Map.entry(field, Chars.class), Map.entry(root, char[].class),
                Map.entry(field, Sequence.class), Map.entry(field, Untyped.class), Map.entry(root, Object.class),
                Map.entry("{\"v\":[" + root + "]}", Objects.class), Map.entry(root, Token.class),
                Map.entry("{\"id\":" + root + "}", Id.class), Map.entry("{\"color\":" + root + "}", Paint.class),
                Map.entry("{\"at\":" + root + "}", When.class));
        for (Map.Entry<String, Class<?>> read : reads) {
            AppError error = refused(read.getKey(), read.getValue());

            assertEquals(400, error.status(), read.getKey() + " as " + read.getValue().getSimpleName());
            assertTrue(error.message().contains("lone surrogate"), error.message());
        }
        AppError map = assertThrows(AppException.class,
                () -> post(field).json(new TypeReference<Map<String, Object>>() {})).error();
        assertEquals(400, map.status());
    }

    /** Jackson's own check, kept: in a key, a lone surrogate is a 400 as in serde_json. */
    @ParameterizedTest
    @ValueSource(strings = {"\\ud800", "x\\udc00", "\\ud800\\ud800", "\\ude00\\ud83d", "\\ud800x"})
    void anEscapedLoneSurrogateInAKeyIs400(String escaped) {
        String key = "{\"" + escaped + "\":1}";
        for (Map.Entry<String, Class<?>> read : List.<Map.Entry<String, Class<?>>>of(Map.entry(key, Object.class),
                Map.entry("{\"counts\":" + key + "}", Counts.class), Map.entry("{\"v\":" + key + "}", Tree.class))) {
            AppError error = refused(read.getKey(), read.getValue());

            assertEquals(400, error.status(), read.getKey());
            assertTrue(error.message().contains("surrogate"), error.message());
        }
    }

    /** serde_json checks only the strings it reads: a value skipped with an unknown key is never decoded. */
    @Test
    void aLoneSurrogateInAnIgnoredValueIsNotRead() {
        assertEquals(new Text("a"), read("{\"s\":\"a\",\"other\":[\"\\ud800\"]}", Text.class));
    }

    // ---- enums (a Rust enum of unit variants)

    @Test
    void enumsAreTheirConstantsExactNameNotToStringNorOrdinal() {
        assertEquals(Color.GREEN, read("{\"color\":\"GREEN\"}", Paint.class).color());
        for (String value : List.of("\"green\"", "1", "\"1\"", "\"\"", "\"BLUE\"")) {
            assertRefused(422, "Invalid JSON field 'color': expected one of [RED, GREEN]", "{\"color\":" + value + "}",
                    Paint.class);
        }
        assertEquals("{\"color\":\"GREEN\"}", new String(Json.write(new Paint(Color.GREEN)), StandardCharsets.UTF_8));
    }

    // ---- UUID (uuid::Uuid; it also parses braced, urn and 32-digit forms, which are refused here)

    @Test
    void uuidsAreTheCanonicalHyphenatedForm() {
        UUID id = UUID.fromString("123e4567-e89b-12d3-a456-426614174000");
        assertEquals(id, read("{\"id\":\"123e4567-e89b-12d3-a456-426614174000\"}", Id.class).id());
        assertEquals(id, read("{\"id\":\"123E4567-E89B-12D3-A456-426614174000\"}", Id.class).id());
        for (String value : List.of("\"123e4567e89b12d3a456426614174000\"", "\"EjRWeJCrze8SNFZ4kKvN7w==\"",
                "\"{123e4567-e89b-12d3-a456-426614174000}\"", "\"1-1-1-1-1\"", "\"\"", "1")) {
            assertRefused(422, "Invalid JSON field 'id': expected a UUID string", "{\"id\":" + value + "}", Id.class);
        }
    }

    // ---- date and time (chrono DateTime<Utc>, DateTime<FixedOffset>, NaiveDate, NaiveDateTime)

    @Test
    void instantsAreRfc3339DateTimesWithAnOffsetConvertedToUtc() {
        assertEquals(Instant.parse("2026-01-02T01:04:05Z"), read("{\"at\":\"2026-01-02T03:04:05+02:00\"}", When.class).at());
        assertEquals(Instant.parse("2026-01-02T03:04:05.123456789Z"),
                read("{\"at\":\"2026-01-02t03:04:05.123456789z\"}", When.class).at());
        for (String value : List.of("1700000000", "1700000000.5", "\"1700000000\"", "\"2026-01-02T03:04:05\"",
                "\"2026-01-02 03:04:05Z\"", "\"2026-01-02\"", "\"\"", "[2026,1,2]")) {
            assertRefused(422, "Invalid JSON field 'at': expected an RFC 3339 date-time string", "{\"at\":" + value + "}",
                    When.class);
        }
    }

    @Test
    void offsetDateTimesKeepTheOffsetTheClientSent() {
        OffsetDateTime at = read("{\"at\":\"2026-01-02T03:04:05+02:00\"}", Zoned.class).at();

        assertEquals(OffsetDateTime.parse("2026-01-02T03:04:05+02:00"), at);
        assertEquals("{\"at\":\"2026-01-02T03:04:05+02:00\"}", new String(Json.write(new Zoned(at)), StandardCharsets.UTF_8));
        assertRefused(422, "Invalid JSON field 'at': expected an RFC 3339 date-time string", "{\"at\":1700000000}",
                Zoned.class);
    }

    /** A {@code ZonedDateTime} is an RFC 3339 date-time as an {@code OffsetDateTime} is: its zone is the offset. */
    @Test
    void zonedDateTimesAreRfc3339DateTimesLikeOffsetDateTimes() {
        assertEquals(ZonedDateTime.of(2026, 1, 2, 3, 4, 5, 0, ZoneOffset.ofHours(2)),
                read("{\"at\":\"2026-01-02T03:04:05+02:00\"}", Region.class).at());
        for (String value : List.of("1e400", "1700000000", "\"1700000000\"", "\"+10000-01-01T00:00:00Z\"",
                "\"2026-01-02T03:04:05+01:00[Europe/Paris]\"", "\"2026-01-02T03:04+01:00\"", "[2026,1,2]")) {
            assertRefused(422, "Invalid JSON field 'at': expected an RFC 3339 date-time string",
                    "{\"at\":" + value + "}", Region.class);
        }
    }

    /**
     * {@code Date}, {@code Timestamp} and {@code Calendar} are RFC 3339 date-times too, not epoch milliseconds.
     * {@code Date} and {@code Calendar} hold milliseconds: a finer fraction is refused, not truncated.
     */
    @Test
    void legacyDateTypesAreRfc3339DateTimesToo() {
        Legacy read = read("{\"date\":\"2026-01-02T03:04:05.123+02:00\","
                + "\"timestamp\":\"2026-01-02T03:04:05.123456789Z\",\"calendar\":\"2026-01-02T03:04:05Z\"}",
                Legacy.class);

        assertEquals(Date.from(Instant.parse("2026-01-02T01:04:05.123Z")), read.date());
        assertEquals(Timestamp.from(Instant.parse("2026-01-02T03:04:05.123456789Z")), read.timestamp());
        assertEquals(Instant.parse("2026-01-02T03:04:05Z"), read.calendar().toInstant());
        for (String field : List.of("date", "timestamp", "calendar")) {
            for (String value : List.of("1700000000", "1e400", "\"1700000000\"", "\"+10000-01-01T00:00:00Z\"",
                    "\"2026-01-02T03:04+01:00\"", "\"2026-01-02\"", "\"2026-01-02T03:04:05\"")) {
                assertRefused(422, "Invalid JSON field '" + field + "': expected an RFC 3339 date-time string",
                        "{\"" + field + "\":" + value + "}", Legacy.class);
            }
        }
        assertRefused(422, "Invalid JSON field 'date': expected an RFC 3339 date-time string",
                "{\"date\":\"2026-01-02T03:04:05.1234Z\"}", Legacy.class);
    }

    /** A SQL date is a {@code full-date}, a SQL time a {@code partial-time} of whole seconds, an OffsetTime a time. */
    @Test
    void sqlDatesAndTimesAndOffsetTimesHaveTheirRfc3339Forms() {
        SqlParts read = read("{\"day\":\"2026-01-02\",\"time\":\"03:04:05\",\"at\":\"03:04:05.5+01:00\"}",
                SqlParts.class);

        assertEquals(new SqlParts(java.sql.Date.valueOf("2026-01-02"), Time.valueOf("03:04:05"),
                OffsetTime.parse("03:04:05.5+01:00")), read);
        for (String value : List.of("1700000000", "\"1700000000\"", "\"+10000-01-01\"", "\"2026-01-02T03:04:05Z\"")) {
            assertRefused(422, "Invalid JSON field 'day': expected a date string (YYYY-MM-DD)",
                    "{\"day\":" + value + "}", SqlParts.class);
        }
        for (String value : List.of("1700000000", "\"03:04\"", "\"03:04:05.5\"")) {
            assertRefused(422, "Invalid JSON field 'time': expected a time string (HH:MM:SS)",
                    "{\"time\":" + value + "}", SqlParts.class);
        }
        for (String value : List.of("\"03:04:05+01:00:30\"", "\"03:04+01:00\"", "\"03:04:05\"")) {
            assertRefused(422,
                    "Invalid JSON field 'at': expected a time string with an offset (HH:MM:SSZ, HH:MM:SS+HH:MM)",
                    "{\"at\":" + value + "}", SqlParts.class);
        }
    }

    /**
     * RFC 3339 §5.6: {@code time-second} is required, {@code time-numoffset} is hours and minutes; java.time took
     * {@code 03:04+01:00} and {@code +01:00:30}. A fraction beyond nanoseconds is refused rather than rounded.
     */
    @ParameterizedTest
    @ValueSource(strings = {"2026-01-02T03:04+01:00", "2026-01-02T03:04Z", "2026-01-02T03:04:05+01:00:30",
            "2026-01-02T03:04:05+0100", "2026-01-02T03:04:05+01", "2026-01-02T03:04:05.1234567891Z",
            "2026-01-02T03:04:05.Z"})
    void dateTimesHaveSecondsAndAnOffsetOfHoursAndMinutes(String value) {
        String body = "{\"at\":\"" + value + "\"}";

        assertRefused(422, "Invalid JSON field 'at': expected an RFC 3339 date-time string", body, When.class);
        assertRefused(422, "Invalid JSON field 'at': expected an RFC 3339 date-time string", body, Zoned.class);
    }

    @Test
    void localTimesHaveSecondsToo() {
        assertEquals(LocalTime.of(3, 4, 5, 120_000_000), read("{\"at\":\"03:04:05.12\"}", Clock.class).at());
        assertRefused(422, "Invalid JSON field 'at': expected a time string (HH:MM:SS)", "{\"at\":\"03:04\"}",
                Clock.class);
        assertRefused(422, "Invalid JSON field 'at': expected a date-time string without offset (YYYY-MM-DDTHH:MM:SS)",
                "{\"at\":\"2026-01-02T03:04\"}", Local.class);
    }

    @Test
    void localDatesAndTimesRefuseWhatTheyWouldSilentlyDrop() {
        assertEquals(LocalDate.of(2026, 1, 2), read("{\"day\":\"2026-01-02\"}", Day.class).day());
        for (String value : List.of("\"2026-01-02T03:04:05\"", "\"2026-01-02T03:04:05Z\"", "[2026,1,2]", "20000",
                "\"2026-02-30\"", "\"20260102\"")) {
            assertRefused(422, "Invalid JSON field 'day': expected a date string (YYYY-MM-DD)", "{\"day\":" + value + "}",
                    Day.class);
        }
        assertEquals(LocalDateTime.of(2026, 1, 2, 3, 4, 5), read("{\"at\":\"2026-01-02T03:04:05\"}", Local.class).at());
        for (String value : List.of("\"2026-01-02T03:04:05Z\"", "\"2026-01-02T03:04:05+01:00\"", "[2026,1,2,3,4]")) {
            assertRefused(422, "Invalid JSON field 'at': expected a date-time string without offset (YYYY-MM-DDTHH:MM:SS)",
                    "{\"at\":" + value + "}", Local.class);
        }
    }

    /**
     * RFC 3339 §5.6: {@code date-fullyear = 4DIGIT}. java.time read ISO 8601's expanded years too, up to nine digits
     * with a sign, beyond what PostgreSQL's {@code timestamptz} holds (4713 BC to 294276 AD): a later year failed at
     * the database as a 500, an earlier one was stored as {@code -infinity}.
     */
    @ParameterizedTest
    @ValueSource(strings = {"+10000-01-01", "+275760-09-13", "+294277-01-01", "-0001-01-01", "-4714-11-24",
            "+2026-01-02", "10000-01-01", "+999999999-12-31", "-999999999-01-01", "٢٠٢٦-01-02"})
    void datesHaveFourDigitYearsAsRfc3339Says(String date) {
        assertRefused(422, "Invalid JSON field 'at': expected an RFC 3339 date-time string",
                "{\"at\":\"" + date + "T00:00:00Z\"}", When.class);
        assertRefused(422, "Invalid JSON field 'at': expected an RFC 3339 date-time string",
                "{\"at\":\"" + date + "T00:00:00+01:00\"}", Zoned.class);
        assertRefused(422, "Invalid JSON field 'at': expected a date-time string without offset (YYYY-MM-DDTHH:MM:SS)",
                "{\"at\":\"" + date + "T00:00:00\"}", Local.class);
        assertRefused(422, "Invalid JSON field 'day': expected a date string (YYYY-MM-DD)",
                "{\"day\":\"" + date + "\"}", Day.class);
    }

    @Test
    void yearsFrom0000To9999AreRead() {
        assertEquals(Instant.parse("0000-01-01T00:00:00Z"), read("{\"at\":\"0000-01-01T00:00:00Z\"}", When.class).at());
        assertEquals(Instant.parse("+10000-01-01T17:59:59.999999999Z"),
                read("{\"at\":\"9999-12-31T23:59:59.999999999-18:00\"}", When.class).at());
        assertEquals(OffsetDateTime.parse("0000-01-01T00:00:00+18:00"),
                read("{\"at\":\"0000-01-01T00:00:00+18:00\"}", Zoned.class).at());
        assertEquals(LocalDateTime.of(9999, 12, 31, 23, 59, 59),
                read("{\"at\":\"9999-12-31T23:59:59\"}", Local.class).at());
        assertEquals(LocalDate.of(0, 1, 1), read("{\"day\":\"0000-01-01\"}", Day.class).day());
    }

    /** A year beyond 9999, which PostgreSQL holds, is written with java.time's sign: a client cannot send it back. */
    @Test
    void aYearBeyond9999IsWrittenInTheExpandedFormTheReaderRefuses() {
        String written = new String(Json.write(new When(Instant.parse("+10000-01-01T00:00:00Z"))),
                StandardCharsets.UTF_8);

        assertEquals("{\"at\":\"+10000-01-01T00:00:00Z\"}", written);
        assertEquals(422, refused(written, When.class).status());
    }

    @Test
    void durationsAreIso8601Strings() {
        assertEquals(Duration.ofSeconds(30), read("{\"delay\":\"PT30S\"}", Wait.class).delay());
        assertRefused(422, "Invalid JSON field 'delay': expected an ISO 8601 duration string (such as PT30S)",
                "{\"delay\":30}", Wait.class);
    }

    // ---- nested records, collections, maps (Rust structs, Vec<i32>, HashSet<String>, HashMap<String, i32>)

    @Test
    void nestedValuesOfTheWrongShapeAre422NamingThePath() {
        assertRefused(422, "Invalid JSON field 'inner': expected an object", "{\"inner\":\"x\"}", Nested.class);
        assertRefused(422, "Invalid JSON field 'inner': expected an object", "{\"inner\":[]}", Nested.class);
        assertRefused(422, "Invalid JSON field 'inner.s': expected a string", "{\"inner\":{\"s\":[]}}", Nested.class);
        assertRefused(422, "Invalid JSON field 'values': expected an array", "{\"values\":{}}", Numbers.class);
        assertRefused(422, "Invalid JSON field 'values[1]': expected an integer", "{\"values\":[1,\"2\"]}", Numbers.class);
        assertRefused(422, "Invalid JSON field 'counts': expected an object", "{\"counts\":[]}", Counts.class);
        assertRefused(422, "Invalid JSON field 'counts.a': expected an integer", "{\"counts\":{\"a\":true}}", Counts.class);
    }

    @Test
    void nullElementsAndMapValuesAre422() {
        assertRefused(422, "Invalid JSON field 'values[1]': must not be null", "{\"values\":[1,null]}", Numbers.class);
        assertRefused(422, "Invalid JSON field 'labels[0]': must not be null", "{\"labels\":[null]}", Labels.class);
        assertRefused(422, "Invalid JSON field 'counts.a': must not be null", "{\"counts\":{\"a\":null}}", Counts.class);
    }

    /** A map key read as a number, a date or a UUID follows that value's rules (serde_json's map keys do too). */
    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            double  | 1e400                   | a number
            double  | NaN                     | a number
            double  | Infinity                | a number
            double  | +1                      | a number
            double  | .5                      | a number
            integer | +1                      | an integer
            integer | 1.0                     | an integer
            integer | 2147483648              | an integer
            integer | 01                      | an integer
            date    | +10000-01-01            | a date string (YYYY-MM-DD)
            date    | 2026-01-02T00:00:00     | a date string (YYYY-MM-DD)
            instant | +10000-01-01T00:00:00Z  | an RFC 3339 date-time string
            instant | 1700000000              | an RFC 3339 date-time string
            instant | 2026-01-02T03:04+01:00  | an RFC 3339 date-time string
            uuid    | AAAAAAAAAAAAAAAAAAAAAA== | a UUID string
            """)
    void mapKeysFollowTheRulesOfTheirValueType(String type, String key, String expected) {
        TypeReference<? extends Map<?, Integer>> target = switch (type) {
            case "double" -> new TypeReference<Map<Double, Integer>>() {};
            case "integer" -> new TypeReference<Map<Integer, Integer>>() {};
            case "date" -> new TypeReference<Map<LocalDate, Integer>>() {};
            case "instant" -> new TypeReference<Map<Instant, Integer>>() {};
            default -> new TypeReference<Map<UUID, Integer>>() {};
        };
        AppError error = assertThrows(AppException.class, () -> post("{\"" + key + "\":1}").json(target)).error();

        assertEquals(422, error.status());
        assertEquals("Invalid JSON body: invalid key '" + key + "': expected " + expected, error.message());
    }

    @Test
    void mapKeysInTheValueFormAreRead() {
        assertEquals(Map.of(-1.5e3, 1, 0.0, 2), post("{\"-1.5e3\":1,\"0\":2}")
                .json(new TypeReference<Map<Double, Integer>>() {}));
        assertEquals(Map.of(-7L, 1), post("{\"-7\":1}").json(new TypeReference<Map<Long, Integer>>() {}));
        assertEquals(Map.of(LocalDate.of(2026, 1, 2), 1),
                post("{\"2026-01-02\":1}").json(new TypeReference<Map<LocalDate, Integer>>() {}));
        assertEquals(Map.of(Instant.parse("2026-01-02T02:04:05Z"), 1),
                post("{\"2026-01-02T03:04:05+01:00\":1}").json(new TypeReference<Map<Instant, Integer>>() {}));
        assertEquals("Invalid JSON field 'counts': invalid key '+1': expected an integer",
                assertThrows(AppException.class, () -> post("{\"counts\":{\"+1\":1}}")
                        .json(new TypeReference<Map<String, Map<Integer, Integer>>>() {})).error().message());
    }

    @Test
    void setsKeepOneOfEqualElementsAsHashSetDoes() {
        assertEquals(Set.of("a"), read("{\"labels\":[\"a\",\"a\"]}", Labels.class).labels());
    }

    @Test
    void optionalsAreEmptyWhenMissingOrNull() {
        assertEquals(new Maybe(Optional.empty(), OptionalInt.empty()), read("{}", Maybe.class));
        assertEquals(new Maybe(Optional.empty(), OptionalInt.empty()), read("{\"value\":null,\"count\":null}", Maybe.class));
        assertEquals(new Maybe(Optional.of(1), OptionalInt.of(2)), read("{\"value\":1,\"count\":2}", Maybe.class));
        assertRefused(422, "Invalid JSON field 'value': expected an integer", "{\"value\":\"1\"}", Maybe.class);
    }

    @Test
    void bytesAreBase64() {
        assertArrayEquals(new byte[] {1, 2, 3}, read("{\"data\":\"AQID\"}", Blob.class).data());
        assertRefused(422, "Invalid JSON field 'data': expected a base64 string", "{\"data\":\"!!!\"}", Blob.class);
        assertRefused(422, "Invalid JSON field 'data': expected a base64 string", "{\"data\":\"AQI\"}", Blob.class);
    }

    /** A base64 string is a string: an escaped lone surrogate in it is the 400 it is in any other string. */
    @Test
    void aLoneSurrogateInBase64Is400AndAByteBufferIsReadAsBytesAre() {
        AppError bytes = refused("{\"data\":\"\\ud800AAA\"}", Blob.class);
        AppError buffer = refused("{\"data\":\"\\ud800AAA\"}", Stream.class);

        assertEquals(400, bytes.status());
        assertEquals(bytes.message(), buffer.message());
        assertTrue(bytes.message().contains("lone surrogate"), bytes.message());
        assertEquals(ByteBuffer.wrap(new byte[] {1, 2, 3}), read("{\"data\":\"AQID\"}", Stream.class).data());
        assertRefused(422, "Invalid JSON field 'data': expected a base64 string", "{\"data\":\"AQI\"}", Stream.class);
    }

    // ---- generic types through Request.json(TypeReference)

    @Test
    void genericTypesFollowTheSameRules() {
        TypeReference<List<Item>> items = new TypeReference<>() {};

        assertEquals(List.of(new Item("a")), post("[{\"name\":\"a\"}]").json(items));
        assertEquals("Invalid JSON body: expected an array, not null",
                assertThrows(AppException.class, () -> post("null").json(items)).error().message());
        assertEquals("Invalid JSON field '[1]': must not be null",
                assertThrows(AppException.class, () -> post("[{\"name\":\"a\"},null]").json(items)).error().message());
        assertEquals("Invalid JSON field '[0].name': required, must not be missing or null",
                assertThrows(AppException.class, () -> post("[{}]").json(items)).error().message());
        assertEquals("Invalid JSON body: expected an array",
                assertThrows(AppException.class, () -> post("{}").json(items)).error().message());
    }
}
