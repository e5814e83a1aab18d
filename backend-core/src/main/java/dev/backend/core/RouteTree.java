package dev.backend.core;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The compiled routes: a tree with one level per path segment. A lookup walks the request path once,
 * comparing segments in place, trying literal children before the parameter child before the catch-all,
 * and backing up when a branch dead-ends (so {@code /users/me/posts} still reaches {@code
 * /users/{id}/posts} when {@code /users/me} exists).
 */
final class RouteTree {

    /** A handler bound to the template it was registered with. */
    record Route(String method, RouteTemplate template, String[] paramNames, Handler handler) {}

    static final class Node {
        private final Map<String, Node> literals = new HashMap<>(4);
        private Node param;
        private String paramName;
        private String paramOwner;
        private Node catchAll;
        private String catchAllName;
        private String catchAllOwner;
        private final Map<String, Route> routes = new LinkedHashMap<>(4);
        private Handler fallback;
        private Set<String> allowed;
        /**
         * Frozen copies of {@code literals} and {@code routes} for look-ups: a node has a few children and
         * methods, and comparing them in place costs less than hashing a substring of the path, or the method,
         * for a map.
         */
        private String[] literalTexts = NO_TEXTS;
        private Node[] literalNodes;
        private String[] methodNames = NO_TEXTS;
        private Route[] methodRoutes;

        /** The route for {@code method}; HEAD falls back to GET. */
        Route route(String method) {
            Route route = routeFor(method);
            return route == null && method.equals("HEAD") ? routeFor("GET") : route;
        }

        private Route routeFor(String method) {
            String[] names = methodNames;
            for (int i = 0; i < names.length; i++) {
                if (names[i].equals(method)) {
                    return methodRoutes[i];
                }
            }
            return null;
        }

        Set<String> allowed() {
            return allowed;
        }

        private Node literal(String path, int start, int end) {
            String[] texts = literalTexts;
            if (texts.length > SCAN_LITERALS) {
                return literals.get(path.substring(start, end));
            }
            int length = end - start;
            for (int i = 0; i < texts.length; i++) {
                String text = texts[i];
                if (text.length() == length && path.startsWith(text, start)) {
                    return literalNodes[i];
                }
            }
            return null;
        }

        private void freeze() {
            literalTexts = literals.keySet().toArray(NO_TEXTS);
            literalNodes = literals.values().toArray(new Node[0]);
            methodNames = routes.keySet().toArray(NO_TEXTS);
            methodRoutes = routes.values().toArray(new Route[0]);
            if (!routes.isEmpty()) {
                Set<String> methods = new TreeSet<>(routes.keySet());
                if (methods.contains("GET")) {
                    methods.add("HEAD");
                }
                allowed = Set.copyOf(methods);
            }
            literals.values().forEach(Node::freeze);
            if (param != null) {
                param.freeze();
            }
            if (catchAll != null) {
                catchAll.freeze();
            }
        }
    }

    /**
     * A successful path lookup: a node with routes and the parameter values in path order, or the
     * fallback of the nested router whose prefix the path is under.
     */
    record Match(Node node, String[] values, Handler fallback) {}

    private static final String[] NO_VALUES = {};
    private static final String[] NO_TEXTS = {};
    /**
     * The most literal children a node compares one by one; a node with more looks the segment up by hash, so a
     * look-up costs the same however many routes there are.
     */
    private static final int SCAN_LITERALS = 8;

    private final Node root = new Node();
    /** The most parameters any path through the tree can capture: sizes the capture array. */
    private int maxParams;

    void add(Route route) {
        Node node = descend(route.template());
        Route existing = node.routes.putIfAbsent(route.method(), route);
        if (existing != null) {
            throw new IllegalStateException("route conflict: " + route.method() + " " + route.template()
                    + " and " + existing.method() + " " + existing.template() + " match the same requests");
        }
    }

    void addFallback(RouteTemplate prefix, Handler fallback) {
        // "/" parses as one empty segment (the path "/"), but as a prefix it means every path.
        Node node = prefix.text().equals("/") ? root : descend(prefix);
        if (node.fallback != null) {
            throw new IllegalStateException("two fallbacks for paths under " + prefix);
        }
        node.fallback = fallback;
    }

