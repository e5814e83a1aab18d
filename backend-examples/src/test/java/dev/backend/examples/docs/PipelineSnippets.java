package dev.backend.examples.docs;

import dev.backend.core.Deadline;
import dev.backend.core.Json;
import dev.backend.core.Middleware;
import dev.backend.core.Request;
import dev.backend.core.Response;
import java.util.Map;
import tools.jackson.databind.SerializationFeature;

/** The snippets of docs/pipeline.md that are not handlers or routes. */
final class PipelineSnippets {

    private PipelineSnippets() {}

    // tag::attributes[]
    static final Request.Key<String> CLIENT = Request.Key.of("api client");

    static Middleware identify() {
        return next -> request -> next.handle(request.withAttribute(CLIENT, "alice"));
    }

    static Response hello(Request request) {
        String client = request.attribute(CLIENT).orElseThrow();
        return Response.json(Map.of("message", "Hello, " + client));
    }
    // end::attributes[]

    static void indentedJson() {
        // tag::json[]
        Json.use(Json.defaults().enable(SerializationFeature.INDENT_OUTPUT).build());
        // end::json[]
    }

    static void destroyAtTheDeadline(Process process) {
        // tag::deadline[]
        Deadline.current().ifPresent(deadline -> deadline.onExpiry(process::destroy));
        // end::deadline[]
    }
}
