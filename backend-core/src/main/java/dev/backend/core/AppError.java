package dev.backend.core;

import dev.backend.core.internal.AuthChallenges;
import dev.backend.core.internal.RequestDeadline;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Everything that can go wrong while answering a request, as a closed set of values.
 *
 * <p>Each variant knows its HTTP status and a message that is safe to show to the client. {@link
 * #toResponse()} turns it into the JSON body {@code {"error": "..."}}; {@link Database} and {@link
 * Internal} answer a generic message and log their cause instead (with the request id from the logging
 * MDC), so no stack trace, SQL or exception text ever reaches the client.
 *
 * <p>Handlers either return {@code error.toResponse()} (or a {@link Result}) or throw {@code
 * error.toException()}; both end in the same response.
 *
 * {@snippet :
 * Response find(Request request) {
 *     UUID id = request.pathUuid("id"); // a malformed id answers 400
 *     return users.find(id)
 *             .map(Response::json)
 *             .orElseGet(() -> AppError.notFound("User " + id + " not found").toResponse());
 * }
 * }
 */
public sealed interface AppError {

    /**
     * {@return the message sent to the client in {@code {"error": "..."}}; for {@link Database} and {@link
     * Internal}, always {@link #INTERNAL_MESSAGE}}
     */
    String message();

    /**
     * 400: the request is syntactically wrong (malformed JSON, a bad query string).
     *
     * @param message the text sent to the client as {@code {"error": message}}; keep it free of internals
     */
    record BadRequest(String message) implements AppError {
        /**
         * Requires a message.
         *
         * @throws NullPointerException if {@code message} is null
         */
        public BadRequest {
            Objects.requireNonNull(message, "message");
        }
    }

    /**
     * 400: a value failed validation; the message names the field or parameter.
     *
     * @param message the text sent to the client as {@code {"error": message}}; keep it free of internals
     */
    record Validation(String message) implements AppError {
        /**
         * Requires a message.
         *
         * @throws NullPointerException if {@code message} is null
         */
        public Validation {
            Objects.requireNonNull(message, "message");
        }
    }

    /**
     * 401: no or bad credentials; {@code challenge} becomes the {@code WWW-Authenticate} header, which a 401 must
     * carry (RFC 9110 §15.5.2) to tell the client how to authenticate.
     *
     * <p>The challenge is the field's whole value: one or more challenges, each an auth-scheme, then optionally a
     * space and a token68 or comma-separated parameters (RFC 9110 §11.6.1, §11.3):
     *
     * <ul>
     *   <li>{@code Bearer} (the default), or {@code Bearer realm="api", error="invalid_token"} for a rejected OAuth
     *       token (RFC 6750 §3);
     *   <li>{@code Basic realm="api", charset="UTF-8"} (RFC 7617), which makes browsers ask for a user and password;
     *   <li>a scheme of one's own for credentials in a header of one's own, as the {@code api-key} example's
     *       {@code ApiKey header="X-Api-Key"} (any token is a scheme; IANA registers the standard ones);
     *   <li>several at once: {@code Bearer, Basic realm="api"}.
     * </ul>
     *
     * @param message the text sent to the client as {@code {"error": message}}; keep it free of internals
     * @param challenge the {@code WWW-Authenticate} value, checked against RFC 9110's grammar (no white space at
     *     either end, no empty list elements, quoted-strings closed, no control characters or line breaks)
     */
    record Unauthorized(String message, String challenge) implements AppError {
        /**
         * Requires a message and a challenge by RFC 9110's grammar.
         *
         * @throws NullPointerException if {@code message} or {@code challenge} is null
         * @throws IllegalArgumentException if {@code challenge} is not one or more challenges; the message says
         *     what was expected at which index
         */
        public Unauthorized {
            Objects.requireNonNull(message, "message");
            Objects.requireNonNull(challenge, "challenge");
            AuthChallenges.check(challenge);
        }

        /**
         * A 401 that challenges the client for a bearer token: {@code WWW-Authenticate: Bearer}, as Spring
         * Security's {@code BearerTokenAuthenticationEntryPoint} answers without a realm. Browsers show no login
         * dialog for it, unlike {@code Basic}.
         *
         * @param message the text sent to the client as {@code {"error": message}}; keep it free of internals
         * @throws NullPointerException if {@code message} is null
         */
        public Unauthorized(String message) {
            this(message, "Bearer");
        }
    }

