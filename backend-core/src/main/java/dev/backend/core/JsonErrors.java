package dev.backend.core;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.MonthDay;
import java.time.OffsetTime;
import java.time.Year;
import java.time.YearMonth;
import java.time.temporal.Temporal;
import java.util.Arrays;
import java.util.Calendar;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import tools.jackson.core.JacksonException;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.core.exc.InputCoercionException;
import tools.jackson.core.exc.StreamConstraintsException;
import tools.jackson.core.exc.StreamReadException;
import tools.jackson.databind.exc.InvalidDefinitionException;
import tools.jackson.databind.exc.InvalidFormatException;
import tools.jackson.databind.exc.InvalidNullException;
import tools.jackson.databind.exc.InvalidTypeIdException;
import tools.jackson.databind.exc.MismatchedInputException;

/**
 * Turns what Jackson throws while reading a request body into the client's error, in the client's
 * terms: JSON types and field paths, never Java class names, Jackson feature names or body excerpts
 * beyond the offending token.
 */
final class JsonErrors {

    /** The most characters of a key or field path an error message quotes. */
    static final int MAX_QUOTED = 200;

    /** Where Jackson's own messages start naming its configuration; cut there. */
    private static final String[] INTERNALS = {" (start marker at", ": enable `", " (not recognized as one", " (for ", "\n"};
    private static final Pattern CONSTRAINT_SOURCE = Pattern.compile(", from `[^`]*`\\)");
    /** How Jackson names a missing type id's property: {@code missing type id property 'type'}, or "external type id". */
    private static final Pattern MISSING_TYPE_ID =
            Pattern.compile("(?i)missing (?:external )?type id property '([^']*)'");
    /** Jackson quotes an unexpected character as {@code 'c' (code 65279 / 0xfeff)}. */
    private static final Pattern QUOTED_CHARACTER = Pattern.compile("'(.)' \\(code \\d+(?: / 0x\\p{XDigit}+)?\\)",
            Pattern.DOTALL);

    private JsonErrors() {}

    /**
     * The error for {@code e}: syntax and parser limits are 400 (serde_json's {@code Syntax} and {@code
     * Eof} categories, which axum answers with 400), a value of the wrong shape is 422 (serde's {@code
     * Data}), and a type Jackson cannot build at all is the server's bug, a logged 500.
     */
    static AppError of(JacksonException e) {
        StreamConstraintsException limit = cause(e, StreamConstraintsException.class);
        if (limit != null) {
            return new AppError.BadRequest("JSON exceeds a parser limit" + at(limit.getLocation()) + ": "
                    + CONSTRAINT_SOURCE.matcher(String.valueOf(limit.getOriginalMessage())).replaceAll(")"));
        }
        StreamReadException parse = cause(e, StreamReadException.class);
        if (parse instanceof InputCoercionException) {
            return unprocessable(e, "number out of range");
        }
        String parseMessage = parse == null ? "" : String.valueOf(parse.getOriginalMessage());
        if (parseMessage.startsWith("Duplicate Object property ")) {
            // serde rejects a repeated field as a data error; I-JSON (RFC 7493 §2.3) forbids repeated keys.
            String key = parseMessage.substring("Duplicate Object property ".length()).replace("\"", "");
            return unprocessable(e, "duplicate key '" + bounded(key) + "'");
        }
        if (parse != null) {
            return malformed(parse.getLocation(), clean(parse.getOriginalMessage()));
        }
        if (String.valueOf(e.getOriginalMessage()).startsWith("Trailing token")) {
            return malformed(e.getLocation(), "trailing data after the JSON value");
        }
        return switch (e) {
            case InvalidDefinitionException definition -> new AppError.Internal(definition);
            case InvalidNullException n -> unprocessable(e, "must not be null");
            case InvalidTypeIdException typeId -> unprocessable(e, typeIdProblem(typeId));
            case JsonRules.Unrepresentable value -> unprocessable(e, value.problem());
            case MismatchedInputException m -> unprocessable(e, expectation(m));
            // Raised by a record's constructor or a value type's parser: the value is what the client got wrong.
            default -> unprocessable(e, "invalid value");
        };
    }

