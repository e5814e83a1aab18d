package dev.backend.core.middleware;

import dev.backend.core.AppException;
import dev.backend.core.Handler;
import dev.backend.core.Middleware;
import dev.backend.core.Request;
import java.util.Objects;

/**
 * Caps the request body, like axum's {@code DefaultBodyLimit} and tower-http's {@code
 * RequestBodyLimitLayer}: 413 with a JSON error when it is larger than the limit.
 *
 * <ul>
 *   <li>A declared {@code Content-Length} over the limit is answered 413 at once, before the handler
 *       runs and without reading a byte of the body.
 *   <li>A body without a length (chunked) is counted while the handler reads it, through {@link
 *       Request#bodyBytes()}, {@link Request#json(Class)} or {@link Request#bodyStream()}: reading past the
 *       limit fails with 413, and no more than the limit is ever buffered.
 * </ul>
 *
 * <p>A route-level {@code BodyLimit} (added with {@code Router.layer}) tightens the limit for its routes;
 * it cannot raise it, because a declared length over the outer limit was already answered. Without any
 * {@code BodyLimit} a request reads at most {@link Request#DEFAULT_BODY_LIMIT} bytes.
 *
 * {@snippet :
 * Middleware bodyLimit = BodyLimit.of(10L * 1024 * 1024);   // 10 MiB
 * }
 */
public final class BodyLimit implements Middleware {

    private final long maxBytes;

    private BodyLimit(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    /** At most {@code maxBytes} of body per request; 0 accepts only empty bodies. */
    public static BodyLimit of(long maxBytes) {
        if (maxBytes < 0) {
            throw new IllegalArgumentException("maxBytes must not be negative, was " + maxBytes);
        }
        return new BodyLimit(maxBytes);
    }

    /** The limit in bytes. */
    public long maxBytes() {
        return maxBytes;
    }

    @Override
    public Handler wrap(Handler next) {
        Objects.requireNonNull(next, "next");
        return request -> {
            Request limited;
            try {
                limited = request.withBodyLimit(maxBytes);
            } catch (AppException tooLarge) {
                return tooLarge.error().toResponse();
            }
            return next.handle(limited);
        };
    }
}