    /**
     * 403: credentials are fine but do not allow this.
     *
     * @param message the text sent to the client as {@code {"error": message}}; keep it free of internals
     */
    record Forbidden(String message) implements AppError {
        /**
         * Requires a message.
         *
         * @throws NullPointerException if {@code message} is null
         */
        public Forbidden {
            Objects.requireNonNull(message, "message");
        }
    }

    /**
     * 404: the resource or route does not exist.
     *
     * @param message the text sent to the client as {@code {"error": message}}; keep it free of internals
     */
    record NotFound(String message) implements AppError {
        /**
         * Requires a message.
         *
         * @throws NullPointerException if {@code message} is null
         */
        public NotFound {
            Objects.requireNonNull(message, "message");
        }
    }

    /**
     * 405: the path exists but not for this method; {@code allowed} becomes the {@code Allow} header.
     *
     * @param message the text sent to the client as {@code {"error": message}}; keep it free of internals
     * @param allowed the methods the path accepts, sent sorted as {@code Allow} (RFC 9110 section 10.2.1); copied
     */
    record MethodNotAllowed(String message, Set<String> allowed) implements AppError {
        /**
         * Requires a message and copies {@code allowed}.
         *
         * @throws NullPointerException if {@code message} or {@code allowed} is null
         */
        public MethodNotAllowed {
            Objects.requireNonNull(message, "message");
            allowed = Set.copyOf(allowed);
        }
    }

    /**
     * The request took longer than the server allows, as the {@code Timeout} middleware is configured.
     *
     * @param message the message sent to the client
     * @param status 503 (the default, with {@code Retry-After: 1}: a slow handler is the server's failure), 504,
     *     or 408 (RFC 9110 §15.5.9: the client was too slow)
     */
    record Timeout(String message, int status) implements AppError {
        /** Checks the status: one that says the request took too long. */
        public Timeout {
            Objects.requireNonNull(message, "message");
            if (status != 503 && status != 504 && status != 408) {
                throw new IllegalArgumentException("timeout status must be 503, 504 or 408, was " + status);
            }
        }

        /**
         * A timeout answered with 503 and {@code Retry-After}.
         *
         * @param message the message sent to the client
         */
        public Timeout(String message) {
            this(message, 503);
        }
    }

    /**
     * 409: the request conflicts with the current state (a duplicate unique value, say).
     *
     * @param message the text sent to the client as {@code {"error": message}}; keep it free of internals
     */
    record Conflict(String message) implements AppError {
        /**
         * Requires a message.
         *
         * @throws NullPointerException if {@code message} is null
         */
        public Conflict {
            Objects.requireNonNull(message, "message");
        }
    }

    /**
     * 413: the request body is larger than the configured limit.
     *
     * @param message the text sent to the client as {@code {"error": message}}; keep it free of internals
     */
    record PayloadTooLarge(String message) implements AppError {
        /**
         * Requires a message.
         *
         * @throws NullPointerException if {@code message} is null
         */
        public PayloadTooLarge {
            Objects.requireNonNull(message, "message");
        }
    }

    /**
     * 415: the request body has a content type, or a content coding, this endpoint does not read.
     *
     * @param message the text sent to the client as {@code {"error": message}}; keep it free of internals
     * @param acceptedEncodings when not empty, sent as {@code Accept-Encoding}: the content codings the request
     *     body may have had (RFC 9110 §15.5.16, RFC 7694 §3), such as {@code identity} alone; copied
     */
    record UnsupportedMediaType(String message, List<String> acceptedEncodings) implements AppError {
        /**
         * Requires a message and copies {@code acceptedEncodings}.
         *
         * @throws NullPointerException if {@code message} or {@code acceptedEncodings} is null
         */
        public UnsupportedMediaType {
            Objects.requireNonNull(message, "message");
            acceptedEncodings = List.copyOf(acceptedEncodings);
        }

        /**
         * A 415 for a content type, without {@code Accept-Encoding}.
         *
         * @param message the text sent to the client as {@code {"error": message}}
         * @throws NullPointerException if {@code message} is null
         */
        public UnsupportedMediaType(String message) {
            this(message, List.of());
        }
    }

    /**
     * 422: well-formed JSON with the wrong shape (wrong types, missing required fields).
     *
     * @param message the text sent to the client as {@code {"error": message}}; keep it free of internals
     */
    record Unprocessable(String message) implements AppError {
        /**
         * Requires a message.
         *
         * @throws NullPointerException if {@code message} is null
         */
        public Unprocessable {
            Objects.requireNonNull(message, "message");
        }
    }