    static AppError malformed(TokenStreamLocation location, String problem) {
        return new AppError.BadRequest("Malformed JSON" + at(location) + ": " + problem);
    }

    /** A 422 for the whole body, such as a {@code null} where an object belongs. */
    static AppError unprocessable(String problem) {
        return new AppError.Unprocessable("Invalid JSON body: " + problem);
    }

    private static AppError unprocessable(JacksonException e, String problem) {
        String path = path(e);
        return new AppError.Unprocessable(path.isEmpty()
                ? "Invalid JSON body: " + problem
                : "Invalid JSON field '" + path + "': " + problem);
    }

    private static <T extends Throwable> T cause(Throwable e, Class<T> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }

    /**
     * What is wrong with a polymorphic value's type id, as serde says it of an internally tagged enum ("missing field
     * `type`", "unknown variant `x`"). The id quoted is the client's own; the known ids are not listed, as an id that
     * no {@code @JsonSubTypes} name gives is a Java class name.
     */
    private static String typeIdProblem(InvalidTypeIdException e) {
        Matcher missing = MISSING_TYPE_ID.matcher(String.valueOf(e.getOriginalMessage()));
        if (missing.find()) {
            return "missing type id '" + bounded(missing.group(1)) + "'";
        }
        return e.getTypeId() != null
                ? "unknown type id '" + bounded(e.getTypeId()) + "'"
                : "matches no single one of the types it may be";
    }

    private static String expectation(MismatchedInputException e) {
        String message = String.valueOf(e.getOriginalMessage());
        Matcher missingTypeId = MISSING_TYPE_ID.matcher(message);
        if (missingTypeId.find()) {
            // An external type id: a property beside the value, which Jackson reports as a plain mismatch.
            return "missing type id '" + bounded(missingTypeId.group(1)) + "'";
        }
        if (message.startsWith("Missing required creator property") || message.startsWith("Null value for creator property")
                || message.startsWith("Cannot map `null`")) {
            return "required, must not be missing or null";
        }
        if (e instanceof InvalidFormatException bad && message.startsWith("Cannot deserialize Map key")) {
            // The key is the client's own text; the path ends at the map, which holds it.
            return "invalid key '" + bounded(String.valueOf(bad.getValue())) + "': expected "
                    + typeName(e.getTargetType());
        }
        return e.getTargetType() == null ? "invalid value" : "expected " + typeName(e.getTargetType());
    }

    /** Jackson's syntax message, cut before it names parser features or internal classes. */
    static String clean(String message) {
        String cleaned = String.valueOf(message);
        for (String marker : INTERNALS) {
            int at = cleaned.indexOf(marker);
            if (at >= 0) {
                cleaned = cleaned.substring(0, at);
            }
        }
        if (cleaned.indexOf('`') >= 0 || cleaned.contains("jackson") || cleaned.contains("java.")) {
            return "invalid syntax";
        }
        // A character nobody can see in the message (a byte order mark, a zero-width or other space) is named by its
        // code point alone: "Unexpected character (U+FEFF)".
        return QUOTED_CHARACTER.matcher(cleaned).replaceAll(quoted -> {
            char c = quoted.group(1).charAt(0);
            return visible(c) ? Matcher.quoteReplacement(quoted.group()) : String.format("U+%04X", (int) c);
        });
    }

    private static boolean visible(char c) {
        int type = Character.getType(c);
        return !Character.isSpaceChar(c) && !Character.isWhitespace(c) && type != Character.FORMAT
                && type != Character.CONTROL && type != Character.PRIVATE_USE && type != Character.SURROGATE
                && type != Character.UNASSIGNED;
    }

