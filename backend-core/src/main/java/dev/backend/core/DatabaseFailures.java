package dev.backend.core;

import dev.backend.core.internal.Failures;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Maps a database failure to its answer by SQLSTATE (PostgreSQL Appendix A), as {@link AppError#from}
 * documents. The failures mapped here are expected in production, so each is logged as one line with its
 * SQLSTATE and message (the request id comes from the logging MDC) and never with a stack trace; everything
 * else stays a logged 500.
 */
final class DatabaseFailures {

    private static final Logger LOG = LoggerFactory.getLogger(AppError.class);

    /** A restart or a failover takes seconds; asking for a retry sooner only adds load. */
    private static final Duration UNAVAILABLE_RETRY = Duration.ofSeconds(5);
    /** Contention clears as soon as the other transaction ends. */
    private static final Duration BUSY_RETRY = Duration.ofSeconds(1);

    private DatabaseFailures() {}

    /** The answer for {@code failure} when its SQLSTATE is one of the mapped ones. */
    static Optional<AppError> classify(SQLException failure) {
        if (failure instanceof SQLTransientConnectionException) {
            return Optional.of(poolTimeout(failure));
        }
        SQLException stated = withState(failure);
        String state = stated.getSQLState();
        if (state == null) {
            return Optional.empty();
        }
        return classify(stated, state);
    }

    private static Optional<AppError> classify(SQLException failure, String state) {
        if (isUnavailable(state)) {
            LOG.warn("Database unavailable, answered 503: {}", Failures.summary(failure));
            return Optional.of(new AppError.Unavailable("The database is unavailable, retry shortly", UNAVAILABLE_RETRY));
        }
        return switch (state) {
            case "40001", "40P01" -> busy(failure,
                    "The request conflicted with a concurrent one and changed nothing, retry it");
            case "55P03" -> busy(failure, "The data is locked by another request, retry shortly");
            case "57014" -> busy(failure, "The database did not answer in time, retry shortly");
            case "23505", "23P01", "23000" -> refused(failure, new AppError.Conflict("The request conflicts with existing data"));
            case "23503", "23001" -> refused(failure, new AppError.Conflict(
                    "The request refers to data that does not exist, or that other data still refers to"));
            case "23502" -> refused(failure, new AppError.Validation("A required value is missing"));
            case "23514" -> refused(failure, new AppError.Validation("A value is outside what is allowed"));
            case "22021", "22P05" -> refused(failure, new AppError.Validation(
                    "A text value contains a character that cannot be stored, such as U+0000"));
            case "22001" -> refused(failure, new AppError.Validation("A value is longer than allowed"));
            case "22003" -> refused(failure, new AppError.Validation("A number is out of the allowed range"));
            case "22007", "22008" -> refused(failure, new AppError.Validation("A date or time is not valid"));
            case "22P02" -> refused(failure, new AppError.Validation("A value does not have the expected format"));
            // Class 54 is the client's too when its value is what is too large: an index entry over its page
            // limit, a jsonb nested past the stack depth, a variadic call given the client's list. 54011 (too
            // many columns) comes from the schema, so it stays a bug.
            case "54000" -> refused(failure, new AppError.Validation("A value is too large to store"));
            case "54001" -> refused(failure, new AppError.Validation("A value is too complex for the database"));
            case "54023" -> refused(failure, new AppError.Validation("The request has too many values for the database"));
            default -> state.startsWith("22")
                    ? refused(failure, new AppError.Validation("A value in the request is not valid"))
                    : Optional.empty();
        };
    }

    /**
     * The server cannot serve this connection: class 08 (connection lost or refused), class 57 but 57014 (the
     * server shutting down, restarting, or ending the session), class 53 (out of connections, memory or disk),
     * 25006 (a write on a read-only server, as after a failover) and the server ending a session left idle in
     * a transaction (25P03) or open too long (25P04).
     */
    private static boolean isUnavailable(String state) {
        return state.startsWith("08") || state.startsWith("53") || (state.startsWith("57") && !state.equals("57014"))
                || state.equals("25006") || state.equals("25P03") || state.equals("25P04");
    }

    /**
     * The pool handed out no connection within its acquire timeout. HikariCP gives the exception the SQLSTATE of
     * the last failed attempt to connect, if there was one: then the database is unreachable or refusing (08001,
     * 57P03, 53300, 28P01), else every connection was simply busy. The pool logs these once per burst.
     */
    private static AppError poolTimeout(SQLException failure) {
        return failure.getSQLState() != null
                ? new AppError.Unavailable("The database is unavailable, retry shortly", UNAVAILABLE_RETRY)
                : new AppError.Unavailable("The service is busy, retry shortly", BUSY_RETRY);
    }

    private static Optional<AppError> busy(SQLException failure, String message) {
        LOG.warn("Database busy, answered 503: {}", Failures.summary(failure));
        return Optional.of(new AppError.Unavailable(message, BUSY_RETRY));
    }

    private static Optional<AppError> refused(SQLException failure, AppError error) {
        // A client's value the application passed on unchecked: not the server's failure, but worth a line for
        // the developer who may want to validate it first.
        LOG.info("Database refused a value, answered {}: {}", error.status(), Failures.summary(failure));
        return Optional.of(error);
    }

    /** The first exception with an SQLSTATE along the chain of next exceptions and causes, else {@code failure}. */
    private static SQLException withState(SQLException failure) {
        Throwable t = failure;
        for (int depth = 0; t != null && depth < 10; depth++, t = nextOf(t)) {
            if (t instanceof SQLException e && e.getSQLState() != null) {
                return e;
            }
        }
        return failure;
    }

    private static Throwable nextOf(Throwable t) {
        if (t instanceof SQLException e && e.getNextException() != null && e.getNextException() != t) {
            return e.getNextException();
        }
        return t.getCause() == t ? null : t.getCause();
    }
}
