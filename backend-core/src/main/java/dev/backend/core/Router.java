package dev.backend.core;

/**
 * Maps method and path to a {@link Handler}: path templates with parameters, nesting, merging, route
 * middleware and a fallback, compiled by {@link #build()} into one handler.
 *
 * <p>Templates are literal segments, {@code {name}} parameters (one segment) and a final {@code
 * {*name}} catch-all (the rest of the path, not empty). Literal segments win over parameters.
 * An unknown path answers 404, a known path with the wrong method 405 with an {@code Allow} header, and
 * {@code HEAD} is served by the {@code GET} handler (the body is dropped when sent).
 *
 * <p>Paths are matched on their decoded form (RFC 3986 §2.1, §6.2.2): the request path is split at
 * {@code /}, then each segment is percent-decoded as UTF-8 and compared with the template as text. So
 * {@code /caf%C3%A9} and {@code /caf%c3%a9} both match the template {@code /café}, and {@code /%75sers}
 * matches {@code /users}. An encoded slash stays inside its segment: {@code /files/a%2Fb} matches {@code
 * /files/{name}} with {@code name} = {@code a/b}, never {@code /files/a/b}; a catch-all's value is decoded
 * whole, so there the two look alike. {@code +} is a plus sign in a path. Comparison is case-sensitive,
 * code point by code point, without Unicode normalization. Templates are written decoded: a {@code %} in
 * a template is refused. Invalid percent-encoding, bytes that are not UTF-8, characters outside
 * printable ASCII sent raw, a segment that decodes to a control character (U+0000 to U+001F or DEL, such as
 * {@code %00} or {@code %0D%0A}; {@code %20} is a space and allowed), and {@code .} or {@code ..} segments
 * (also as {@code %2E}) are a 400 before any route runs, so no parameter or catch-all value holds a control
 * character; {@link Request#path()} keeps the path as sent.
 *
 * <p>The dot-segment check is of the request's segments, between its raw slashes, not of a catch-all's value
 * decoded whole: that value may be absolute ({@code /files//etc/passwd} and {@code /files/%2Fetc} give {@code
 * /etc/passwd} and {@code /etc}, which {@code Path.resolve} returns in place of its base), hold {@code ..}
 * components ({@code /files/..%2F..%2Fetc} gives {@code ../../etc}), backslashes, and empty names ({@code a//b},
 * {@code a/}). Before using one as a file path, refuse it when it has a root, and check that the base resolved
 * against it and normalized still starts with the base (docs/pipeline.md, "Catch-all values", has the code).
 *
 * {@snippet :
 * Router users = Router.create()
 *         .get("/users", api::list)
 *         .post("/users", api::create)
 *         .get("/users/{id}", api::find);
 * Handler app = Router.create()
 *         .get("/health", health)
 *         .nest("/api/v1", users)
 *         .build();
 * }
 *
 * <p>A router is a mutable builder, not thread-safe; {@link #build()} checks the routes (two handlers for
 * the same method and path shape are rejected with a message naming both) and returns an immutable,
 * thread-safe handler that matches segment by segment through a tree, so the cost of a lookup does not
 * grow with the number of routes.
 */
public interface Router {

    /**
     * An empty router.
     *
     * @return a router with no routes, no fallback and no middleware
     */
    static Router create() {
        return new DefaultRouter();
    }

    /**
     * Routes {@code method} (upper case, such as {@code GET} or {@code PROPFIND}) and {@code path}.
     *
     * @param method the method token (RFC 9110 section 9), upper case
     * @param path the template, starting with {@code /}, written decoded
     * @param handler answers the matched requests
     * @return this router
     * @throws IllegalArgumentException if the method is not an upper-case token or the template is malformed;
     *     a duplicate route is reported by {@link #build()}
     */
    Router route(String method, String path, Handler handler);

    /**
     * Routes {@code GET} (and so {@code HEAD}).
     *
     * @param path the template, starting with {@code /}
     * @param handler answers the matched requests
     * @return this router
     */
    default Router get(String path, Handler handler) {
        return route("GET", path, handler);
    }

    /**
     * Routes {@code POST}.
     *
     * @param path the template, starting with {@code /}
     * @param handler answers the matched requests
     * @return this router
     */
    default Router post(String path, Handler handler) {
        return route("POST", path, handler);
    }

    /**
     * Routes {@code PUT}.
     *
     * @param path the template, starting with {@code /}
     * @param handler answers the matched requests
     * @return this router
     */
    default Router put(String path, Handler handler) {
        return route("PUT", path, handler);
    }

    /**
     * Routes {@code PATCH}.
     *
     * @param path the template, starting with {@code /}
     * @param handler answers the matched requests
     * @return this router
     */
    default Router patch(String path, Handler handler) {
        return route("PATCH", path, handler);
    }

    /**
     * Routes {@code DELETE}.
     *
     * @param path the template, starting with {@code /}
     * @param handler answers the matched requests
     * @return this router
     */
    default Router delete(String path, Handler handler) {
        return route("DELETE", path, handler);
    }

    /**
     * Adds the routes of {@code router} under {@code prefix} (such as {@code /api/v1}, not {@code /} and
     * without a trailing {@code /}), as they are now. Its route {@code /} answers the prefix itself.
     *
     * <p>Its fallback, if it has one, owns the prefix: it answers the prefix, {@code prefix/} and every
     * path below that no route under the prefix matches, even when a parameter route of this router (say
     * {@code /{name}/{version}}) would match it too. Routes under the prefix still win, and a path that a
     * route matches for another method is a 405, not the fallback. Without its own fallback, unknown
     * paths under the prefix go to this router's fallback, or 404.
     *
     * @param prefix the path the routes go under, starting with {@code /}
     * @param router the routes; copied, so later changes to it are not seen
     * @return this router
     * @throws IllegalArgumentException if {@code prefix} is {@code /} (use {@link #merge}), ends with {@code /}, or
     *     holds a catch-all
     */
    Router nest(String prefix, Router router);

    /**
     * Adds the routes of {@code router} as they are now. Its fallbacks, its own and those of routers
     * nested in it, replace this one's for the same prefix.
     *
     * @param router the routes; copied, so later changes to it are not seen
     * @return this router
     */
    Router merge(Router router);

    /**
     * Answers paths no route matches, instead of the default 404.
     *
     * @param handler answers every unmatched path, for every method
     * @return this router
     */
    Router fallback(Handler handler);

    /**
     * Wraps every route added so far, and the fallback, in {@code middleware}, as axum's {@code
     * Router::layer}. Routes added later are not wrapped. Route middleware sees the matched path
     * parameters; for middleware around everything, including 404s, wrap the built handler instead.
     *
     * @param middleware the layer, applied to each route's handler separately
     * @return this router
     */
    Router layer(Middleware middleware);

    /**
     * Checks the routes and compiles them into a thread-safe handler.
     *
     * @return the handler; the router may be changed afterwards without affecting it
     * @throws IllegalArgumentException if two routes have the same method and path shape; the message names both
     */
    Handler build();
}
