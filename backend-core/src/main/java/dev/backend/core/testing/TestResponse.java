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

    /** The status code. */
    public int status() {
        return response.status();
    }

    /** The first value of a header as sent, compared case-insensitively. */
    public Optional<String> header(String name) {
        return sent.header(name);
    }

    /** Every value of a header as sent, in order. */
    public List<String> headers(String name) {
        return sent.headers(name);
    }

    /** The response as the handler produced it, before the framing headers were derived. */
    public Response response() {
        return response;
    }

    /** The body bytes (empty for HEAD, 204 and 304). */
    public byte[] bodyBytes() {
        return body.clone();
    }

    /** The body as UTF-8 text. */
    public String text() {
        return new String(body, StandardCharsets.UTF_8);
    }

    /** The body parsed as JSON into {@code type}. */
    public <T> T json(Class<T> type) {
        return Json.mapper().readValue(body, type);
    }

    /** The body parsed as JSON into a generic type. */
    public <T> T json(TypeReference<T> type) {
        return Json.mapper().readValue(body, type);
    }

    /** The body as a JSON tree. */
    public JsonNode json() {
        return Json.mapper().readTree(body);
    }

    /** The {@code error} message of a JSON error body, if this is one. */
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
