package dev.backend.core;

import java.util.Objects;
import java.util.function.Function;

/**
 * A value or an {@link AppError}: for service and repository code that reports expected failures as
 * values, like Rust's {@code Result<T, AppError>}.
 *
 * {@snippet :
 * Result<User> found = users.find(id);                // Err(NotFound) when absent
 * return found.toResponse(Response::json);           // 200 with the user, or the error's response
 * }
 *
 * @param <T> the type of the success value
 */
public sealed interface Result<T> {

    /**
     * A success.
     *
     * @param <T> the type of the success value
     * @param value the success value; not null
     */
    record Ok<T>(T value) implements Result<T> {
        /**
         * Requires a value.
         *
         * @throws NullPointerException if {@code value} is null
         */
        public Ok {
            Objects.requireNonNull(value, "value");
        }
    }

    /**
     * A failure.
     *
     * @param <T> the type the success value would have had
     * @param error why it failed
     */
    record Err<T>(AppError error) implements Result<T> {
        /**
         * Requires an error.
         *
         * @throws NullPointerException if {@code error} is null
         */
        public Err {
            Objects.requireNonNull(error, "error");
        }
    }

    /**
     * A success holding {@code value}.
     *
     * @param <T> the type of the success value
     * @param value the value; not null
     * @return the success
     * @throws NullPointerException if {@code value} is null
     */
    static <T> Result<T> ok(T value) {
        return new Ok<>(value);
    }

    /**
     * A failure holding {@code error}.
     *
     * @param <T> the type the success value would have had
     * @param error why it failed
     * @return the failure
     * @throws NullPointerException if {@code error} is null
     */
    static <T> Result<T> err(AppError error) {
        return new Err<>(error);
    }

    /**
     * The success value transformed; a failure passes through.
     *
     * @param <U> the type of the new success value
     * @param f maps the success value; must not return null
     * @return a success with {@code f}'s result, or this failure
     * @throws NullPointerException if {@code f} returns null
     */
    default <U> Result<U> map(Function<? super T, ? extends U> f) {
        return switch (this) {
            case Ok<T> ok -> new Ok<>(f.apply(ok.value()));
            case Err<T> err -> new Err<>(err.error());
        };
    }

    /**
     * The next step, run only on success; a failure passes through.
     *
     * @param <U> the type of the next step's success value
     * @param f the next step; must not return null
     * @return the next step's result, or this failure
     * @throws NullPointerException if {@code f} returns null
     */
    default <U> Result<U> flatMap(Function<? super T, Result<U>> f) {
        return switch (this) {
            case Ok<T> ok -> Objects.requireNonNull(f.apply(ok.value()), "flatMap function returned null");
            case Err<T> err -> new Err<>(err.error());
        };
    }

    /**
     * The success value, or the error thrown as an {@link AppException}.
     *
     * @return the success value
     * @throws AppException carrying the error, on failure
     */
    default T orThrow() {
        return switch (this) {
            case Ok<T> ok -> ok.value();
            case Err<T> err -> throw err.error().toException();
        };
    }

    /**
     * The success value turned into a response with {@code onOk}, or the error's response.
     *
     * @param onOk turns the success value into a response
     * @return {@code onOk}'s response, or the error's ({@link AppError#toResponse()})
     */
    default Response toResponse(Function<? super T, Response> onOk) {
        return switch (this) {
            case Ok<T> ok -> onOk.apply(ok.value());
            case Err<T> err -> err.error().toResponse();
        };
    }
}