    /**
     * 429: the client sent too many requests; {@code retryAfter} becomes {@code Retry-After}.
     *
     * @param message the text sent to the client as {@code {"error": message}}; keep it free of internals
     * @param retryAfter how long the client should wait, sent as {@code Retry-After} in whole seconds, rounded
     *     up (RFC 9110 section 10.2.3)
     */
    record TooManyRequests(String message, Duration retryAfter) implements AppError {
        /**
         * Requires both components.
         *
         * @throws NullPointerException if a component is null
         */
        public TooManyRequests {
            Objects.requireNonNull(message, "message");
            Objects.requireNonNull(retryAfter, "retryAfter");
        }
    }

    /**
     * 503: a dependency is down or saturated; {@code retryAfter} becomes {@code Retry-After}.
     *
     * @param message the text sent to the client as {@code {"error": message}}; keep it free of internals
     * @param retryAfter how long the client should wait, sent as {@code Retry-After} in whole seconds, rounded
     *     up (RFC 9110 section 10.2.3)
     */
    record Unavailable(String message, Duration retryAfter) implements AppError {
        /**
         * Requires both components.
         *
         * @throws NullPointerException if a component is null
         */
        public Unavailable {
            Objects.requireNonNull(message, "message");
            Objects.requireNonNull(retryAfter, "retryAfter");
        }
    }

    /**
     * 503: load shedding refused the request before any work was done (the {@code ConcurrencyLimit}
     * middleware, {@code MAX_IN_FLIGHT}); {@code retryAfter} becomes {@code Retry-After}. A variant of its own,
     * as tower's {@code Overloaded}, so metrics and logs tell a busy server from a failing dependency.
     *
     * @param message the text sent to the client as {@code {"error": message}}; keep it free of internals
     * @param retryAfter how long the client should wait, sent as {@code Retry-After} in whole seconds, rounded
     *     up (RFC 9110 section 10.2.3)
     */
    record Overloaded(String message, Duration retryAfter) implements AppError {
        /**
         * Requires both components.
         *
         * @throws NullPointerException if a component is null
         */
        public Overloaded {
            Objects.requireNonNull(message, "message");
            Objects.requireNonNull(retryAfter, "retryAfter");
        }
    }

    /**
     * 500: the database failed. The cause is logged, the client sees a generic message.
     *
     * @param cause the database failure, logged server-side with the request id; never sent
     */
    record Database(Throwable cause) implements AppError {
        /**
         * Requires a cause.
         *
         * @throws NullPointerException if {@code cause} is null
         */
        public Database {
            Objects.requireNonNull(cause, "cause");
        }

        @Override
        public String message() {
            return INTERNAL_MESSAGE;
        }
    }

    /**
     * 500: a bug or an unexpected failure. The cause is logged, the client sees a generic message.
     *
     * @param cause the failure, logged server-side with its stack trace and the request id; never sent
     */
    record Internal(Throwable cause) implements AppError {
        /**
         * Requires a cause.
         *
         * @throws NullPointerException if {@code cause} is null
         */
        public Internal {
            Objects.requireNonNull(cause, "cause");
        }

        @Override
        public String message() {
            return INTERNAL_MESSAGE;
        }
    }

    /** The only message a client ever sees for a {@link Database} or {@link Internal} error. */
    String INTERNAL_MESSAGE = "Internal server error";

    /**
     * {@return the HTTP status this error answers with, from RFC 9110 section 15 (429 from RFC 6585 section 4)}
     */
    default int status() {
        return switch (this) {
            case BadRequest e -> 400;
            case Validation e -> 400;
            case Unauthorized e -> 401;
            case Forbidden e -> 403;
            case NotFound e -> 404;
            case MethodNotAllowed e -> 405;
            case Timeout e -> e.status();
            case Conflict e -> 409;
            case PayloadTooLarge e -> 413;
            case UnsupportedMediaType e -> 415;
            case Unprocessable e -> 422;
            case TooManyRequests e -> 429;
            case Database e -> 500;
            case Internal e -> 500;
            case Unavailable e -> 503;
            case Overloaded e -> 503;
        };
    }

