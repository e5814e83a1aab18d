package dev.backend.core;

import dev.backend.core.internal.Failures;
import dev.backend.core.internal.RequestDeadline;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The log lines of {@link AppError}: a holder for the logger the interface cannot declare as a private field. */
final class ErrorLog {
    static final Logger LOG = LoggerFactory.getLogger(AppError.class);

    private ErrorLog() {}

    /**
     * Whether the current thread was interrupted by a stop: interrupted, and not by its request's deadline, whose
     * {@code Timeout} middleware answers for it.
     */
    static boolean interruptedByStop() {
        return Thread.currentThread().isInterrupted() && !RequestDeadline.currentExpired();
    }

    /** The error for a failure that a stop's interrupt caused, logged as one line. */
    static AppError stopping(Throwable failure) {
        LOG.warn("Request interrupted by the stop, answered 503: {}", Failures.summary(failure));
        return new AppError.Unavailable("The server is stopping", Duration.ofSeconds(1));
    }

    /**
     * Logs a server-side failure with its stack trace, except when the request's deadline passed (the {@code
     * Timeout} middleware's one line reports the failure) or the thread was interrupted (a stop cut the request
     * short): the failure is then the expected echo of that, such as a JDBC socket closed under the query, and
     * one line without a trace says so.
     */
    static void log(String what, Throwable cause) {
        if (RequestDeadline.currentExpired()) {
            return;
        }
        if (Thread.currentThread().isInterrupted()) {
            LOG.warn("{} after the request was interrupted (stop): {}", what, Failures.summary(cause));
        } else {
            LOG.error(what, cause);
        }
    }
}