    /** Client-facing names for Java types: the client speaks JSON, not Java. */
    static String typeName(Class<?> type) {
        if (type == Object.class) {
            return "a JSON value";
        }
        if (type == String.class) {
            return "a string";
        }
        if (type == char.class || type == Character.class) {
            return "a single-character string (U+0000 to U+FFFF)";
        }
        if (type == int.class || type == Integer.class || type == long.class || type == Long.class
                || type == short.class || type == Short.class || type == byte.class || type == Byte.class
                || type == BigInteger.class) {
            return "an integer";
        }
        if (type == double.class || type == Double.class || type == float.class || type == Float.class
                || type == BigDecimal.class || Number.class.isAssignableFrom(type)) {
            return "a number";
        }
        if (type == OptionalInt.class || type == OptionalLong.class) {
            return "an integer or null";
        }
        if (type == OptionalDouble.class) {
            return "a number or null";
        }
        // A char[] is read from a string (Jackson also takes an array of one-character strings).
        if (CharSequence.class.isAssignableFrom(type) || type == char[].class) {
            return "a string";
        }
        if (type == boolean.class || type == Boolean.class) {
            return "a boolean";
        }
        if (type == UUID.class) {
            return "a UUID string";
        }
        if (type == LocalDate.class || type == java.sql.Date.class) {
            return "a date string (YYYY-MM-DD)";
        }
        if (type == LocalDateTime.class) {
            return "a date-time string without offset (YYYY-MM-DDTHH:MM:SS)";
        }
        if (type == LocalTime.class || type == java.sql.Time.class) {
            return "a time string (HH:MM:SS)";
        }
        if (type == OffsetTime.class) {
            return "a time string with an offset (HH:MM:SSZ, HH:MM:SS+HH:MM)";
        }
        if (type == Year.class) {
            return "a year (an integer from 0 to " + JsonRules.MAX_YEAR + ")";
        }
        if (type == YearMonth.class) {
            return "a year-month string (YYYY-MM)";
        }
        if (type == MonthDay.class) {
            return "a month-day string (--MM-DD)";
        }
        if (type == Duration.class) {
            return "an ISO 8601 duration string (such as PT30S)";
        }
        if (Temporal.class.isAssignableFrom(type) || java.util.Date.class.isAssignableFrom(type)
                || Calendar.class.isAssignableFrom(type)) {
            return "an RFC 3339 date-time string";
        }
        if (type.isEnum()) {
            return "one of " + Arrays.stream(type.getEnumConstants()).map(c -> ((Enum<?>) c).name()).toList();
        }
        if (type == byte[].class) {
            return "a base64 string";
        }
        if (type.isArray() || Collection.class.isAssignableFrom(type)) {
            return "an array";
        }
        if (type == Optional.class) {
            return "a value or null";
        }
        // Never the Java type's name: the client wrote JSON, and the message speaks JSON.
        return Map.class.isAssignableFrom(type) || type.isRecord() || !type.getName().startsWith("java.")
                ? "an object"
                : "another kind of value";
    }

    /**
     * At most {@value #MAX_QUOTED} characters of text the client sent, then {@code ...}: a key may be 50,000
     * characters long (the parser's limit), and the error body must not grow with it. The router bounds the path
     * it quotes in a 404 the same way.
     */
    static String bounded(String text) {
        if (text.length() <= MAX_QUOTED) {
            return text;
        }
        int end = Character.isHighSurrogate(text.charAt(MAX_QUOTED - 1)) ? MAX_QUOTED - 1 : MAX_QUOTED;
        return text.substring(0, end) + "...";
    }

    /** The field path, such as {@code address.city} or {@code items[2].name}; map keys in it are the client's. */
    private static String path(JacksonException e) {
        StringBuilder path = new StringBuilder();
        for (JacksonException.Reference ref : e.getPath()) {
            if (ref.getPropertyName() != null) {
                if (!path.isEmpty()) {
                    path.append('.');
                }
                path.append(ref.getPropertyName());
            } else if (ref.getIndex() >= 0) {
                path.append('[').append(ref.getIndex()).append(']');
            }
        }
        return bounded(path.toString());
    }

    private static String at(TokenStreamLocation location) {
        return location == null || location.getLineNr() < 0
                ? ""
                : " at line " + location.getLineNr() + ", column " + location.getColumnNr();
    }
}
