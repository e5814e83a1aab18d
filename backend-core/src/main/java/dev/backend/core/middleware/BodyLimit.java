package dev.backend.core.middleware;

import dev.backend.core.AppException;
import dev.backend.core.BodyMemory;
import dev.backend.core.Handler;
import dev.backend.core.Middleware;
import dev.backend.core.Request;
import dev.backend.core.Response;
import java.util.Objects;
import java.util.Optional;

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
 * <p>{@link #withMemoryLimit} also bounds what all requests through this layer hold in memory together: a body
 * read whole reserves its size first, and the request that finds the {@link BodyMemory} spent gets 503 with
 * {@code Retry-After}, without its body being read. The reservation is given back when the request returns
 * through this layer.
 *
 * {@snippet :
 * Middleware bodyLimit = BodyLimit.of(10L * 1024 * 1024);   // 10 MiB
 * Middleware bounded = BodyLimit.of(10L << 20).withMemoryLimit(64L << 20);   // and 64 MiB at once, in all
 * }
 */
public final class BodyLimit implements Middleware {

    private final long maxBytes;
    /** The budget every request through this layer reserves its body from, if any. */
    private final BodyMemory memory;

    private BodyLimit(long maxBytes, BodyMemory memory) {
        this.maxBytes = maxBytes;
        this.memory = memory;
    }

    /**
     * At most {@code maxBytes} of body per request; 0 accepts only empty bodies.
     *
     * @param maxBytes the most body bytes per request, 0 or more; a larger declared {@code Content-Length}, or
     *     more bytes read, is answered 413 (RFC 9110 section 15.5.14)
     * @return the middleware, without a memory budget
     * @throws IllegalArgumentException if {@code maxBytes} is negative
     */
    public static BodyLimit of(long maxBytes) {
        if (maxBytes < 0) {
            throw new IllegalArgumentException("maxBytes must not be negative, was " + maxBytes);
        }
        return new BodyLimit(maxBytes, null);
    }

    /**
     * This limit, and at most {@code totalBytes} of request bodies held in memory at once by all requests through
     * the layer returned (one {@link BodyMemory} of its own).
     *
     * @param totalBytes the most body bytes held at once, by all requests together
     * @return a new layer with the same limit per body and a budget of its own
     * @throws IllegalArgumentException when {@code totalBytes} is smaller than {@link #maxBytes()}: a body the
     *     limit allows must fit
     */
    public BodyLimit withMemoryLimit(long totalBytes) {
        if (totalBytes < maxBytes) {
            throw new IllegalArgumentException("the memory limit for bodies (" + totalBytes
                    + " bytes) must be at least the limit of one body (" + maxBytes + " bytes)");
        }
        return new BodyLimit(maxBytes, BodyMemory.of(totalBytes));
    }

    /**
     * {@return the limit per request body, in bytes}
     */
    public long maxBytes() {
        return maxBytes;
    }

    /**
     * The budget for bodies held in memory.
     *
     * @return the budget {@link #withMemoryLimit} set, or empty
     */
    public Optional<BodyMemory> memory() {
        return Optional.ofNullable(memory);
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
            if (memory == null) {
                return next.handle(limited);
            }
            Request reserving = limited.withBodyMemory(memory);
            Response response;
            try {
                response = next.handle(reserving);
            } finally {
                memory.release(reserving);
            }
            // A streamed body is written after this returns, and its writer may still read the request's body:
            // what that reserves is given back when the writer ends.
            return StreamedBodies.wrapWriter(response, writer -> out -> {
                try {
                    writer.writeTo(out);
                } finally {
                    memory.release(reserving);
                }
            });
        };
    }
}
