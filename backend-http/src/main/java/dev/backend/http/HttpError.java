package dev.backend.http;

/**
 * The engine's own signal that a request cannot be served as it arrived: the status to answer with (always
 * followed by closing the connection) and a short fixed text that never quotes the request. Thrown often by
 * hostile input, so it carries no stack trace.
 */
final class HttpError extends Exception {

    private static final long serialVersionUID = 1L;

    private final int status;

    HttpError(int status, String detail) {
        super(detail, null, false, false);
        this.status = status;
    }

    int status() {
        return status;
    }

    /** The body's text: reason phrase, and the detail when it adds something. */
    String body() {
        String reason = Status.reason(status);
        String detail = getMessage();
        return detail == null || detail.isEmpty() || detail.equals(reason) ? reason + "\n" : reason + ": " + detail + "\n";
    }
}
