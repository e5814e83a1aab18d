package dev.backend.examples.docs;

import dev.backend.core.AppError;
import dev.backend.core.Deadline;
import dev.backend.core.Json;
import dev.backend.core.Middleware;
import dev.backend.core.Request;
import dev.backend.core.Response;
import dev.backend.core.Router;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
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

    // tag::files-under-base[]
    static Router files(Path directory) {
        Path base = directory.toAbsolutePath().normalize();
        return Router.create().get("/files/{*rest}", request -> under(base, request.path("rest"))
                .filter(Files::isRegularFile)
                .map(file -> Response.stream(200, "application/octet-stream", -1, out -> Files.copy(file, out)))
                .orElseGet(() -> AppError.notFound("No such file").toResponse()));
    }

    /** The file {@code rest} names under {@code base}; empty if it is absolute or ".." takes it out of base. */
    static Optional<Path> under(Path base, String rest) {
        Path relative;
        try {
            relative = base.getFileSystem().getPath(rest);
        } catch (InvalidPathException e) {
            return Optional.empty(); // a name this file system cannot hold
        }
        if (relative.getRoot() != null) {
            return Optional.empty(); // "/etc/passwd"; on Windows also "C:\x", "\x" and "C:x"
        }
        Path file = base.resolve(relative).normalize();
        return file.startsWith(base) ? Optional.of(file) : Optional.empty(); // whole names: not "/srv/files2"
    }
    // end::files-under-base[]

    static void destroyAtTheDeadline(Process process) {
        // tag::deadline[]
        Deadline.current().ifPresent(deadline -> deadline.onExpiry(process::destroy));
        // end::deadline[]
    }
}
