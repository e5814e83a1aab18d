package dev.backend.core;

import com.fasterxml.jackson.annotation.Nulls;
import java.util.Objects;
import java.util.Optional;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.MapperFeature;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.cfg.CoercionAction;
import tools.jackson.databind.cfg.CoercionInputShape;
import tools.jackson.databind.cfg.DateTimeFeature;
import tools.jackson.databind.cfg.EnumFeature;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.type.LogicalType;

/**
 * The one shared, configured {@link JsonMapper} behind {@link Response#json} and {@link Request#json}.
 *
 * <p>Request bodies are read the way serde's derived {@code Deserialize} reads the same Rust types with
 * serde_json: JSON that is not valid (RFC 8259) is a 400, valid JSON of the wrong shape a 422 naming
 * the field ({@code "Invalid JSON field 'address.city': expected a string"}), and {@link Request#json}
 * never returns {@code null}. Type by type:
 *
 * <table>
 * <caption>What each Java type accepts (anything else is a 422)</caption>
 * <tr><th>type</th><th>accepts</th><th>notes</th></tr>
 * <tr><td>record</td><td>an object</td><td>unknown keys are ignored; every component must be present
 *     and not {@code null} unless its type is {@code Optional}; primitives included: a missing {@code int}
 *     is a 422, not 0</td></tr>
 * <tr><td>{@code Optional<T>}, {@code OptionalInt}...</td><td>absent or {@code null} (empty), or a
 *     {@code T}</td><td>serde's {@code Option}; an {@code OptionalDouble} is a number, as a {@code double} is (not
 *     {@code "NaN"})</td></tr>
 * <tr><td>{@code int}, {@code long}, {@code short}, {@code byte}, boxed, {@code BigInteger}</td><td>an
 *     integer literal in range</td><td>{@code 1.0}, {@code 1e2}, {@code "1"}, {@code true} are refused;
 *     out of range is "number out of range"</td></tr>
 * <tr><td>{@code double}, {@code float}, boxed</td><td>any number</td><td>one that overflows to infinity
 *     ({@code 1e400}) is "number out of range"; one below the smallest value rounds to 0, as in serde_json;
 *     {@code "NaN"} is a string</td></tr>
 * <tr><td>{@code BigDecimal}</td><td>any number, exactly</td><td>a decimal exponent beyond ±1000 is "number
 *     out of range"</td></tr>
 * <tr><td>{@code boolean}, {@code Boolean}</td><td>{@code true}, {@code false}</td><td>not {@code 0}/{@code
 *     1} or {@code "true"}</td></tr>
 * <tr><td>{@code String}, {@code char}</td><td>a string ({@code char}: of one character, U+0000 to
 *     U+FFFF)</td><td>not a number; an escaped lone surrogate ({@code "\ud800"}) is a 400, as in serde_json, in
 *     this and every other type read from a string</td></tr>
 * <tr><td>enum</td><td>the constant's exact name</td><td>not another case, not an ordinal; rename with
 *     {@code @JsonProperty}</td></tr>
 * <tr><td>{@code UUID}</td><td>the 36-character 8-4-4-4-12 hex form, either case</td><td>no braces,
 *     {@code urn:uuid:}, 32-digit or base64 forms</td></tr>
 * <tr><td>{@code Instant}</td><td>an RFC 3339 date-time with {@code Z} or an offset</td><td>converted to
 *     UTC; no epoch numbers or numeric strings</td></tr>
 * <tr><td>{@code OffsetDateTime}, {@code ZonedDateTime}</td><td>an RFC 3339 date-time with {@code Z} or an
 *     offset</td><td>the offset is kept as sent, up to ±18:00 (a {@code ZonedDateTime}'s zone is that offset, never
 *     a region). Kept, not refused beyond ±15:59: the offset is valid JSON input, and a value stored in UTC loses
 *     nothing. pgJDBC binds an {@code OffsetDateTime} as sent, and PostgreSQL's {@code timestamptz} and {@code timetz}
 *     refuse an offset beyond ±15:59 (SQLSTATE 22009, a 400 "A value in the request is not valid"); pgJDBC binds no
 *     {@code ZonedDateTime}. Store {@code withOffsetSameInstant(ZoneOffset.UTC)}</td></tr>
 * <tr><td>{@code java.util.Date}, {@code java.sql.Timestamp}, {@code Calendar}</td><td>an RFC 3339 date-time with
 *     {@code Z} or an offset</td><td>as {@code Instant}, no epoch numbers; {@code Date} and {@code Calendar} hold
 *     milliseconds, so at most three fraction digits (a finer fraction is refused, not truncated); a {@code
 *     Calendar} is in UTC</td></tr>
 * <tr><td>{@code LocalDate}, {@code LocalDateTime}, {@code LocalTime}</td><td>{@code 2026-01-02}, {@code
 *     2026-01-02T03:04:05}, {@code 03:04:05}</td><td>an offset or a time where none belongs is refused, so
 *     none is silently dropped; seconds are required; no arrays</td></tr>
 * <tr><td>{@code OffsetTime}; {@code java.sql.Date}, {@code java.sql.Time}</td><td>{@code 03:04:05+01:00};
 *     {@code 2026-01-02}, {@code 03:04:05}</td><td>RFC 3339's {@code full-time}, {@code full-date}, {@code
 *     partial-time}; a {@code java.sql.Time} holds whole seconds, so a fraction is refused; no epoch numbers</td></tr>
 * <tr><td>(dates above)</td><td>a year of four digits, 0000 to 9999 (RFC 3339 §5.6 {@code date-fullyear})</td>
 *     <td>ISO 8601's expanded years ({@code +10000-01-01}, {@code -0001-01-01}) are refused, as in Go; Jackson's
 *     defaults and chrono take them; so every year read is in the range of PostgreSQL's {@code date} and {@code
 *     timestamptz} (4713 BC to 294276 AD)</td></tr>
 * <tr><td>{@code Year}; {@code YearMonth}; {@code MonthDay}</td><td>{@code 2026} (an integer, 0 to 9999); {@code
 *     "2026-01"}; {@code "--01-02"}</td><td>the forms this mapper writes, with a date's four-digit years: not {@code
 *     "2026"}, {@code "+10000"}, {@code 10000} or arrays; as a map key a {@code Year} is {@code "2026"}</td></tr>
 * <tr><td>(date-times above)</td><td>RFC 3339 §5.6's {@code date-time}: seconds, a fraction of up to nine digits,
 *     {@code Z} or {@code ±HH:MM}</td><td>a leap second ({@code 23:59:60Z}) is refused, "second 60 (a leap second)
 *     is not supported": no java.time value holds it, and {@code Instant.parse} would read it as {@code 23:59:59Z};
 *     no hour 24; no {@code 03:04Z} without seconds, no {@code +01:00:30}; a fraction finer than a nanosecond is
 *     refused, not rounded; {@code T} and {@code Z} may be lower case. An {@code Instant} is
 *     UTC: {@code 9999-12-31T23:59:59-18:00} is read, and written back as {@code +10000-01-01T17:59:59Z}, which is
 *     refused</td></tr>
 * <tr><td>{@code Duration}</td><td>an ISO 8601 duration such as {@code "PT30S"}</td><td>not a number</td></tr>
 * <tr><td>{@code List}, {@code Set}, arrays</td><td>an array</td><td>a {@code null} element is a 422;
 *     a {@code Set} keeps one of equal elements; a {@code double[]} or {@code float[]} is not read from a base64
 *     string of IEEE 754 bytes, Jackson's "binary vector" form; a wrong element is named with its own type ({@code
 *     'v[1]': expected a number} for {@code [1,"2"]}), and {@code "NaN"} is refused in a {@code double[]} as in a
 *     {@code List<Double>}; a {@code char[]} is read from a string</td></tr>
 * <tr><td>{@code Map<String, V>}</td><td>an object</td><td>a {@code null} value is a 422</td></tr>
 * <tr><td>{@code Map<K, V>}, {@code K} a number, a date or a {@code UUID}</td><td>an object</td><td>each key follows
 *     {@code K}'s value rules ({@code "+1"}, {@code "1e400"}, {@code "NaN"}, {@code "+10000-01-01"} are refused); a
 *     bad key is a 422 naming it</td></tr>
 * <tr><td>{@code byte[]}, {@code ByteBuffer}</td><td>a base64 string (RFC 4648 §4, padded)</td><td>what this mapper
 *     writes; Jackson also reads an array of byte values (-128 to 255), which is serde's {@code Vec<u8>} form; an
 *     escaped lone surrogate is a 400 as in any string</td></tr>
 * <tr><td>{@code JsonNode}</td><td>any value</td><td>{@code null} is a {@code NullNode}; a number that overflows a
 *     double ({@code 1e400}) is "number out of range", as serde_json's {@code Value} refuses it</td></tr>
 * <tr><td>{@code Object}</td><td>any value but {@code null}</td><td>objects as maps, arrays as lists, numbers as
 *     {@code Integer}, {@code Long}, {@code BigInteger} or {@code Double}; one that overflows a double is "number
 *     out of range", in a {@code Map<String, Object>} too</td></tr>
 * </table>
 *
 * <p>And for the body as a whole: an empty body is a 400, and so is one of only whitespace or a byte order mark
 * (RFC 8259 §2: a JSON text holds a value); {@code null} at the root is a 422 (unless
 * the type is {@code Optional}); anything but whitespace after the value is a 400 (serde_json's
 * "trailing characters"); a repeated key in any object is a 422 (serde refuses repeated struct fields,
 * and I-JSON, RFC 7493 §2.3, all); the body must be UTF-8 (RFC 8259 §8.1: a UTF-8 byte order mark is
 * ignored, UTF-16 and UTF-32 are a 400, as is any sequence RFC 3629 §4 excludes: overlong forms, encoded
 * surrogates, code points beyond U+10FFFF, stray continuation bytes and truncated sequences, each named by byte
 * offset and bytes); comments, {@code NaN}, single
 * quotes, leading zeros, leading {@code +} and trailing commas are a 400; nesting deeper than 500 levels
 * or a number longer than 1000 characters is a 400 (serde_json stops at 128 levels). Error messages name
 * JSON types and the field path, never a Java class, and quote at most 200 characters of a key or path. These
 * rules hold for a value Jackson buffers before reading it too: a polymorphic type whose {@code "type"} property
 * comes after the value ({@code {"value":1e400,"type":"a"}}), a type deduced from its properties, an external
 * type id. A type id that is missing or names no subtype is a 422 saying which ({@code missing type id 'type'},
 * {@code unknown type id 'circle'}).
 *
 * <p>Responses are written by the same mapper. JSON has no NaN or infinity: a {@code double} or {@code float} that
 * is one is written as the string {@code "NaN"}, {@code "Infinity"} or {@code "-Infinity"} (Jackson's default;
 * serde_json writes {@code null}), which the rules above refuse as a number. A date with a year beyond 9999 is
 * written in ISO 8601's expanded form ({@code "+10000-01-01T00:00:00Z"}), which they refuse too.
 *
 * <p>Replace the mapper once at start-up, before serving, with {@link #use(JsonMapper)}; start from
 * {@link #defaults()} to keep these rules (a builder that replaces the annotation introspector drops
 * the required-record-component rule, one that replaces the deserialization contexts the rules for buffered
 * values):
 *
 * {@snippet :
 * Json.use(Json.defaults().enable(SerializationFeature.INDENT_OUTPUT).build());
 * }
 */
