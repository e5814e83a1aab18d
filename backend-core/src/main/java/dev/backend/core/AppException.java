package dev.backend.core;

import java.io.Serial;
import java.util.Objects;

/**
 * An {@link AppError} thrown instead of returned. Whatever layer it crosses, it ends as {@code
 * error().toResponse()}.
 *
 * <p>Client errors (4xx) skip the stack trace: they are expected outcomes, not bugs, and filling a trace
 * on every 404 would show up in throughput. Server errors keep theirs through the cause they carry.
 */
public final class AppException extends RuntimeException {

    @Serial
    private static final long serialVersionUID = 1L;

    /** Not serialised: an error value is meaningful only inside the process that raised it. */
    private final transient AppError error;

    /**
     * Wraps an error; prefer {@link AppError#toException()}.
     *
     * @param error the error; its message becomes the exception's, and a {@link AppError.Database} or {@link
     *     AppError.Internal} cause becomes its cause
     */
    public AppException(AppError error) {
        super(Objects.requireNonNull(error, "error").message(), causeOf(error), false, false);
        this.error = error;
    }

    /**
     * {@return the error this exception carries}
     */
    public AppError error() {
        return error;
    }

    private static Throwable causeOf(AppError error) {
        return switch (error) {
            case AppError.Database e -> e.cause();
            case AppError.Internal e -> e.cause();
            default -> null;
        };
    }
}
