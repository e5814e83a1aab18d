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

        /** The route for {@code method}; HEAD falls back to GET. */
        Route route(String method) {
            Route route = routes.get(method);
            return route == null && method.equals("HEAD") ? routes.get("GET") : route;
        }

        Set<String> allowed() {
            return allowed;
        }

        private Node literal(String path, int start, int end) {
            if (literals.isEmpty()) {
                return null;
            }
            return literals.get(path.substring(start, end));
        }

        private void freeze() {
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

    /** A successful path lookup: the node and the parameter values in path order. */
    record Match(Node node, String[] values) {}

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
     * The node with routes that {@code path} reaches, or {@code null}. {@code path} is a {@link
     * Percent#canonicalPath}, so literals compare with decoded text and values come out decoded.
     */
    Match find(String path) {
        int[] captures = new int[2 * maxParams];
        int[] count = {0};
        Node node = find(root, path, 1, captures, count);
        if (node == null) {
            return null;
        }
        String[] values = new String[count[0] / 2];
        for (int i = 0; i < values.length; i++) {
            values[i] = Percent.fromCanonical(path.substring(captures[2 * i], captures[2 * i + 1]));
        }
        return new Match(node, values);
    }

    private static Node find(Node node, String path, int start, int[] captures, int[] count) {
        int slash = path.indexOf('/', start);
        int end = slash < 0 ? path.length() : slash;
        boolean last = slash < 0;

        Node literal = node.literal(path, start, end);
        if (literal != null) {
            Node found = last ? withRoutes(literal) : find(literal, path, end + 1, captures, count);
            if (found != null) {
                return found;
            }
        }
        if (node.param != null && end > start) {
            int mark = count[0];
            push(captures, count, start, end);
            Node found = last ? withRoutes(node.param) : find(node.param, path, end + 1, captures, count);
            if (found != null) {
                return found;
            }
            count[0] = mark;
        }
        if (node.catchAll != null && start < path.length() && !node.catchAll.routes.isEmpty()) {
            push(captures, count, start, path.length());
            return node.catchAll;
        }
        return null;
    }

    private static Node withRoutes(Node node) {
        return node.routes.isEmpty() ? null : node;
    }

    private static void push(int[] captures, int[] count, int start, int end) {
        captures[count[0]++] = start;
        captures[count[0]++] = end;
    }

    /** The fallback of the deepest nested router whose prefix {@code path} starts with, or {@code null}. */
    Handler fallbackFor(String path) {
        Node node = root;
        Handler best = root.fallback;
        int start = 1;
        while (node != null && start <= path.length()) {
            int slash = path.indexOf('/', start);
            int end = slash < 0 ? path.length() : slash;
            Node next = node.literal(path, start, end);
            if (next == null && end > start) {
                next = node.param;
            }
            if (next != null && next.fallback != null) {
                best = next.fallback;
            }
            node = next;
            start = end + 1;
        }
        return best;
    }
}
