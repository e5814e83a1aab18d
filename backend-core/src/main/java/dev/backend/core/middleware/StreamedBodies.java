package dev.backend.core.middleware;

import dev.backend.core.Response;
import java.util.function.UnaryOperator;

/**
 * A streamed body is written after every layer has returned: a layer whose work must also cover the writing
 * (the ids in the MDC, catching a panic, giving body memory back) wraps the writer, the one piece of the response
 * that runs then.
 */
final class StreamedBodies {

    private StreamedBodies() {}

    /**
     * {@code response} with its writer wrapped by {@code wrap}, keeping its content type and length; any other
     * response as it is.
     */
    static Response wrapWriter(Response response, UnaryOperator<Response.BodyWriter> wrap) {
        if (!(response.body() instanceof Response.Body.Stream stream)) {
            return response;
        }
        return response.withBody(response.header("Content-Type").orElse("application/octet-stream"),
                new Response.Body.Stream(stream.length(), wrap.apply(stream.writer())));
    }
}
