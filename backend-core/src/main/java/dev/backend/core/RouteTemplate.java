package dev.backend.core;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** A parsed path template: {@code /users/{id}/files/{*path}}. Validated when a route is added. */
record RouteTemplate(String text, List<Segment> segments) {

    sealed interface Segment {}

    /** Matches a request segment whose percent-decoded text is exactly this text. */
    record Literal(String text) implements Segment {}

    /** Matches one non-empty segment. */
    record Param(String name) implements Segment {}

    /** Matches the rest of the path, at least one character. */
    record CatchAll(String name) implements Segment {}

    RouteTemplate {
        segments = List.copyOf(segments);
    }

    static RouteTemplate parse(String text) {
        if (text == null || !text.startsWith("/")) {
            throw new IllegalArgumentException("route path must start with '/', was '" + text + "'");
        }
        if (text.indexOf('?') >= 0 || text.indexOf('#') >= 0) {
            throw new IllegalArgumentException("route path must not contain '?' or '#': '" + text + "'");
        }
        List<Segment> segments = new ArrayList<>();
        Set<String> names = new HashSet<>();
        String[] parts = text.substring(1).split("/", -1);
        for (int i = 0; i < parts.length; i++) {
            String part = parts[i];
            Segment segment = segment(text, part);
            String name = switch (segment) {
                case Literal l -> null;
                case Param p -> p.name();
                case CatchAll c -> {
                    if (i != parts.length - 1) {
                        throw new IllegalArgumentException("catch-all {*" + c.name() + "} must be the last segment in '"
                                + text + "'");
                    }
                    yield c.name();
                }
            };
            if (name != null && !names.add(name)) {
                throw new IllegalArgumentException("parameter '" + name + "' appears twice in '" + text + "'");
            }
            segments.add(segment);
        }
        return new RouteTemplate(text, segments);
    }

    private static Segment segment(String template, String part) {
        boolean braced = part.startsWith("{") && part.endsWith("}") && part.length() >= 2;
        if (!braced) {
            if (part.indexOf('{') >= 0 || part.indexOf('}') >= 0) {
                throw new IllegalArgumentException("a parameter must be a whole segment, like /{id}, in '" + template + "'");
            }
            if (part.indexOf('%') >= 0) {
                // Requests are matched decoded, so "/caf%C3%A9" would be ambiguous: "/café" or a literal '%'?
                throw new IllegalArgumentException("route paths are matched decoded: write characters as"
                        + " themselves, not percent-encoded, in '" + template + "'");
            }
            if (part.equals(".") || part.equals("..")) {
                throw new IllegalArgumentException("'.' and '..' segments can never match (requests with them are"
                        + " refused): '" + template + "'");
            }
            return new Literal(part);
        }
        String inner = part.substring(1, part.length() - 1);
        boolean catchAll = inner.startsWith("*");
        String name = catchAll ? inner.substring(1) : inner;
        if (!isIdentifier(name)) {
            throw new IllegalArgumentException("bad parameter name '" + name + "' in '" + template
                    + "': use letters, digits and '_', not starting with a digit");
        }
        return catchAll ? new CatchAll(name) : new Param(name);
    }

    private static boolean isIdentifier(String name) {
        if (name.isEmpty() || Character.isDigit(name.charAt(0))) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (!(c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) {
                return false;
            }
        }
        return true;
    }

    /** This template under {@code prefix}; the root template "/" becomes the prefix itself. */
    RouteTemplate under(RouteTemplate prefix) {
        if (prefix.text.equals("/")) {
            return this;
        }
        return parse(text.equals("/") ? prefix.text : prefix.text + text);
    }

    /** The parameter names in path order. */
    String[] paramNames() {
        return segments.stream()
                .map(s -> switch (s) {
                    case Literal l -> null;
                    case Param p -> p.name();
                    case CatchAll c -> c.name();
                })
                .filter(n -> n != null)
                .toArray(String[]::new);
    }

    @Override
    public String toString() {
        return text;
    }
}