public final class Json {

    private static volatile JsonMapper mapper = defaults().build();

    private Json() {}

    /**
     * A builder with this library's defaults, to extend and pass to {@link #use(JsonMapper)}.
     *
     * @return a new builder; each call returns a fresh one
     */
    public static JsonMapper.Builder defaults() {
        return JsonMapper.builder(JsonFactory.builder().recyclerPool(JsonBufferPool.SHARED).build())
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_CREATOR_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
                .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .enable(EnumFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
                // The constant's name, as serde uses the variant's name: toString() is for people.
                .disable(EnumFeature.READ_ENUMS_USING_TO_STRING)
                .disable(EnumFeature.WRITE_ENUMS_USING_TO_STRING)
                .disable(DateTimeFeature.WRITE_DATES_AS_TIMESTAMPS)
                .disable(DateTimeFeature.ADJUST_DATES_TO_CONTEXT_TIME_ZONE)
                .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
                // Error locations must not quote request bodies back into logs or responses.
                .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
                .annotationIntrospector(new JsonRules.RequiredRecordComponents())
                .changeDefaultNullHandling(setter -> setter.withContentNulls(Nulls.FAIL))
                .addModule(JsonRules.module())
                .deserializationContexts(new JsonRules.BufferingContexts())
                .withCoercionConfig(LogicalType.Textual, config -> config
                        .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                        .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                        .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail));
    }

