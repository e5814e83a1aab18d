package dev.backend.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/** The {@link Router} builder: collects route definitions, compiles them into a {@link RouteTree}. */
final class DefaultRouter implements Router {

    /** A fallback answering unknown paths under {@code prefix}. */
    private record Fallback(RouteTemplate prefix, Handler handler) {}

    private final List<RouteTree.Route> routes = new ArrayList<>();
    private final List<Fallback> fallbacks = new ArrayList<>();

    @Override
    public Router route(String method, String path, Handler handler) {
        Objects.requireNonNull(handler, "handler");
        RouteTemplate template = RouteTemplate.parse(path);
        routes.add(new RouteTree.Route(checkMethod(method), template, template.paramNames(), handler));
        return this;
    }

    @Override
    public Router nest(String prefix, Router router) {
        RouteTemplate base = RouteTemplate.parse(prefix);
        if (prefix.equals("/")) {
            // Its fallback would be a second root fallback: merge says which one wins, nest cannot.
            throw new IllegalArgumentException("nest at '/' is merge: use merge(router)");
        }
        if (prefix.endsWith("/")) {
            throw new IllegalArgumentException("nest prefix must not end with '/': '" + prefix + "'");
        }
        if (base.segments().stream().anyMatch(s -> s instanceof RouteTemplate.CatchAll)) {
            throw new IllegalArgumentException("nest prefix must not contain a catch-all: '" + prefix + "'");
        }
        DefaultRouter other = (DefaultRouter) router;
        for (RouteTree.Route route : other.routes) {
            RouteTemplate template = route.template().under(base);
            routes.add(new RouteTree.Route(route.method(), template, template.paramNames(), route.handler()));
        }
        for (Fallback fallback : other.fallbacks) {
            fallbacks.add(new Fallback(fallback.prefix().under(base), fallback.handler()));
        }
        return this;
    }

    @Override
    public Router merge(Router router) {
        DefaultRouter other = (DefaultRouter) router;
        routes.addAll(other.routes);
        for (Fallback fallback : other.fallbacks) {
            fallbacks.removeIf(f -> f.prefix().text().equals(fallback.prefix().text()));
            fallbacks.add(fallback);
        }
        return this;
    }

    @Override
    public Router fallback(Handler handler) {
        Objects.requireNonNull(handler, "handler");
        fallbacks.removeIf(f -> f.prefix().text().equals("/"));
        fallbacks.add(new Fallback(RouteTemplate.parse("/"), handler));
        return this;
    }

    @Override
    public Router layer(Middleware middleware) {
        Objects.requireNonNull(middleware, "middleware");
        routes.replaceAll(r -> new RouteTree.Route(r.method(), r.template(), r.paramNames(), middleware.wrap(r.handler())));
        fallbacks.replaceAll(f -> new Fallback(f.prefix(), middleware.wrap(f.handler())));
        return this;
    }

    @Override
    public Handler build() {
        RouteTree tree = new RouteTree();
        routes.forEach(tree::add);
        fallbacks.forEach(f -> tree.addFallback(f.prefix(), f.handler()));
        tree.freeze();
        return new Routing(tree);
    }

    private static String checkMethod(String method) {
        Objects.requireNonNull(method, "method");
        if (method.isEmpty() || !method.equals(method.toUpperCase(Locale.ROOT))
                || !method.chars().allMatch(c -> c >= 'A' && c <= 'Z' || c == '-' || c == '_')) {
            throw new IllegalArgumentException("method must be an upper-case token such as GET, was '" + method + "'");
        }
        return method;
    }

    /** The compiled router: thread-safe, never throws, answers 404 and 405 itself. */
    private record Routing(RouteTree tree) implements Handler {
        @Override
        public Response handle(Request request) {
            String path;
            try {
                path = Percent.canonicalPath(request.path());
            } catch (AppException e) {
                return e.error().toResponse();
            }
            RouteTree.Match match = tree.find(path);
            if (match == null) {
                return AppError.notFound("No route for " + request.method() + " " + truncate(request.path())).toResponse();
            }
            if (match.fallback() != null) {
                return Handler.respond(match.fallback(), request);
            }
            RouteTree.Route route = match.node().route(request.method());
            if (route == null) {
                return new AppError.MethodNotAllowed("Method " + request.method() + " is not allowed for "
                        + truncate(request.path()), match.node().allowed()).toResponse();
            }
            request.route(route.template().text(), route.paramNames(), match.values());
            return Handler.respond(route.handler(), request);
        }

        private static String truncate(String path) {
            return path.length() <= 200 ? path : path.substring(0, 200) + "...";
        }
    }
}
