package dev.backend.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.annotation.JsonUnwrapped;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;

/**
 * The JSON rules where Jackson cannot read a value as it arrives and buffers its tokens first: a polymorphic type
 * whose {@code "type"} property comes after the value, a type deduced from the properties, a type id outside the
 * value. serde buffers the same way for an internally tagged enum whose tag comes last, and reads the buffer by
 * the same rules.
 */
class JsonBufferedValuesTest {

    @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
    @JsonSubTypes({
            @JsonSubTypes.Type(value = Reading.class, name = "reading"),
            @JsonSubTypes.Type(value = Tree.class, name = "tree"),
            @JsonSubTypes.Type(value = Untyped.class, name = "untyped"),
            @JsonSubTypes.Type(value = Fields.class, name = "fields"),
            @JsonSubTypes.Type(value = Maybe.class, name = "maybe"),
            @JsonSubTypes.Type(value = Series.class, name = "series"),
            @JsonSubTypes.Type(value = Amount.class, name = "amount"),
            @JsonSubTypes.Type(value = Exact.class, name = "exact"),
            @JsonSubTypes.Type(value = Label.class, name = "label"),
            @JsonSubTypes.Type(value = Letters.class, name = "letters")})
    sealed interface Event permits Reading, Tree, Untyped, Fields, Maybe, Series, Amount, Exact, Label, Letters {}

    record Reading(double value) implements Event {}

    record Tree(JsonNode value) implements Event {}

    record Untyped(Object value) implements Event {}

    record Fields(Map<String, Object> value) implements Event {}

    record Maybe(OptionalDouble value) implements Event {}

    record Series(double[] value) implements Event {}

    record Amount(Number value) implements Event {}

    record Exact(BigDecimal value) implements Event {}

    record Label(String value) implements Event {}

    record Letters(char[] value) implements Event {}

    /** Told apart by their properties alone: Jackson buffers the whole object to find which one it is. */
    @JsonTypeInfo(use = JsonTypeInfo.Id.DEDUCTION)
    @JsonSubTypes({@JsonSubTypes.Type(Circle.class), @JsonSubTypes.Type(Note.class)})
    sealed interface Shape permits Circle, Note {}

    record Circle(JsonNode radius) implements Shape {}

    record Note(Object text) implements Shape {}

