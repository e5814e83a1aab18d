package dev.backend.core;

import java.math.BigDecimal;
import java.nio.CharBuffer;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.function.Function;
import tools.jackson.core.FormatSchema;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.TokenStreamFactory;
import tools.jackson.core.exc.InputCoercionException;
import tools.jackson.core.exc.StreamReadException;
import tools.jackson.core.util.JsonParserDelegate;
import tools.jackson.databind.DeserializationConfig;
import tools.jackson.databind.DeserializationContext;
import tools.jackson.databind.InjectableValues;
import tools.jackson.databind.cfg.DeserializationContexts;
import tools.jackson.databind.cfg.MapperConfig;
import tools.jackson.databind.deser.DeserializationContextExt;
import tools.jackson.databind.deser.DeserializerCache;
import tools.jackson.databind.deser.DeserializerFactory;
import tools.jackson.databind.deser.std.StdScalarDeserializer;
import tools.jackson.databind.introspect.AnnotatedMember;
import tools.jackson.databind.introspect.JacksonAnnotationIntrospector;
import tools.jackson.databind.module.SimpleModule;
import tools.jackson.databind.util.TokenBuffer;

/**
 * The value rules {@link Json} adds to Jackson where Jackson's own readers are more lenient than serde's
 * derived {@code Deserialize}: each reader takes exactly one JSON shape and reports anything else as a
 * mismatch (a 422), so a client never gets a silently different value.
 */
final class JsonRules {

    /**
     * The largest decimal exponent a {@link BigDecimal} may have. {@code 1e999999999} is a 12-byte body
     * whose {@code toPlainString()} is a billion characters; bounding the scale keeps every BigDecimal a
     * client sends printable, and is still far beyond what PostgreSQL's {@code numeric} stores.
     */
    static final int MAX_DECIMAL_SCALE = 1000;

    private JsonRules() {}

    static SimpleModule module() {
        SimpleModule module = new SimpleModule("backend-json-rules");
        module.addDeserializer(Character.class, new CharReader(Character.class));
        module.addDeserializer(char.class, new CharReader(char.class));
        module.addDeserializer(Double.class, new DoubleReader(Double.class));
        module.addDeserializer(double.class, new DoubleReader(double.class));
        module.addDeserializer(Float.class, new FloatReader(Float.class));
        module.addDeserializer(float.class, new FloatReader(float.class));
        module.addDeserializer(Byte.class, new ByteReader(Byte.class));
        module.addDeserializer(byte.class, new ByteReader(byte.class));
        module.addDeserializer(BigDecimal.class, new DecimalReader());
        module.addDeserializer(UUID.class, new TextReader<>(UUID.class, text -> Request.Params.uuid(text).orElse(null)));
        module.addDeserializer(Instant.class, dated(Instant.class, Instant::parse));
        module.addDeserializer(OffsetDateTime.class, dated(OffsetDateTime.class, OffsetDateTime::parse));
        module.addDeserializer(LocalDate.class, dated(LocalDate.class, LocalDate::parse));
        module.addDeserializer(LocalDateTime.class, dated(LocalDateTime.class, LocalDateTime::parse));
        module.addDeserializer(LocalTime.class, temporal(LocalTime.class, LocalTime::parse));
        module.addDeserializer(Duration.class, temporal(Duration.class, Duration::parse));
        return module;
    }

    /**
     * A date or date-time whose year has four digits, 0000 to 9999, and no sign: RFC 3339 §5.6's {@code
     * date-fullyear = 4DIGIT}, the form the table in {@link Json} promises. java.time also reads ISO 8601's expanded
     * years ({@code +10000-01-01}, {@code -0001-01-01}, up to ±999999999), which RFC 3339 leaves out and PostgreSQL
     * cannot all hold: its {@code timestamptz} ends at 294276 AD, where a later value fails at the database as a 500,
     * and the driver writes one before 4713 BC as {@code -infinity}.
     */
    private static <T> TextReader<T> dated(Class<T> type, Function<String, T> parse) {
        return temporal(type, text -> fourDigitYear(text) ? parse.apply(text) : null);
    }

