package dev.backend.core;

import dev.backend.core.internal.RequestDeadline;
import java.util.Optional;

/**
 * The deadline of the request the current thread is answering, set by the {@code Timeout} middleware.
 *
 * <p>At the deadline the middleware interrupts the handler's thread. Some work does not stop cleanly that way:
 * interrupting a virtual thread blocked in JDBC closes the driver's socket, but PostgreSQL goes on running the
 * statement, which may still commit. Such work registers a cancel with {@link #onExpiry}, which runs first:
 * backend-server's pool cancels the statements of every connection the request borrowed, so PostgreSQL stops
 * them and the connections go back to the pool intact. Error handling asks {@link #expired()} to tell a failure
 * the deadline caused (expected, answered with the timeout status) from a real one.
 *
 * {@snippet :
 * Deadline.current().ifPresent(deadline -> deadline.onExpiry(call::cancel));
 * }
 */
public interface Deadline {

    /** {@return the innermost deadline of the request this thread is answering; empty outside a {@code Timeout} layer} */
    static Optional<Deadline> current() {
        return Optional.ofNullable(RequestDeadline.current());
    }

    /**
     * {@return true once this deadline (or an enclosing one) has passed: whatever the handler still returns, the
     * client gets the timeout answer}
     */
    boolean expired();

    /**
     * Runs {@code cancel} when this deadline (or an enclosing one) passes, on a thread of its own, before the
     * handler's thread is interrupted. The interrupt then waits until the handler returns, for at most a second
     * after the cancels ran; if it has to come, every cancel runs once more right before it, for work started in
     * the meantime. A cancel must therefore be quick to do nothing when there is nothing left to cancel. When the
     * deadline has already passed, {@code cancel} runs at once, on this thread.
     *
     * @param cancel stops the work; it may block on the network, and must not throw
     */
    void onExpiry(Runnable cancel);
}