    /** The type id beside the value rather than in it: Jackson buffers the value when the id comes after it. */
    record Envelope(String kind,
            @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.EXTERNAL_PROPERTY, property = "kind")
            @JsonSubTypes({@JsonSubTypes.Type(value = Tree.class, name = "tree"),
                    @JsonSubTypes.Type(value = Label.class, name = "label")})
            Event payload) {}

    /** The inner record's properties sit in the outer object: Jackson buffers them to read the inner one. */
    static final class Outer {
        @JsonUnwrapped
        public Inner inner;
        public String name;
    }

    record Inner(Object value) {}

    private static <T> T read(String json, Class<T> type) {
        return Request.builder("POST", "/").header("Content-Type", "application/json")
                .body(json.getBytes(StandardCharsets.UTF_8)).build().json(type);
    }

    private static AppError refused(String json, Class<?> type) {
        AppError error = assertThrows(AppException.class, () -> read(json, type), json + " was accepted").error();
        for (String leak : List.of("java.", "jackson", "Jackson", "`", "Exception", "dev.backend", "\n")) {
            assertFalse(error.message().contains(leak), "'" + error.message() + "' leaks " + leak);
        }
        return error;
    }

    /** serde_json refuses {@code 1e400} while it buffers, whatever the variant; Jackson read it as infinity. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            reading | 1e400          | value
            tree    | 1e400          | value
            tree    | {"a":[-1e400]} | value
            untyped | 1e400          | value
            untyped | [1,1e400]      | value
            fields  | {"a":1e400}    | value.a
            maybe   | 1e400          | value
            series  | [1,1e400]      | value[1]
            amount  | 1e400          | value
            tree    | 1e2147483648   | value
            """)
    void aNumberThatOverflowsADoubleIs422WhereverTheTypeIdComes(String type, String value, String path) {
        String message = "Invalid JSON field '" + path + "': number out of range";
        String typeFirst = "{\"type\":\"" + type + "\",\"value\":" + value + "}";
        String typeLast = "{\"value\":" + value + ",\"type\":\"" + type + "\"}";

        assertEquals(message, refused(typeFirst, Event.class).message(), typeFirst);
        assertEquals(422, refused(typeLast, Event.class).status(), typeLast);
        assertEquals(message, refused(typeLast, Event.class).message(), typeLast);
    }

    /** The array form only, where the type id comes first or last: a base64 "binary vector" is no array. */
    @ParameterizedTest
    @ValueSource(strings = {"{\"type\":\"series\",\"value\":\"f/AAAAAAAAA=\"}",
            "{\"value\":\"f/AAAAAAAAA=\",\"type\":\"series\"}"})
    void aDoubleArrayIsAnArrayWhereverTheTypeIdComes(String body) {
        assertEquals("Invalid JSON field 'value': expected an array", refused(body, Event.class).message());
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"radius\":1e400}", "{\"radius\":{\"r\":[1e400]}}", "{\"text\":1e400}"})
    void aNumberThatOverflowsADoubleIs422InADeducedType(String body) {
        AppError error = refused(body, Shape.class);

        assertEquals(422, error.status());
        assertTrue(error.message().endsWith("number out of range"), error.message());
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"payload\":{\"value\":1e400},\"kind\":\"tree\"}",
            "{\"kind\":\"tree\",\"payload\":{\"value\":1e400}}"})
    void aNumberThatOverflowsADoubleIs422BesideAnExternalTypeId(String body) {
        AppError error = refused(body, Envelope.class);

        assertEquals(422, error.status());
        assertTrue(error.message().endsWith("number out of range"), error.message());
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"payload\":{\"value\":\"\\ud800\"},\"kind\":\"label\"}",
            "{\"kind\":\"tree\",\"payload\":{\"value\":\"\\ud800\"}}"})
    void anEscapedLoneSurrogateIs400BesideAnExternalTypeId(String body) {
        assertEquals(400, refused(body, Envelope.class).status());
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"value\":1e400,\"name\":\"a\"}", "{\"name\":\"a\",\"value\":[1e400]}"})
    void aNumberThatOverflowsADoubleIs422InAnUnwrappedRecord(String body) {
        AppError error = refused(body, Outer.class);

        assertEquals(422, error.status());
        assertTrue(error.message().endsWith("number out of range"), error.message());
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"type\":\"exact\",\"value\":1e400}", "{\"value\":1e400,\"type\":\"exact\"}"})
    void aBigDecimalKeepsALargeNumberExactlyWhereverTheTypeIdComes(String body) {
        assertEquals(new Exact(new BigDecimal("1e400")), read(body, Event.class));
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"type\":\"tree\",\"value\":{\"r\":1.5}}", "{\"value\":{\"r\":1.5},\"type\":\"tree\"}"})
    void numbersInRangeAreReadAsBeforeWhereverTheTypeIdComes(String body) {
        assertEquals(1.5, ((Tree) read(body, Event.class)).value().get("r").doubleValue());
    }

    /** serde_json refuses an escaped lone surrogate as a syntax error wherever it is read, buffered or not. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            label   | "\\ud800"
            tree    | "\\udc00"
            tree    | {"a":["x\\ud800"]}
            untyped | "\\ud800"
            fields  | {"a":"\\ud800"}
            letters | "\\ud800"
            """)
    void anEscapedLoneSurrogateIs400WhereverTheTypeIdComes(String type, String value) {
        for (String body : List.of("{\"type\":\"" + type + "\",\"value\":" + value + "}",
                "{\"value\":" + value + ",\"type\":\"" + type + "\"}")) {
            AppError error = refused(body, Event.class);

            assertEquals(400, error.status(), body);
            assertTrue(error.message().contains("lone surrogate"), error.message());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"radius\":\"\\ud800\"}", "{\"text\":\"\\ud800\"}"})
    void anEscapedLoneSurrogateIs400InADeducedType(String body) {
        AppError error = refused(body, Shape.class);

        assertEquals(400, error.status(), body);
        assertTrue(error.message().contains("lone surrogate"), error.message());
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"type\":\"fields\",\"value\":{\"a\":1,\"a\":2}}",
            "{\"value\":{\"a\":1,\"a\":2},\"type\":\"fields\"}"})
    void aRepeatedKeyIs422WhereverTheTypeIdComes(String body) {
        AppError error = refused(body, Event.class);

        assertEquals(422, error.status(), body);
        assertTrue(error.message().endsWith("duplicate key 'a'"), error.message());
    }

    /** As serde's "missing field `type`" and "unknown variant"; Jackson's message names Java types. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            {"value":1}                | Invalid JSON body: missing type id 'type'
            {"type":null,"value":1}    | Invalid JSON body: missing type id 'type'
            {"type":"zzz","value":1}   | Invalid JSON body: unknown type id 'zzz'
            {"value":1,"type":"zzz"}   | Invalid JSON body: unknown type id 'zzz'
            {"type":5,"value":1}       | Invalid JSON body: unknown type id '5'
            """)
    void aMissingOrUnknownTypeIdIs422SayingWhich(String body, String message) {
        AppError error = refused(body, Event.class);

        assertEquals(422, error.status());
        assertEquals(message, error.message());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', textBlock = """
            {"payload":{"value":1}}                | Invalid JSON field 'payload': missing type id 'kind'
            {"kind":"zzz","payload":{"value":1}}   | Invalid JSON body: unknown type id 'zzz'
            {"payload":{"value":1},"kind":"zzz"}   | Invalid JSON body: unknown type id 'zzz'
            """)
    void aMissingOrUnknownExternalTypeIdIs422SayingWhich(String body, String message) {
        // Jackson tracks the field for a missing external id only.
        assertEquals(message, refused(body, Envelope.class).message());
    }

    @ParameterizedTest
    @ValueSource(strings = {"{}", "{\"other\":1}"})
    void aDeducedTypeThatMatchesNoSingleOneIs422(String body) {
        AppError error = refused(body, Shape.class);

        assertEquals(422, error.status());
        assertEquals("Invalid JSON body: matches no single one of the types it may be", error.message());
    }
}