    /**
     * The response for this error: its status, {@code {"error": message}}, and the headers the status calls for
     * ({@code Allow}, {@code Retry-After}, {@code WWW-Authenticate}, {@code Accept-Encoding}). Server-side errors log
     * their cause here, once.
     *
     * @return a new response with {@code Content-Type: application/json}
     */
    default Response toResponse() {
        Response response = Response.json(status(), new ErrorBody(message())).withError(this);
        return switch (this) {
            case Unauthorized e -> response.withHeader("WWW-Authenticate", e.challenge());
            case MethodNotAllowed e -> response.withHeader("Allow", String.join(", ", new TreeSet<>(e.allowed())));
            case TooManyRequests e -> response.withHeader("Retry-After", retryAfterSeconds(e.retryAfter()));
            case Unavailable e -> response.withHeader("Retry-After", retryAfterSeconds(e.retryAfter()));
            case Overloaded e -> response.withHeader("Retry-After", retryAfterSeconds(e.retryAfter()));
            case Database e -> {
                ErrorLog.log("Database error", e.cause());
                yield response;
            }
            case Internal e -> {
                ErrorLog.log("Internal error", e.cause());
                yield response;
            }
            case BadRequest e -> response;
            case Validation e -> response;
            case Forbidden e -> response;
            case NotFound e -> response;
            case Timeout e -> e.status() == 503 ? response.withHeader("Retry-After", "1") : response;
            case Conflict e -> response;
            case PayloadTooLarge e -> response;
            case UnsupportedMediaType e -> e.acceptedEncodings().isEmpty()
                    ? response
                    : response.withHeader("Accept-Encoding", String.join(", ", e.acceptedEncodings()));
            case Unprocessable e -> response;
        };
    }

    /**
     * This error as an unchecked exception, for handlers that prefer to throw.
     *
     * @return an {@link AppException} carrying this error
     */
    default AppException toException() {
        return new AppException(this);
    }

    /**
     * Classifies any failure. An {@link AppException} keeps its error. A database failure ({@link SQLException},
     * or a failure caused by one) is mapped by its SQLSTATE as an operator expects, and logged as one line with
     * the SQLSTATE and message, never a stack trace:
     *
     * <table>
     *   <caption>Database failures and their answers</caption>
     *   <tr><th>SQLSTATE</th><th>answer</th><th>why</th></tr>
     *   <tr><td>class 08, class 57 but 57014 (57P01 admin shutdown, 57P02 crash, 57P03 starting up or stopping,
     *       57P05 idle session timeout), class 53 (53300 too many connections, disk full, out of memory), 25006
     *       (a write on a read-only server, as after a failover), 25P03/25P04 (the server ended the
     *       session)</td>
     *       <td>503, {@code Retry-After: 5}</td><td>the database cannot serve now; a retry once it is back
     *       will do</td></tr>
     *   <tr><td>40001 serialization failure, 40P01 deadlock</td><td>503, {@code Retry-After: 1}</td>
     *       <td>PostgreSQL rolled the transaction back, so nothing changed and the request may be sent again, as
     *       its documentation says to do (§13.2.3, §13.4); not 409, since the client has nothing to change</td></tr>
     *   <tr><td>55P03 lock not available ({@code lock_timeout}, {@code NOWAIT}), 57014 query canceled (a {@code
     *       statement_timeout}, an operator's cancel)</td><td>503, {@code Retry-After: 1}</td>
     *       <td>the database is busy, not the client wrong</td></tr>
     *   <tr><td>23505 unique, 23P01 exclusion, 23503 foreign key, 23001 restrict</td><td>409</td>
     *       <td>the request conflicts with the stored data</td></tr>
     *   <tr><td>class 22 (a value the database refuses: 22021/22P05 U+0000 in text, 22001 too long, 22003
     *       out of range, 22P02 wrong format, dates), 54000 a value too large (for an index, say), 54001 too
     *       complex (nested too deep), 54023 too many arguments, 23502 not null, 23514 check</td><td>400</td>
     *       <td>the client's value, passed on by the application unchecked; logged at INFO</td></tr>
     *   <tr><td>the pool's acquire timeout ({@link SQLTransientConnectionException})</td>
     *       <td>503, {@code Retry-After: 1}; 5 when the pool could not connect</td>
     *       <td>logged once per burst by the pool, not per request</td></tr>
     *   <tr><td>anything else (a bug in SQL, a missing table or privilege)</td><td>500</td>
     *       <td>{@link Database}: logged once, with its stack trace</td></tr>
     * </table>
     *
     * <p>A failure on a thread whose request {@link Deadline} has passed is the echo of that deadline (its
     * statement was cancelled, its socket closed): it becomes {@link Database} or {@link Internal} whatever it
     * is, and is reported in the timeout's one log line instead of its own. A failure on an interrupted thread is
     * the echo of a stop that cut the request short once its grace was over (the server interrupts the handlers
     * still running then): it becomes {@link Unavailable}, 503 {@code "The server is stopping"} with {@code
     * Retry-After: 1}, as a request refused for the stop would be, and is logged as one line without a trace. Any
     * other failure is {@link Internal}.
     *
     * @param failure anything a handler or middleware threw
     * @return the error to answer with; never null
     */
    static AppError from(Throwable failure) {
        if (failure instanceof AppException e) {
            return e.error();
        }
        if (ErrorLog.interruptedByStop()) {
            return ErrorLog.stopping(failure);
        }
        Optional<SQLException> database = databaseFailure(failure);
        if (database.isEmpty()) {
            return new Internal(failure);
        }
        if (RequestDeadline.currentExpired()) {
            return new Database(database.get());
        }
        return DatabaseFailures.classify(database.get()).orElseGet(() -> new Database(failure));
    }

