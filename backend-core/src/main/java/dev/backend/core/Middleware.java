package dev.backend.core;

import java.util.List;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * Wraps a {@link Handler} and returns a handler: the unit of cross-cutting behaviour (logging, limits,
 * CORS, authentication), like a tower {@code Layer} or axum's {@code middleware::from_fn}.
 *
 * <p>Order: in {@link #stack(Middleware...)} and {@link #andThen(Middleware)} the first middleware is the
 * outermost, as in tower's {@code ServiceBuilder}: it sees the request first and the response last.
 *
 * {@snippet :
 * Handler app = Middleware.stack(trace, timeout, cors).wrap(router.build());
 * // a request flows trace -> timeout -> cors -> router; the response flows back the other way
 * }
 *
 * <p>A middleware that rejects a request returns an error response ({@code
 * AppError.unauthorized("...").toResponse()}) rather than calling {@code next}. State such as counters
 * belongs in the middleware object, not in the handler {@link #wrap} returns: a {@link
 * Router#layer(Middleware)} wraps each route separately.
 */
@FunctionalInterface
public interface Middleware {

    /**
     * Returns a handler that runs this middleware around {@code next}.
     *
     * @param next the handler inside this middleware: the next layer, or the application
     * @return the wrapped handler; call {@code next.handle} zero or one time per request
     */
    Handler wrap(Handler next);

    /**
     * This middleware outside {@code inner}: {@code a.andThen(b).wrap(h)} is {@code a.wrap(b.wrap(h))}.
     *
     * @param inner the middleware to run inside this one
     * @return the composition
     */
    default Middleware andThen(Middleware inner) {
        Objects.requireNonNull(inner, "inner");
        Middleware outer = this;
        return next -> outer.wrap(inner.wrap(next));
    }

    /**
     * The layers composed, the first outermost. An empty stack returns the handler unchanged.
     *
     * @param layers the middleware, outermost first
     * @return the composition
     */
    static Middleware stack(Middleware... layers) {
        return stack(List.of(layers));
    }

    /**
     * The layers composed, the first outermost.
     *
     * @param layers the middleware, outermost first; copied
     * @return the composition; an empty list returns the handler unchanged
     */
    static Middleware stack(List<Middleware> layers) {
        List<Middleware> copy = List.copyOf(layers);
        return next -> {
            Handler handler = next;
            for (int i = copy.size() - 1; i >= 0; i--) {
                handler = copy.get(i).wrap(handler);
            }
            return handler;
        };
    }

    /**
     * A middleware that rewrites the request before the handler sees it; throwing an {@link
     * AppException} from {@code action} answers with that error instead of calling the handler.
     *
     * @param action returns the request to pass on, this one or a copy ({@link Request#withAttribute})
     * @return the middleware
     */
    static Middleware before(UnaryOperator<Request> action) {
        Objects.requireNonNull(action, "action");
        return next -> request -> {
            Request changed;
            try {
                changed = action.apply(request);
            } catch (AppException e) {
                return e.error().toResponse();
            }
            return next.handle(changed);
        };
    }

    /**
     * A middleware that rewrites every response, error responses included.
     *
     * @param action maps the request and the handler's response to the response to send
     * @return the middleware
     */
    static Middleware after(ResponseMapper action) {
        Objects.requireNonNull(action, "action");
        return next -> request -> action.apply(request, next.handle(request));
    }

    /** Rewrites a response, knowing the request it answers; see {@link #after(ResponseMapper)}. */
    @FunctionalInterface
    interface ResponseMapper {
        /**
         * The response to send instead of {@code response}.
         *
         * @param request the request being answered
         * @param response the response the inner handler returned
         * @return the response to send; not null
         */
        Response apply(Request request, Response response);
    }
}