    /**
     * {@return the mapper in use: the defaults, unless {@link #use(JsonMapper)} replaced them}
     *
     * <p>For writing, and for reading JSON the application trusts (its own, a test's). Reading a client's body with
     * it directly keeps the type rules above but not the checks {@link Request#json} makes around the mapper: a
     * {@code null} root is returned as {@code null}, {@code 1e400} is infinity in an {@code Object} or a {@code
     * JsonNode}, an escaped lone surrogate is kept in a string, and a failure is a {@link JacksonException} that a
     * handler turns into a 500, not the 400 or 422 above. Read a request body with {@link Request#json}.
     */
    public static JsonMapper mapper() {
        return mapper;
    }

    /**
     * Replaces the shared mapper; call before serving requests.
     *
     * @param replacement the mapper for every request and response from now on; build it from {@link #defaults()}
     *     to keep the rules above
     */
    public static void use(JsonMapper replacement) {
        mapper = Objects.requireNonNull(replacement, "replacement");
    }

    /** Serialises {@code value}; a value Jackson cannot write is a bug, so it surfaces as a 500. */
    static byte[] write(Object value) {
        try {
            return mapper.writeValueAsBytes(value);
        } catch (JacksonException e) {
            throw new AppException(new AppError.Internal(e));
        }
    }