    void freeze() {
        root.freeze();
    }

    private Node descend(RouteTemplate template) {
        maxParams = Math.max(maxParams, template.paramNames().length);
        Node node = root;
        for (RouteTemplate.Segment segment : template.segments()) {
            node = switch (segment) {
                case RouteTemplate.Literal l -> node.literals.computeIfAbsent(l.text(), k -> new Node());
                case RouteTemplate.Param p -> {
                    if (node.param == null) {
                        node.param = new Node();
                        node.paramName = p.name();
                        node.paramOwner = template.text();
                    } else if (!node.paramName.equals(p.name())) {
                        throw new IllegalStateException("route conflict: " + template + " names a parameter {"
                                + p.name() + "} where " + node.paramOwner + " has {" + node.paramName
                                + "}; parameters at the same position must have the same name");
                    }
                    yield node.param;
                }
                case RouteTemplate.CatchAll c -> {
                    if (node.catchAll == null) {
                        node.catchAll = new Node();
                        node.catchAllName = c.name();
                        node.catchAllOwner = template.text();
                    } else if (!node.catchAllName.equals(c.name())) {
                        throw new IllegalStateException("route conflict: " + template + " names a catch-all {*"
                                + c.name() + "} where " + node.catchAllOwner + " has {*" + node.catchAllName + "}");
                    }
                    yield node.catchAll;
                }
            };
        }
        return node;
    }

    /**
     * What {@code path} reaches, or {@code null} (a 404). {@code path} is a {@link Percent#canonicalPath},
     * so literals compare with decoded text and values come out decoded.
     *
     * <p>A nested router's fallback takes part in the walk as a catch-all of the lowest rank at its prefix,
     * matching the prefix itself too: it answers every path under the prefix that no route under the
     * prefix matches, so an outer parameter route such as {@code /{name}/{version}} cannot take {@code
     * /api/foo} from the fallback of a router nested at {@code /api} (axum #3138). A more specific route
     * under the prefix still wins, as literals do over parameters. The root fallback is the last resort.
     */
    Match find(String path) {
        Walk walk = new Walk(path, maxParams);
        Node node = walk.find(root, 1);
        if (node == null) {
            return null;
        }
        if (walk.fallback) {
            return new Match(node, NO_VALUES, node.fallback);
        }
        String[] values = new String[walk.count / 2];
        for (int i = 0; i < values.length; i++) {
            values[i] = Percent.fromCanonical(path.substring(walk.captures[2 * i], walk.captures[2 * i + 1]));
        }
        return new Match(node, values, null);
    }

    /** One lookup: the path, the parameter spans captured so far, and whether a fallback answered. */
    private static final class Walk {
        private final String path;
        private final int[] captures;
        private int count;
        private boolean fallback;

        Walk(String path, int maxParams) {
            this.path = path;
            this.captures = new int[2 * maxParams];
        }

        Node find(Node node, int start) {
            int slash = path.indexOf('/', start);
            int end = slash < 0 ? path.length() : slash;
            boolean last = slash < 0;

            Node literal = node.literal(path, start, end);
            if (literal != null) {
                Node found = last ? exactly(literal) : find(literal, end + 1);
                if (found != null) {
                    return found;
                }
            }
            if (node.param != null && end > start) {
                int mark = count;
                push(start, end);
                Node found = last ? exactly(node.param) : find(node.param, end + 1);
                if (found != null) {
                    return found;
                }
                count = mark;
            }
            if (node.catchAll != null && start < path.length() && !node.catchAll.routes.isEmpty()) {
                push(start, path.length());
                return node.catchAll;
            }
            return fallbackOf(node);
        }

        /** The node a path ends at: its routes, or else its fallback (the path is a nested prefix). */
        private Node exactly(Node node) {
            return node.routes.isEmpty() ? fallbackOf(node) : node;
        }

        private Node fallbackOf(Node node) {
            if (node.fallback == null) {
                return null;
            }
            fallback = true;
            return node;
        }

        private void push(int start, int end) {
            captures[count++] = start;
            captures[count++] = end;
        }
    }
}
