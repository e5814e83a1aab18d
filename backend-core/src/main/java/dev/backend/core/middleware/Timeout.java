package dev.backend.core.middleware;

import dev.backend.core.AppError;
import dev.backend.core.Deadline;
import dev.backend.core.Handler;
import dev.backend.core.Middleware;
import dev.backend.core.Response;
import dev.backend.core.internal.Failures;
import dev.backend.core.internal.RequestDeadline;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bounds how long the handler may take: past the deadline the client gets {@code 503} with {@code Retry-After:
 * 1} and {@code {"error": "Request timed out after 30s"}}. A handler too slow is the server's failure, which 503
 * says; 408 would blame the client (RFC 9110 §15.5.9). {@link #withStatus} picks 504 or 408 instead, as
 * tower-http's {@code TimeoutLayer::with_status_code} does.
 *
 * <p>The handler runs on the request's own thread (no hand-off). At the deadline, the cancels registered with
 * the request's {@link Deadline} run first: backend-server's pool cancels the statements of the connections the
 * request borrowed, so PostgreSQL stops them (a statement that only lost its socket would run on, and could
 * commit), the handler's JDBC call fails, and its connections go back to the pool intact. If the handler has
 * not returned a second after the deadline its thread is interrupted, at once if it registered nothing to cancel:
 * blocking calls on a virtual thread give up. A cancel still waiting for its server by then gives up too, so a
 * database that does not answer holds the timeout answer back by that grace and a tick, never by the cancel's
 * own timeout. Reading the request body registers a cancel on backend-http: the engine ends a read still
 * waiting for the client, so the handler fails at once and the timeout answer reaches the client (with {@code
 * Connection: close}); an interrupt would close the socket under the read and lose the answer, which is what
 * happens on the JDK's provider.
 *
 * <p>Guarantees: one response per request (the handler's, or the timeout answer, never both); the interrupt
 * never leaks, because a deadline that passes after the handler finished does nothing, and after a timeout
 * the interrupt is cleared before this layer returns; each race between the handler and the deadline is
 * settled by one compare-and-set. A handler that ignores interruption (a busy loop) gets the timeout answer
 * when it returns. The deadline covers producing the response, not streaming a {@link Response.Body.Stream}
 * body, and fires within a tick of passing: a tenth of the shortest timeout in use, from 1 ms to 100 ms.
 *
 * <p>A timeout is logged as one warning with what the handler did after the deadline: how late it returned,
 * whether it had to be interrupted, and the failure it ended with (such as PostgreSQL's {@code 57014 canceling
 * statement due to user request}); the failure itself is not logged again.
 *
 * {@snippet :
 * Middleware timeout = Timeout.of(Duration.ofSeconds(30));               // 503 + Retry-After
 * Middleware gateway = Timeout.of(Duration.ofSeconds(30)).withStatus(504);
 * }
 */
public final class Timeout implements Middleware {

    private static final Logger LOG = LoggerFactory.getLogger(Timeout.class);

    private final Duration timeout;
    private final long nanos;
    private final String limit;
    private final Response timedOut;

    private Timeout(Duration timeout, int status) {
        this.timeout = timeout;
        this.nanos = timeout.toNanos();
        RequestDeadline.expectTimeout(nanos);
        this.limit = HttpText.human(timeout);
        // Built once: responses are immutable, so every timed-out request can share it.
        this.timedOut = new AppError.Timeout("Request timed out after " + limit, status).toResponse();
    }

    /**
     * {@return a deadline of {@code timeout} per request, answered with 503 and {@code Retry-After}}
     *
     * @param timeout how long a request may take; positive
     */
    public static Timeout of(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive, was " + timeout.toMillis() + "ms");
        }
        return new Timeout(timeout, 503);
    }

    /**
     * {@return a copy answering timed-out requests with {@code status}}
     *
     * @param status 503 (with {@code Retry-After}), 504 or 408
     * @throws IllegalArgumentException for any other status
     */
    public Timeout withStatus(int status) {
        return new Timeout(timeout, status);
    }

    /** {@return the status timed-out requests are answered with} */
    public int status() {
        return timedOut.status();
    }

    @Override
    public Handler wrap(Handler next) {
        Objects.requireNonNull(next, "next");
        return request -> {
            RequestDeadline deadline = RequestDeadline.start(nanos);
            Response response;
            try {
                response = next.handle(request);
            } catch (Throwable failure) {
                if (deadline.finish()) {
                    throw failure;
                }
                return timedOut(deadline, Optional.of(failure));
            }
            if (deadline.finish()) {
                return response;
            }
            return timedOut(deadline, response.error().flatMap(Timeout::cause));
        };
    }

    private Response timedOut(RequestDeadline deadline, Optional<Throwable> failure) {
        if (LOG.isWarnEnabled()) {
            LOG.warn("Request timed out after {}, answered {}; the handler returned {} ms after the deadline{}{}",
                    limit, timedOut.status(), deadline.millisLate(), deadline.interrupted() ? ", interrupted" : "",
                    failure.map(f -> ", with " + Failures.summary(f)).orElse(""));
        }
        return timedOut;
    }

    /** The failure behind a server-side error the handler's router answered, which it left to this line to log. */
    private static Optional<Throwable> cause(AppError error) {
        if (error instanceof AppError.Database e) {
            return Optional.of(e.cause());
        }
        if (error instanceof AppError.Internal e) {
            return Optional.of(e.cause());
        }
        return Optional.empty();
    }
}