    private static boolean fourDigitYear(String text) {
        if (text.length() < 5 || text.charAt(4) != '-') {
            return false;
        }
        for (int i = 0; i < 4; i++) {
            if (text.charAt(i) < '0' || text.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }

    private static <T> TextReader<T> temporal(Class<T> type, Function<String, T> parse) {
        return new TextReader<>(type, text -> {
            try {
                return parse.apply(text);
            } catch (DateTimeParseException e) {
                return null;
            }
        });
    }

    /**
     * The request body's parser, with the two value checks Jackson's parser does not make.
     *
     * <p>A number must fit the type Jackson reads it as: a double (or float) that overflows to infinity ({@code
     * 1e400}), and a BigDecimal whose exponent is beyond an {@code int} ({@code 1e2147483648}), which Jackson throws
     * as a bare {@link NumberFormatException}, are both {@link InputCoercionException}s, "number out of range" (a
     * 422), as serde_json refuses such a number even into its untyped {@code Value}. Checking here rather than in
     * each reader covers every one Jackson has: untyped {@code Object} and {@code Map<String, Object>}, {@code
     * JsonNode}, {@code Number}, {@code OptionalDouble}, {@code double[]} and {@code float[]} read the number
     * straight from the parser, and would otherwise hold infinity and write it back as the string {@code
     * "Infinity"}. Jackson has no setting for this: {@code USE_BIG_DECIMAL_FOR_FLOATS} would keep {@code 1e400}
     * exactly, but turns every untyped float into a BigDecimal, with no bound on its exponent, and refuses nothing.
     *
     * <p>A string value must be Unicode text: an escaped lone surrogate ({@code "\ud800"}) has no UTF-8 form, so it
     * would turn into {@code ?} on its way to the database. serde_json rejects it as a syntax error (a 400), and so
     * does Jackson in object keys; this does the same for values, through each accessor Jackson's readers take text
     * from ({@link #getString()}, {@link #getValueAsString()}, {@link #getStringCharacters()}), so a {@code String},
     * a {@code char}, a {@code char[]}, a {@code CharSequence}, a {@code JsonNode}, an untyped value and a value read
     * through a type's string creator all refuse it alike. A value the reader skips (an unknown key's) is not read,
     * so not checked, as serde_json does not check what it ignores; one Jackson buffers first is read to be copied.
     *
     * <p>A value Jackson buffers and replays (for a polymorphic type whose id comes after it, say) is copied
     * through this parser and replayed through another one: {@link BufferingContexts} makes that one check too.
     */
    static final class CheckedParser extends JsonParserDelegate {
        CheckedParser(JsonParser parser) {
            super(parser);
        }

        @Override
        public double getDoubleValue() {
            double value = delegate.getDoubleValue();
            if (Double.isInfinite(value)) {
                throw outOfRange(double.class);
            }
            return value;
        }

        @Override
        public float getFloatValue() {
            float value = delegate.getFloatValue();
            if (Float.isInfinite(value)) {
                throw outOfRange(float.class);
            }
            return value;
        }

        /** A JSON float comes back as a {@code Double}; an integer (Integer, Long, BigInteger) is never infinite. */
        @Override
        public Number getNumberValue() {
            Number value = delegate.getNumberValue();
            if (value instanceof Double d && d.isInfinite()) {
                throw outOfRange(double.class);
            }
            return value;
        }

        @Override
        public BigDecimal getDecimalValue() {
            try {
                return delegate.getDecimalValue();
            } catch (NumberFormatException e) {
                throw outOfRange(BigDecimal.class);
            }
        }

        @Override
        public String getString() {
            String text = delegate.getString();
            if (text != null && hasToken(JsonToken.VALUE_STRING)) {
                checkUnicode(text);
            }
            return text;
        }

        @Override
        public String getValueAsString() {
            return hasToken(JsonToken.VALUE_STRING) ? getString() : delegate.getValueAsString();
        }

        @Override
        public String getValueAsString(String defaultValue) {
            return hasToken(JsonToken.VALUE_STRING) ? getString() : delegate.getValueAsString(defaultValue);
        }

        @Override
        public char[] getStringCharacters() {
            char[] text = delegate.getStringCharacters();
            if (text != null && hasToken(JsonToken.VALUE_STRING)) {
                checkUnicode(CharBuffer.wrap(text, delegate.getStringOffset(), delegate.getStringLength()));
            }
            return text;
        }

        /** An escaped lone surrogate is a syntax error (400), as in serde_json: it is no Unicode character. */
        private void checkUnicode(CharSequence text) {
            int length = text.length();
            for (int i = 0; i < length; i++) {
                char c = text.charAt(i);
                if (Character.isHighSurrogate(c) && i + 1 < length && Character.isLowSurrogate(text.charAt(i + 1))) {
                    i++;
                } else if (Character.isSurrogate(c)) {
                    throw new StreamReadException(this, String.format(
                            "Invalid string: lone surrogate \\u%04x has no Unicode character", (int) c));
                }
            }
        }

        private InputCoercionException outOfRange(Class<?> type) {
            return new InputCoercionException(this, "Numeric value out of range of " + type.getSimpleName(),
                    currentToken(), type);
        }
    }

    /**
     * Deserialization contexts whose token buffers replay through a {@link CheckedParser}. Jackson buffers a value
     * it cannot read yet: a polymorphic type's properties until its id ({@code {"value":1e400,"type":"a"}}, with
     * {@code @JsonTypeInfo(use = NAME, property = "type")}), an external type id's value, an {@code @JsonUnwrapped}
     * record's properties. The tokens are copied through the request's {@link CheckedParser}, but a float is kept
     * as its text and parsed again when the buffer is replayed, by the buffer's own parser, which would read {@code
     * 1e400} as infinity into a {@code JsonNode}, an {@code Object} or a {@code Map<String, Object>}.
     */
    static final class BufferingContexts extends DeserializationContexts {
        private static final long serialVersionUID = 1L;

        BufferingContexts() {}

        private BufferingContexts(TokenStreamFactory streams, DeserializerFactory factory, DeserializerCache cache) {
            super(streams, factory, cache);
        }

        @Override
        protected DeserializationContexts forMapper(Object mapper, TokenStreamFactory streams,
                DeserializerFactory factory, DeserializerCache cache) {
            return new BufferingContexts(streams, factory, cache);
        }

        @Override
        public DeserializationContextExt createContext(DeserializationConfig config, FormatSchema schema,
                InjectableValues injectables) {
            return new Context(_streamFactory, _deserializerFactory, _cache, config, schema, injectables);
        }

        // Jackson's DeserializationContext narrows ObjectReadContext's generic readTree to JsonNode, which javac
        // reports as unchecked on every subclass; the method is Jackson's, not overridden here.
        @SuppressWarnings("unchecked")
        private static final class Context extends DeserializationContextExt {
            Context(TokenStreamFactory streams, DeserializerFactory factory, DeserializerCache cache,
                    DeserializationConfig config, FormatSchema schema, InjectableValues injectables) {
                super(streams, factory, cache, config, schema, injectables);
            }

            @Override
            public TokenBuffer bufferForInputBuffering(JsonParser p) {
                return new CheckedBuffer(p, this);
            }
        }

        /** Every parser over the buffer checks what it replays; {@code asParserOnFirstToken} uses these. */
        private static final class CheckedBuffer extends TokenBuffer {
            CheckedBuffer(JsonParser p, ObjectReadContext context) {
                super(p, context);
            }

            @Override
            public JsonParser asParser() {
                return new CheckedParser(super.asParser());
            }

            @Override
            public JsonParser asParser(ObjectReadContext context) {
                return new CheckedParser(super.asParser(context));
            }

            @Override
            public JsonParser asParser(ObjectReadContext context, JsonParser source) {
                return new CheckedParser(super.asParser(context, source));
            }
        }
    }

    /**
     * Marks every record component required unless its type is an {@code Optional}: serde's rule, where
     * only an {@code Option} field may be missing. Jackson would otherwise fill a missing {@code int}
     * with 0 and a missing {@code boolean} with false. An explicit {@code @JsonProperty(isRequired = ...)}
     * still wins.
     */
    static final class RequiredRecordComponents extends JacksonAnnotationIntrospector {
        private static final long serialVersionUID = 1L;

        @Override
        public Boolean hasRequiredMarker(MapperConfig<?> config, AnnotatedMember member) {
            Boolean explicit = super.hasRequiredMarker(config, member);
            if (explicit != null || !member.getDeclaringClass().isRecord()) {
                return explicit;
            }
            Class<?> type = member.getRawType();
            return !(type == Optional.class || type == OptionalInt.class || type == OptionalLong.class
                    || type == OptionalDouble.class);
        }
    }

    /**
     * A string of exactly one character that is not half of a surrogate pair: a Java {@code char} holds U+0000 to
     * U+FFFF, so {@code "ab"}, {@code ""} and {@code "😀"} are a mismatch (a 422 "expected a single-character
     * string"). An escaped lone surrogate ({@code "\ud800"}) never gets here: {@link CheckedParser} refuses it, a 400
     * as in a string.
     */
    private static final class CharReader extends StdScalarDeserializer<Character> {
        private final Class<?> type;

        CharReader(Class<?> type) {
            super(Character.class);
            this.type = type;
        }

        @Override
        public Character deserialize(JsonParser p, DeserializationContext ctxt) {
            if (!p.hasToken(JsonToken.VALUE_STRING)) {
                return (Character) ctxt.handleUnexpectedToken(type, p);
            }
            String text = p.getString();
            return text.length() == 1
                    ? text.charAt(0)
                    : (Character) ctxt.handleWeirdStringValue(type, text, "not a single character");
        }
    }

    /** Numbers only ({@code "NaN"} and {@code "Infinity"} are strings), and finite: {@code 1e400} overflows. */
    private static final class DoubleReader extends StdScalarDeserializer<Double> {
        private final Class<?> type;

        DoubleReader(Class<?> type) {
            super(Double.class);
            this.type = type;
        }

        @Override
        public Double deserialize(JsonParser p, DeserializationContext ctxt) {
            if (!p.hasToken(JsonToken.VALUE_NUMBER_INT) && !p.hasToken(JsonToken.VALUE_NUMBER_FLOAT)) {
                return (Double) ctxt.handleUnexpectedToken(type, p);
            }
            double value = p.getDoubleValue();
            if (Double.isInfinite(value)) {
                throw new InputCoercionException(p, "Numeric value out of range of double", p.currentToken(), type);
            }
            return value;
        }
    }

    /** As {@link DoubleReader}, for {@code float}: {@code 1e39} overflows it. */
    private static final class FloatReader extends StdScalarDeserializer<Float> {
        private final Class<?> type;

        FloatReader(Class<?> type) {
            super(Float.class);
            this.type = type;
        }

        @Override
        public Float deserialize(JsonParser p, DeserializationContext ctxt) {
            if (!p.hasToken(JsonToken.VALUE_NUMBER_INT) && !p.hasToken(JsonToken.VALUE_NUMBER_FLOAT)) {
                return (Float) ctxt.handleUnexpectedToken(type, p);
            }
            float value = p.getFloatValue();
            if (Float.isInfinite(value)) {
                throw new InputCoercionException(p, "Numeric value out of range of float", p.currentToken(), type);
            }
            return value;
        }
    }

    /**
     * Integers from -128 to 127: Jackson also takes 128 to 255 and wraps them to negative bytes, so 200
     * would arrive as -56. Rust's {@code i8} refuses them too.
     */
    private static final class ByteReader extends StdScalarDeserializer<Byte> {
        private final Class<?> type;

        ByteReader(Class<?> type) {
            super(Byte.class);
            this.type = type;
        }

        @Override
        public Byte deserialize(JsonParser p, DeserializationContext ctxt) {
            if (!p.hasToken(JsonToken.VALUE_NUMBER_INT)) {
                return (Byte) ctxt.handleUnexpectedToken(type, p);
            }
            int value = p.getIntValue();
            if (value < Byte.MIN_VALUE || value > Byte.MAX_VALUE) {
                throw new InputCoercionException(p, "Numeric value out of range of byte", p.currentToken(), type);
            }
            return (byte) value;
        }
    }

    /** Numbers only, read exactly, with the exponent bounded by {@link #MAX_DECIMAL_SCALE}. */
    private static final class DecimalReader extends StdScalarDeserializer<BigDecimal> {
        DecimalReader() {
            super(BigDecimal.class);
        }

        @Override
        public BigDecimal deserialize(JsonParser p, DeserializationContext ctxt) {
            if (!p.hasToken(JsonToken.VALUE_NUMBER_INT) && !p.hasToken(JsonToken.VALUE_NUMBER_FLOAT)) {
                return (BigDecimal) ctxt.handleUnexpectedToken(BigDecimal.class, p);
            }
            BigDecimal value;
            try {
                value = p.getDecimalValue();
            } catch (NumberFormatException e) {
                // An exponent beyond an int (1e2147483648) from a parser other than CheckedParser: Json.mapper() used
                // directly.
                throw outOfRange(p);
            }
            if (Math.abs((long) value.scale()) > MAX_DECIMAL_SCALE) {
                throw outOfRange(p);
            }
            return value;
        }

        private static InputCoercionException outOfRange(JsonParser p) {
            return new InputCoercionException(p, "Numeric value out of range of BigDecimal", p.currentToken(),
                    BigDecimal.class);
        }
    }

    /**
     * A value written as one JSON string in one format and nothing else: no numbers (Jackson reads
     * {@code 1700000000} as an Instant), no arrays ({@code [2026,1,2]} as a LocalDate), no alternative
     * spellings (a 24-character base64 string as a UUID). {@code parse} answers null for a bad string.
     */
    private static final class TextReader<T> extends StdScalarDeserializer<T> {
        private final Class<T> type;
        private final Function<String, T> parse;

        TextReader(Class<T> type, Function<String, T> parse) {
            super(type);
            this.type = type;
            this.parse = parse;
        }

        @Override
        public T deserialize(JsonParser p, DeserializationContext ctxt) {
            if (!p.hasToken(JsonToken.VALUE_STRING)) {
                return type.cast(ctxt.handleUnexpectedToken(type, p));
            }
            String text = p.getString();
            T value = parse.apply(text);
            return value != null ? value : type.cast(ctxt.handleWeirdStringValue(type, text, "not in the expected format"));
        }
    }
}