    /** The failure itself when it is an {@link SQLException}, else the first one among its causes. */
    private static Optional<SQLException> databaseFailure(Throwable failure) {
        Throwable t = failure;
        for (int depth = 0; t != null && depth < 10; depth++, t = t.getCause()) {
            if (t instanceof SQLException e) {
                return Optional.of(e);
            }
        }
        return Optional.empty();
    }

    /**
     * A 400 {@link BadRequest}.
     *
     * @param message the text sent to the client as {@code {"error": message}}; keep it free of internals
     * @return the error; answer with {@link #toResponse()} or throw {@link #toException()}
     * @throws NullPointerException if {@code message} is null
     */
    static AppError badRequest(String message) {
        return new BadRequest(message);
    }

    /**
     * A 400 {@link Validation}.
     *
     * @param message the text sent to the client as {@code {"error": message}}; keep it free of internals
     * @return the error; answer with {@link #toResponse()} or throw {@link #toException()}
     * @throws NullPointerException if {@code message} is null
     */
    static AppError validation(String message) {
        return new Validation(message);
    }

    /**
     * A 401 {@link Unauthorized} with {@code WWW-Authenticate: Bearer}.
     *
     * @param message the text sent to the client as {@code {"error": message}}; keep it free of internals
     * @return the error; answer with {@link #toResponse()} or throw {@link #toException()}
     * @throws NullPointerException if {@code message} is null
     */
    static AppError unauthorized(String message) {
        return new Unauthorized(message);
    }

    /**
     * A 401 {@link Unauthorized} with {@code challenge} as its {@code WWW-Authenticate} header.
     *
     * @param message the text sent to the client as {@code {"error": message}}; keep it free of internals
     * @param challenge the {@code WWW-Authenticate} value: one or more challenges by RFC 9110 §11.6.1, such as
     *     {@code Basic realm="api"} (see {@link Unauthorized})
     * @return the error; answer with {@link #toResponse()} or throw {@link #toException()}
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code challenge} is not one or more challenges
     */
    static AppError unauthorized(String message, String challenge) {
        return new Unauthorized(message, challenge);
    }

    /**
     * A 403 {@link Forbidden}.
     *
     * @param message the text sent to the client as {@code {"error": message}}; keep it free of internals
     * @return the error; answer with {@link #toResponse()} or throw {@link #toException()}
     * @throws NullPointerException if {@code message} is null
     */
    static AppError forbidden(String message) {
        return new Forbidden(message);
    }

    /**
     * A 404 {@link NotFound}.
     *
     * @param message the text sent to the client as {@code {"error": message}}; keep it free of internals
     * @return the error; answer with {@link #toResponse()} or throw {@link #toException()}
     * @throws NullPointerException if {@code message} is null
     */
    static AppError notFound(String message) {
        return new NotFound(message);
    }

    /**
     * A 409 {@link Conflict}.
     *
     * @param message the text sent to the client as {@code {"error": message}}; keep it free of internals
     * @return the error; answer with {@link #toResponse()} or throw {@link #toException()}
     * @throws NullPointerException if {@code message} is null
     */
    static AppError conflict(String message) {
        return new Conflict(message);
    }

    /**
     * A 500 {@link Internal} whose logged cause is a new exception with this detail.
     *
     * @param detail what went wrong, for the server log only
     * @return the error; the client sees only {@link #INTERNAL_MESSAGE}
     */
    static AppError internal(String detail) {
        return new Internal(new IllegalStateException(detail));
    }

    private static String retryAfterSeconds(Duration retryAfter) {
        // Retry-After takes whole seconds; round up so a client never retries before we asked.
        long seconds = retryAfter.toSeconds() + (retryAfter.getNano() > 0 ? 1 : 0);
        return Long.toString(Math.max(1, seconds));
    }
}

/** The JSON shape of every error body. */
record ErrorBody(String error) {}
