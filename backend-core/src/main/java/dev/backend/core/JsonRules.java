package dev.backend.core;

import java.io.OutputStream;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
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
import java.time.MonthDay;
import java.time.Year;
import java.time.YearMonth;
import java.time.ZonedDateTime;
import java.time.format.DateTimeParseException;
import java.util.Calendar;
import java.util.Date;
import java.util.GregorianCalendar;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.core.Base64Variant;
import tools.jackson.core.Base64Variants;
import tools.jackson.core.FormatSchema;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.TokenStreamFactory;
import tools.jackson.core.exc.InputCoercionException;
import tools.jackson.core.exc.StreamReadException;
import tools.jackson.core.util.JsonParserDelegate;
import tools.jackson.databind.BeanDescription;
import tools.jackson.databind.DeserializationConfig;
import tools.jackson.databind.DeserializationContext;
import tools.jackson.databind.InjectableValues;
import tools.jackson.databind.KeyDeserializer;
import tools.jackson.databind.ValueDeserializer;
import tools.jackson.databind.cfg.DeserializationContexts;
import tools.jackson.databind.cfg.MapperConfig;
import tools.jackson.databind.deser.DeserializationContextExt;
import tools.jackson.databind.deser.DeserializerCache;
import tools.jackson.databind.deser.DeserializerFactory;
import tools.jackson.databind.deser.ValueDeserializerModifier;
import tools.jackson.databind.deser.std.DelegatingDeserializer;
import tools.jackson.databind.deser.std.StdDeserializer;
import tools.jackson.databind.deser.std.StdScalarDeserializer;
import tools.jackson.databind.exc.InvalidNullException;
import tools.jackson.databind.exc.MismatchedInputException;
import tools.jackson.databind.ext.jdk8.OptionalDoubleDeserializer;
import tools.jackson.databind.introspect.AnnotatedMember;
import tools.jackson.databind.introspect.JacksonAnnotationIntrospector;
import tools.jackson.databind.module.SimpleModule;
import tools.jackson.databind.type.ArrayType;
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

    /**
     * RFC 3339 §5.6's {@code date-time}: {@code date-fullyear} is four digits, 0000 to 9999, with no sign; seconds
     * are required; an offset is {@code Z} or {@code ±HH:MM}; {@code T} and {@code Z} may be lower case (§5.6's
     * note). java.time also reads ISO 8601's expanded years ({@code +10000-01-01}, {@code -0001-01-01}, up to
     * ±999999999), which RFC 3339 leaves out and PostgreSQL cannot all hold (its {@code timestamptz} ends at 294276
     * AD, where a later value fails at the database as a 500, and the driver writes one before 4713 BC as {@code
     * -infinity}), a time without seconds, and an offset with seconds ({@code +01:00:30}), none of which RFC 3339
     * has. A fraction has at most nine digits, a nanosecond, the finest
     * java.time holds: a longer one is refused rather than rounded.
     */
    private static final Pattern DATE_TIME =
            Pattern.compile("\\d{4}-\\d{2}-\\d{2}[Tt]\\d{2}:\\d{2}:\\d{2}(?:\\.\\d{1,9})?(?:[Zz]|[+-]\\d{2}:\\d{2})");
    /** {@link #DATE_TIME} for {@link Date} and {@link Calendar}, which hold milliseconds: at most three digits. */
    private static final Pattern DATE_TIME_MILLIS =
            Pattern.compile("\\d{4}-\\d{2}-\\d{2}[Tt]\\d{2}:\\d{2}:\\d{2}(?:\\.\\d{1,3})?(?:[Zz]|[+-]\\d{2}:\\d{2})");
    /** RFC 3339's {@code full-date} and {@code partial-time}, and the two joined by {@code T}. */
    private static final Pattern DATE = Pattern.compile("\\d{4}-\\d{2}-\\d{2}");
    private static final Pattern LOCAL_TIME = Pattern.compile("\\d{2}:\\d{2}:\\d{2}(?:\\.\\d{1,9})?");
    /** RFC 3339's {@code full-time}: a {@link #LOCAL_TIME} with its offset. */
    private static final Pattern OFFSET_TIME =
            Pattern.compile("\\d{2}:\\d{2}:\\d{2}(?:\\.\\d{1,9})?(?:[Zz]|[+-]\\d{2}:\\d{2})");
    /** A {@link Time} holds whole seconds: a fraction is refused rather than dropped. */
    private static final Pattern SECONDS_TIME = Pattern.compile("\\d{2}:\\d{2}:\\d{2}");
    private static final Pattern LOCAL_DATE_TIME =
            Pattern.compile("\\d{4}-\\d{2}-\\d{2}[Tt]\\d{2}:\\d{2}:\\d{2}(?:\\.\\d{1,9})?");
    /** ISO 8601's year and month and its month and day ({@code --MM-DD}), as java.time writes them. */
    private static final Pattern YEAR_MONTH = Pattern.compile("\\d{4}-\\d{2}");
    private static final Pattern MONTH_DAY = Pattern.compile("--\\d{2}-\\d{2}");
    /**
     * A time of day's seconds field when it is 60 (RFC 3339 §5.6 {@code time-second}, for a leap second): the
     * first match is the time's, as a date has no colon.
     */
    private static final Pattern SECOND_60 = Pattern.compile("(\\d{2}:\\d{2}:)60");
    /** The years a date takes ({@link #DATE_TIME}): RFC 3339's four digits. */
    static final int MAX_YEAR = 9999;
    /** Any text: {@link Duration#parse} is the whole rule for a duration. */
    private static final Pattern ANY = Pattern.compile(".*", Pattern.DOTALL);

    /**
     * A JSON number's text (RFC 8259 §6), of at most 1000 characters as a number value may have: a map key read as a
     * number follows the rules of a number value, so {@code "+1"}, {@code "1e400"}, {@code "NaN"} and {@code
     * "Infinity"} are refused as keys as they are as values.
     */
    private static final Pattern NUMBER = Pattern.compile("-?(?:0|[1-9]\\d*)(?:\\.\\d+)?(?:[eE][+-]?\\d+)?");
    private static final Pattern INTEGER = Pattern.compile("-?(?:0|[1-9]\\d*)");
    private static final int MAX_NUMBER_LENGTH = 1000;

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
        module.addDeserializer(OptionalDouble.class, new OptionalDoubleReader());
        module.addDeserializer(ByteBuffer.class, new ByteBufferReader());
        text(module, UUID.class, text -> Request.Params.uuid(text).orElse(null));
        clock(module, Instant.class, strict(DATE_TIME, JsonRules::instant));
        clock(module, OffsetDateTime.class, strict(DATE_TIME, OffsetDateTime::parse));
        clock(module, ZonedDateTime.class, strict(DATE_TIME, t -> OffsetDateTime.parse(t).toZonedDateTime()));
        clock(module, Timestamp.class, strict(DATE_TIME, t -> Timestamp.from(instant(t))));
        clock(module, Date.class, strict(DATE_TIME_MILLIS, t -> Date.from(instant(t))));
        clock(module, Calendar.class, strict(DATE_TIME_MILLIS, JsonRules::calendar));
        clock(module, GregorianCalendar.class, strict(DATE_TIME_MILLIS, JsonRules::calendar));
        text(module, LocalDate.class, strict(DATE, LocalDate::parse));
        clock(module, LocalDateTime.class, strict(LOCAL_DATE_TIME, LocalDateTime::parse));
        clock(module, LocalTime.class, strict(LOCAL_TIME, LocalTime::parse));
        clock(module, OffsetTime.class, strict(OFFSET_TIME, OffsetTime::parse));
        text(module, java.sql.Date.class, strict(DATE, t -> java.sql.Date.valueOf(LocalDate.parse(t))));
        clock(module, Time.class, strict(SECONDS_TIME, t -> Time.valueOf(LocalTime.parse(t))));
        text(module, YearMonth.class, strict(YEAR_MONTH, YearMonth::parse));
        text(module, MonthDay.class, strict(MONTH_DAY, MonthDay::parse));
        module.addDeserializer(Year.class, new YearReader());
        key(module, Year.class, text -> integer(text, 0, MAX_YEAR, year -> Year.of(year.intValue())));
        text(module, Duration.class, strict(ANY, Duration::parse));
        key(module, Integer.class, text -> integer(text, Integer.MIN_VALUE, Integer.MAX_VALUE, BigInteger::intValue));
        key(module, Long.class, text -> integer(text, Long.MIN_VALUE, Long.MAX_VALUE, BigInteger::longValue));
        key(module, Short.class, text -> integer(text, Short.MIN_VALUE, Short.MAX_VALUE, BigInteger::shortValue));
        key(module, Byte.class, text -> integer(text, Byte.MIN_VALUE, Byte.MAX_VALUE, BigInteger::byteValue));
        key(module, BigInteger.class, text -> number(text, INTEGER) ? new BigInteger(text) : null);
        key(module, Double.class, text -> {
            double value = number(text, NUMBER) ? Double.parseDouble(text) : Double.NaN;
            return Double.isFinite(value) ? value : null;
        });
        key(module, Float.class, text -> {
            float value = number(text, NUMBER) ? Float.parseFloat(text) : Float.NaN;
            return Float.isFinite(value) ? value : null;
        });
        key(module, BigDecimal.class, text -> {
            BigDecimal value = number(text, NUMBER) ? new BigDecimal(text) : null;
            return value != null && Math.abs((long) value.scale()) <= MAX_DECIMAL_SCALE ? value : null;
        });
        module.setDeserializerModifier(new PrimitiveArrays());
        return module;
    }

    private static boolean number(String text, Pattern grammar) {
        return text.length() <= MAX_NUMBER_LENGTH && grammar.matcher(text).matches();
    }

    /** In UTC, as Jackson's own Calendar reader gives it with this mapper's default time zone. */
    private static GregorianCalendar calendar(String text) {
        return GregorianCalendar.from(instant(text).atZone(ZoneOffset.UTC));
    }

    /**
     * An RFC 3339 date-time's instant. Not {@link Instant#parse}: it reads a leap second ({@code 23:59:60Z}) as the
     * second before it and {@code 24:00:00Z} as the next midnight, where {@link OffsetDateTime#parse} refuses both.
     */
    private static Instant instant(String text) {
        return OffsetDateTime.parse(text).toInstant();
    }

    /**
     * {@code parse}, for a string of the given shape only; null for any other, and for one of that shape that is
     * still no date (February 30th), which java.time refuses with {@link DateTimeParseException}.
     */
    private static <T> Function<String, T> strict(Pattern shape, Function<String, T> parse) {
        return text -> {
            if (!shape.matcher(text).matches()) {
                return null;
            }
            try {
                return parse.apply(text);
            } catch (DateTimeParseException e) {
                return null;
            }
        };
    }

    /** The same rule for a value and for a map key: a {@code Map<LocalDate, V>} key is read as a date value is. */
    private static <T> void text(SimpleModule module, Class<T> type, Function<String, T> parse) {
        module.addDeserializer(type, new TextReader<>(type, parse, false));
        key(module, type, parse);
    }

    /** {@link #text}, for a value with a time of day, whose leap second is refused by name. */
    private static <T> void clock(SimpleModule module, Class<T> type, Function<String, T> parse) {
        module.addDeserializer(type, new TextReader<>(type, parse, true));
        key(module, type, parse);
    }

    private static <T> void key(SimpleModule module, Class<T> type, Function<String, T> parse) {
        module.addKeyDeserializer(type, new KeyReader(type, parse));
    }

    /** An integer key in {@code min..max}, as an integer value is read: no sign but {@code -}, no fraction. */
    private static <T> T integer(String text, long min, long max, Function<BigInteger, T> convert) {
        if (!number(text, INTEGER)) {
            return null;
        }
        BigInteger value = new BigInteger(text);
        return value.compareTo(BigInteger.valueOf(min)) >= 0 && value.compareTo(BigInteger.valueOf(max)) <= 0
                ? convert.apply(value)
                : null;
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
     * from ({@link #getString()}, {@link #getValueAsString()}, {@link #getStringCharacters()}, and {@link
     * #getBinaryValue(Base64Variant)} before it decodes base64), so a {@code String}, a {@code char}, a {@code
     * char[]}, a {@code CharSequence}, a {@code JsonNode}, an untyped value, a {@code byte[]} and a value read
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

        /** A base64 string ({@code byte[]}) is text too: checked as a string value before it is decoded. */
        @Override
        public byte[] getBinaryValue(Base64Variant variant) {
            if (hasToken(JsonToken.VALUE_STRING)) {
                getString();
            }
            return delegate.getBinaryValue(variant);
        }

        @Override
        public byte[] getBinaryValue() {
            return getBinaryValue(Base64Variants.getDefaultVariant());
        }

        @Override
        public int readBinaryValue(Base64Variant variant, OutputStream out) {
            if (hasToken(JsonToken.VALUE_STRING)) {
                getString();
            }
            return delegate.readBinaryValue(variant, out);
        }

        @Override
        public int readBinaryValue(OutputStream out) {
            return readBinaryValue(Base64Variants.getDefaultVariant(), out);
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

    /**
     * Jackson's {@code OptionalDouble} reader, but a string is a mismatch: it took {@code "NaN"}, {@code "Infinity"}
     * and {@code "-Infinity"} as those values before its coercion check, past {@link DoubleReader}'s rule. Its
     * reading of {@code null} and of an absent value (both empty) is kept.
     */
    private static final class OptionalDoubleReader extends OptionalDoubleDeserializer {
        @Override
        public OptionalDouble deserialize(JsonParser p, DeserializationContext ctxt) {
            return p.hasToken(JsonToken.VALUE_STRING)
                    ? (OptionalDouble) ctxt.handleUnexpectedToken(OptionalDouble.class, p)
                    : super.deserialize(p, ctxt);
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
        private final boolean clock;

        TextReader(Class<T> type, Function<String, T> parse, boolean clock) {
            super(type);
            this.type = type;
            this.parse = parse;
            this.clock = clock;
        }

        @Override
        public T deserialize(JsonParser p, DeserializationContext ctxt) {
            if (!p.hasToken(JsonToken.VALUE_STRING)) {
                return type.cast(ctxt.handleUnexpectedToken(type, p));
            }
            String text = p.getString();
            T value = parse.apply(text);
            if (value != null) {
                return value;
            }
            if (clock && leapSecond(text)) {
                throw new Unrepresentable(p, type, "second 60 (a leap second) is not supported");
            }
            return type.cast(ctxt.handleWeirdStringValue(type, text, "not in the expected format"));
        }

        /**
         * RFC 3339 §5.6 allows second 60, for a leap second, which no java.time value holds: a text that would be
         * read with second 59 instead is one, and is refused by name rather than as malformed. Read as 59 it would
         * be another instant than the one sent, as {@link Instant#parse} made it.
         */
        private boolean leapSecond(String text) {
            Matcher second = SECOND_60.matcher(text);
            return second.find()
                    && parse.apply(text.substring(0, second.end(1)) + "59" + text.substring(second.end())) != null;
        }
    }

    /**
     * A {@code java.time.Year} is the integer this mapper writes for it ({@code 2026}), within a date's years, 0 to
     * {@value #MAX_YEAR}. Jackson also read a string, in any of java.time's forms ({@code "+10000"}, {@code "-0001"},
     * {@code "26"}), and any integer up to ±999,999,999.
     */
    private static final class YearReader extends StdScalarDeserializer<Year> {
        YearReader() {
            super(Year.class);
        }

        @Override
        public Year deserialize(JsonParser p, DeserializationContext ctxt) {
            if (!p.hasToken(JsonToken.VALUE_NUMBER_INT)) {
                return (Year) ctxt.handleUnexpectedToken(Year.class, p);
            }
            BigInteger year = p.getBigIntegerValue();
            return year.signum() >= 0 && year.compareTo(BigInteger.valueOf(MAX_YEAR)) <= 0
                    ? Year.of(year.intValue())
                    : (Year) ctxt.handleWeirdNumberValue(Year.class, year, "not a year from 0 to " + MAX_YEAR);
        }
    }

    /**
     * A value of the right shape that no Java value can hold, such as a leap second; {@link JsonErrors} gives the
     * client its problem as it is, where any other mismatch is "expected" a type.
     */
    static final class Unrepresentable extends MismatchedInputException {
        private static final long serialVersionUID = 1L;

        Unrepresentable(JsonParser p, Class<?> type, String problem) {
            super(p, problem, type);
        }

        /** {@return what is wrong, in the client's terms} */
        String problem() {
            return getOriginalMessage();
        }
    }

    /** A map key read by the rule for a value of its type; a bad one is a 422 naming the key. */
    private static final class KeyReader extends KeyDeserializer {
        private final Class<?> type;
        private final Function<String, ?> parse;

        KeyReader(Class<?> type, Function<String, ?> parse) {
            this.type = type;
            this.parse = parse;
        }

        @Override
        public Object deserializeKey(String key, DeserializationContext ctxt) {
            Object value = parse.apply(key);
            return value != null ? value : ctxt.handleWeirdKey(type, key, "not in the expected format");
        }
    }

    /**
     * A {@link ByteBuffer} is read as a {@code byte[]} is, so both take the same forms and refuse the same way:
     * Jackson's own reader let its base64 decoder's message through as a 400.
     */
    private static final class ByteBufferReader extends StdDeserializer<ByteBuffer> {
        ByteBufferReader() {
            super(ByteBuffer.class);
        }

        @Override
        public ByteBuffer deserialize(JsonParser p, DeserializationContext ctxt) {
            return ByteBuffer.wrap(ctxt.readValue(p, byte[].class));
        }
    }

    /**
     * Arrays of numbers and booleans, with two fixes to Jackson's readers.
     *
     * <p>{@code double[]} and {@code float[]} from a JSON array only. Jackson also reads them from a base64 string of
     * the values' IEEE 754 bytes (its "binary vector" form), in which {@code "f/AAAAAAAAA="} is infinity, {@code
     * "f/gAAAAAAAAA="} NaN and {@code ""} an empty array: values no JSON number can be, past every rule above.
     *
     * <p>A wrong element is named with the element's type: Jackson reports a string element ({@code [1,"2"]}) of an
     * {@code int[]}, {@code long[]}, {@code short[]}, {@code double[]}, {@code float[]} or {@code boolean[]} against
     * the array's type, which the client read as "expected an array" of a value that is one. {@code byte[]} and
     * {@code char[]} are read from a string and keep Jackson's reader as it is.
     */
    private static final class PrimitiveArrays extends ValueDeserializerModifier {
        private static final long serialVersionUID = 1L;

        @Override
        public ValueDeserializer<?> modifyArrayDeserializer(DeserializationConfig config, ArrayType type,
                BeanDescription.Supplier description, ValueDeserializer<?> deserializer) {
            Class<?> raw = type.getRawClass();
            if (raw == double[].class || raw == float[].class) {
                return new PrimitiveArray(deserializer, raw, true);
            }
            return raw == int[].class || raw == long[].class || raw == short[].class || raw == boolean[].class
                    ? new PrimitiveArray(deserializer, raw, false)
                    : deserializer;
        }
    }

    private static final class PrimitiveArray extends DelegatingDeserializer {
        private final Class<?> type;
        private final boolean arrayOnly;

        PrimitiveArray(ValueDeserializer<?> delegate, Class<?> type, boolean arrayOnly) {
            super(delegate);
            this.type = type;
            this.arrayOnly = arrayOnly;
        }

        @Override
        protected ValueDeserializer<?> newDelegatingInstance(ValueDeserializer<?> delegate) {
            return new PrimitiveArray(delegate, type, arrayOnly);
        }

        @Override
        public Object deserialize(JsonParser p, DeserializationContext ctxt) {
            if (arrayOnly && p.hasToken(JsonToken.VALUE_STRING)) {
                return ctxt.handleUnexpectedToken(type, p);
            }
            if (!p.hasToken(JsonToken.START_ARRAY)) {
                return super.deserialize(p, ctxt);
            }
            try {
                return notANumberRefused(p, super.deserialize(p, ctxt));
            } catch (MismatchedInputException e) {
                // Inside the array, a mismatch against the array's own type can only be an element's: an element
                // holds no array. A null element (InvalidNullException) is reported as such, whatever the type.
                if (e.getTargetType() == type && !(e instanceof InvalidNullException)) {
                    e.setTargetType(ctxt.constructType(type.getComponentType()));
                }
                throw e;
            }
        }

        /**
         * Jackson's element reader takes the strings {@code "NaN"}, {@code "Infinity"} and {@code "-Infinity"} as
         * those values before it looks at coercion; no JSON number is any of them (one that overflows is refused by
         * {@link CheckedParser}), so such an element was a string, a mismatch as it is in a {@code List<Double>}.
         */
        private Object notANumberRefused(JsonParser p, Object array) {
            int length = array instanceof double[] d ? d.length : array instanceof float[] f ? f.length : 0;
            for (int i = 0; i < length; i++) {
                double value = array instanceof double[] d ? d[i] : ((float[]) array)[i];
                if (!Double.isFinite(value)) {
                    MismatchedInputException e = MismatchedInputException.from(p, type.getComponentType(),
                            "not a finite number");
                    e.prependPath(array, i);
                    throw e;
                }
            }
            return array;
        }
    }
}
