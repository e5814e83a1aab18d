package dev.backend.core.testing;

import dev.backend.core.Json;
import dev.backend.core.Response;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.JsonNode;

/**
 * A response collected by {@link TestClient}, with its body in memory and readers for assertions. Its
 * headers are those that would go over the wire, framing included; {@link #response()} is what the handler
 * returned.
 */
public final class TestResponse {

    private final Response response;
    private final Response sent;
    private final byte[] body;

    TestResponse(Response response, Response sent, byte[] body) {
        this.response = response;
        this.sent = sent;
        this.body = body;
    }

    /**
     * {@return the status code}
     */
    public int status() {
        return response.status();
    }

    /**
     * The first value of a header as sent, compared case-insensitively.
     *
     * @param name the header name
     * @return the first value, or empty when absent
     */
    public Optional<String> header(String name) {
        return sent.header(name);
    }

    /**
     * Every value of a header as sent, in order.
     *
     * @param name the header name, compared case-insensitively
     * @return the values in order; empty when absent
     */
    public List<String> headers(String name) {
        return sent.headers(name);
    }

    /**
     * The response as the handler produced it, before the framing headers were derived.
     *
     * @return the handler's response, with its {@link Response#error()} for assertions on the failure
     */
    public Response response() {
        return response;
    }

    /**
     * The body bytes (empty for HEAD, 204, 205 and 304).
     *
     * @return a copy of the body bytes
     */
    public byte[] bodyBytes() {
        return body.clone();
    }

    /**
     * The body as UTF-8 text.
     *
     * @return the text; malformed bytes are replaced with U+FFFD
     */
    public String text() {
        return new String(body, StandardCharsets.UTF_8);
    }

    /**
     * The body parsed as JSON into {@code type}.
     *
     * @param <T> the type to bind to
     * @param type the class to bind to
     * @return the bound value
     * @throws tools.jackson.core.JacksonException if the body is not JSON or does not fit the type
     */
    public <T> T json(Class<T> type) {
        return Json.mapper().readValue(body, type);
    }

    /**
     * The body parsed as JSON into a generic type.
     *
     * @param <T> the type to bind to
     * @param type the generic type to bind to
     * @return the bound value
     * @throws tools.jackson.core.JacksonException if the body is not JSON or does not fit the type
     */
    public <T> T json(TypeReference<T> type) {
        return Json.mapper().readValue(body, type);
    }

    /**
     * The body as a JSON tree.
     *
     * @return the tree
     * @throws tools.jackson.core.JacksonException if the body is not JSON
     */
    public JsonNode json() {
        return Json.mapper().readTree(body);
    }

    /**
     * The {@code error} message of a JSON error body, if this is one.
     *
     * @return the message, or empty when the body is not a JSON object with a string {@code error}
     */
    public Optional<String> error() {
        if (body.length == 0 || !header("Content-Type").orElse("").startsWith("application/json")) {
            return Optional.empty();
        }
        JsonNode error = json().get("error");
        return error != null && error.isString() ? Optional.of(error.asString()) : Optional.empty();
    }

    @Override
    public String toString() {
        return "TestResponse[" + status() + " " + text() + "]";
    }
}
