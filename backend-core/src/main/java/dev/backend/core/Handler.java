package dev.backend.core;

import dev.backend.core.internal.Failures;

/**
 * Answers a request: a plain function from {@link Request} to {@link Response}.
 *
 * <p>A handler may fail by returning an error's response ({@code AppError.notFound(...).toResponse()}),
 * by throwing an {@link AppException}, or by letting any exception escape: the {@link Router} turns
 * each into the same error response, so middleware around a router always sees a {@link Response}.
 * Checked exceptions may escape too, which keeps JDBC code free of wrapping: an {@code SQLException} is
 * answered by its SQLSTATE ({@link AppError#from} has the table: a lost or read-only database, a deadlock or a
 * pool timeout is a 503 with {@code Retry-After}, a value the database refuses a 400 or 409, anything else a
 * logged 500), and after the request's {@link Deadline} passed it is the timeout answer.
 *
 * {@snippet :
 * Handler hello = request -> Response.text("Hello, " + request.query("name").orElse("world"));
 * }
 */
@FunctionalInterface
public interface Handler {

    /**
     * Answers {@code request}.
     *
     * @param request the request
     * @return the response; a null one is answered with an error response by {@link #respond}
     * @throws Exception any failure, answered by its class as described above
     */
    Response handle(Request request) throws Exception;

    /**
     * Runs {@code handler}, converting a thrown failure (classified by {@link AppError#from}) or a {@code
     * null} answer to an error response: the result is always a response.
     *
     * @param handler the handler to run
     * @param request the request
     * @return the handler's response, or the error response for what it threw
     */
    static Response respond(Handler handler, Request request) {
        Response response;
        try {
            response = handler.handle(request);
        } catch (Throwable failure) {
            Failures.throwIfFatal(failure);
            if (failure instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            return AppError.from(failure).toResponse();
        }
        return response != null ? response : AppError.internal("handler returned null for " + request).toResponse();
    }
}