    static <T> T read(byte[] body, Class<T> type) {
        JsonMapper m = mapper;
        return read(body, m, m.constructType(type));
    }

    static <T> T read(byte[] body, TypeReference<T> type) {
        JsonMapper m = mapper;
        return read(body, m, m.constructType(type));
    }

    /** Parses a request body by the rules above; every failure is an {@link AppException}. */
    private static <T> T read(byte[] body, JsonMapper m, JavaType type) {
        noValue(body).ifPresent(problem -> {
            throw new AppError.BadRequest(problem).toException();
        });
        if (!looksLikeUtf8(body)) {
            throw JsonErrors.malformed(null, "the body must be UTF-8 (RFC 8259 §8.1)").toException();
        }
        Utf8.firstError(body).ifPresent(problem -> {
            throw JsonErrors.malformed(null, problem).toException();
        });
        T value;
        try (JsonParser parser = new JsonRules.CheckedParser(m.createParser(body))) {
            value = m.readValue(parser, type);
            if (parser.nextToken() != null) {
                throw JsonErrors.malformed(parser.currentLocation(), "trailing data after the JSON value")
                        .toException();
            }
        } catch (JacksonException e) {
            throw JsonErrors.of(e).toException();
        }
        if (value == null) {
            throw JsonErrors.unprocessable("expected " + JsonErrors.typeName(type.getRawClass()) + ", not null")
                    .toException();
        }
        return value;
    }

    /**
     * Why a body holds no JSON value at all, if it does not: it is empty, or a UTF-8 byte order mark (which RFC 8259
     * §8.1 lets a parser ignore), or whitespace (RFC 8259 §2: {@code JSON-text = ws value ws} needs a value). Each
     * is the same 400 as an empty body, as serde_json's "EOF while parsing a value" is in axum; Jackson would make
     * whitespace a 422 (end of input where a value belongs), and a lone byte order mark a 400 quoting it. Only
     * leading bytes are looked at: any other body stops the scan at its first byte that is not whitespace.
     */
    private static Optional<String> noValue(byte[] body) {
        int start = body.length >= 3 && (body[0] & 0xFF) == 0xEF && (body[1] & 0xFF) == 0xBB
                && (body[2] & 0xFF) == 0xBF ? 3 : 0;
        int first = start;
        while (first < body.length && (body[first] == ' ' || body[first] == '\t' || body[first] == '\n'
                || body[first] == '\r')) {
            first++;
        }
        if (first < body.length) {
            return Optional.empty();
        }
        return Optional.of(first == start
                ? "Request body is empty; expected JSON"
                : "Request body is only whitespace; expected JSON");
    }

    /**
     * False for bodies Jackson would decode as UTF-16 or UTF-32: a UTF-16 byte order mark, or a zero byte
     * among the first four. No UTF-8 JSON text has either (a zero byte is only valid escaped as
     * {@code \u0000}).
     */
    private static boolean looksLikeUtf8(byte[] body) {
        if ((body[0] & 0xFF) >= 0xFE) {
            return false;
        }
        for (int i = 0; i < Math.min(4, body.length); i++) {
            if (body[i] == 0) {
                return false;
            }
        }
        return true;
    }
}
