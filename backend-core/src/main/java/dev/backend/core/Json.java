package dev.backend.core;

import java.util.Collection;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import tools.jackson.core.JacksonException;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.core.exc.InputCoercionException;
import tools.jackson.core.exc.StreamReadException;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.MapperFeature;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.cfg.CoercionAction;
import tools.jackson.databind.cfg.CoercionInputShape;
import tools.jackson.databind.cfg.DateTimeFeature;
import tools.jackson.databind.exc.MismatchedInputException;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.type.LogicalType;

/**
 * The one shared, configured {@link JsonMapper} behind {@link Response#json} and {@link Request#json}.
 *
 * <p>The defaults follow what serde users expect: {@code java.time} values as RFC 3339 strings, records
 * as objects, unknown properties ignored, and strict types: {@code "1"} is not an integer, {@code 1.5} is
 * not an {@code int}, {@code 5} is not a string. A record component that is absent or {@code null} is an
 * error unless its type is {@code Optional} (serde's {@code Option}).
 *
 * <p>Replace it once at start-up, before serving, with {@link #use(JsonMapper)}; start from {@link
 * #defaults()} to keep these settings:
 *
 * {@snippet :
 * Json.use(Json.defaults().enable(SerializationFeature.INDENT_OUTPUT).build());
 * }
 */
public final class Json {

    private static volatile JsonMapper mapper = defaults().build();

    private Json() {}

    /** A builder with this library's defaults, to extend and pass to {@link #use(JsonMapper)}. */
    public static JsonMapper.Builder defaults() {
        return JsonMapper.builder()
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_CREATOR_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
                .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                .disable(DateTimeFeature.WRITE_DATES_AS_TIMESTAMPS)
                .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
                // Error locations must not quote request bodies back into logs or responses.
                .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
                .withCoercionConfig(LogicalType.Textual, config -> config
                        .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                        .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                        .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail));
    }

    /** The mapper in use. */
    public static JsonMapper mapper() {
        return mapper;
    }

    /** Replaces the shared mapper; call before serving requests. */
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

    /** Parses a request body; syntax errors are 400, well-formed JSON of the wrong shape is 422. */
    private static <T> T read(byte[] body, JsonMapper m, JavaType type) {
        if (body.length == 0) {
            throw new AppError.BadRequest("Request body is empty; expected JSON").toException();
        }
        try {
            return m.readValue(body, type);
        } catch (InputCoercionException e) {
            // A number out of range for its type: the JSON is fine, its content is not.
            throw new AppError.Unprocessable(describe(e, "number out of range")).toException();
        } catch (StreamReadException e) {
            throw new AppError.BadRequest("Malformed JSON" + at(e.getLocation()) + ": " + e.getOriginalMessage())
                    .toException();
        } catch (MismatchedInputException e) {
            throw new AppError.Unprocessable(describe(e, expectation(e))).toException();
        } catch (JacksonException e) {
            // Raised by a constructor or a value type's parser: the shape is what the client got wrong.
            throw new AppError.Unprocessable(describe(e, "invalid value")).toException();
        }
    }

    private static String describe(JacksonException e, String problem) {
        String path = path(e);
        return path.isEmpty() ? "Invalid JSON body: " + problem : "Invalid JSON field '" + path + "': " + problem;
    }

    private static String expectation(MismatchedInputException e) {
        String message = String.valueOf(e.getOriginalMessage());
        if (message.startsWith("Null value for creator property") || message.startsWith("Cannot map `null`")) {
            return "required, must not be missing or null";
        }
        return e.getTargetType() == null ? "invalid value" : "expected " + typeName(e.getTargetType());
    }

    /** Client-facing names for Java types: the client speaks JSON, not Java. */
    private static String typeName(Class<?> type) {
        if (type == String.class || type == char.class || type == Character.class) {
            return "a string";
        }
        if (type == int.class || type == Integer.class || type == long.class || type == Long.class
                || type == short.class || type == Short.class || type == byte.class || type == Byte.class
                || type == java.math.BigInteger.class) {
            return "an integer";
        }
        if (type == double.class || type == Double.class || type == float.class || type == Float.class
                || type == java.math.BigDecimal.class) {
            return "a number";
        }
        if (type == boolean.class || type == Boolean.class) {
            return "a boolean";
        }
        if (type == UUID.class) {
            return "a UUID string";
        }
        if (java.time.temporal.Temporal.class.isAssignableFrom(type)) {
            return "an RFC 3339 date-time string";
        }
        if (type.isEnum()) {
            return "one of " + java.util.Arrays.toString(type.getEnumConstants());
        }
        if (type.isArray() || Collection.class.isAssignableFrom(type)) {
            return "an array";
        }
        if (type == Optional.class) {
            return "a value or null";
        }
        return Map.class.isAssignableFrom(type) || type.isRecord() || !type.getName().startsWith("java.")
                ? "an object"
                : "a " + type.getSimpleName();
    }

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
        return path.toString();
    }

    private static String at(TokenStreamLocation location) {
        return location == null || location.getLineNr() < 0
                ? ""
                : " at line " + location.getLineNr() + ", column " + location.getColumnNr();
    }
}
