package dev.backend.core.middleware;

import java.util.Locale;

/**
 * The origins {@link Cors.Config} is given, checked and written as browsers send them in {@code Origin}: RFC 6454
 * section 6.2 serialises an origin without its scheme's default port, so {@code https://app.example.com:443} would
 * never match a browser. It becomes {@code https://app.example.com}, as in Helidon (#12190) and WildFly
 * (WFCORE-536), rather than being refused: the operator's meaning is plain, and such entries worked in versions of
 * those servers people move from.
 */
final class Origins {

    private static final String EXPECTED = "expected scheme://host[:port] such as https://app.example.com, "
            + "https://*.example.com or *";

    private Origins() {}

    /**
     * {@code origin} trimmed, lower-cased, and with the scheme's default port ({@code http} 80, {@code https} 443)
     * and any leading zeros of the port dropped; {@code *} as it is.
     *
     * @throws IllegalArgumentException naming the origin, if it is not {@code scheme://host[:port]} with at most one
     *     {@code *} for whole leading host labels or the port, or its wildcard spans a whole top-level domain
     */
    static String canonical(String origin) {
        String o = origin.trim().toLowerCase(Locale.ROOT);
        if (o.equals("*")) {
            return o;
        }
        int scheme = o.indexOf("://");
        String problem = scheme <= 0 ? "no scheme" : problem(o.substring(scheme + 3));
        if (problem != null) {
            throw new IllegalArgumentException("origins: '" + o + "' is not an origin (" + problem + "); " + EXPECTED);
        }
        String hostPort = o.substring(scheme + 3);
        int colon = portColon(hostPort);
        String host = colon < 0 ? hostPort : hostPort.substring(0, colon);
        if (host.startsWith("*.") && host.indexOf('.', 2) < 0) {
            throw new IllegalArgumentException("origins: '" + o + "' allows every site under '" + host.substring(1)
                    + "': a wildcard must stand for labels under a domain of at least two, such as "
                    + "https://*.example.com; list the origins otherwise");
        }
        if (colon < 0 || hostPort.endsWith(":*")) {
            return o;
        }
        int port = Integer.parseInt(hostPort.substring(colon + 1));
        String prefix = o.substring(0, scheme + 3) + host;
        return port == defaultPort(o.substring(0, scheme)) ? prefix : prefix + ":" + port;
    }

    /**
     * A request's {@code Origin} without an explicit default port, which browsers never send but other clients
     * may; {@code origin} itself otherwise.
     */
    static String withoutDefaultPort(String origin) {
        if (origin.startsWith("https://") && origin.endsWith(":443")) {
            return origin.substring(0, origin.length() - 4);
        } else if (origin.startsWith("http://") && origin.endsWith(":80")) {
            return origin.substring(0, origin.length() - 3);
        }
        return origin;
    }

    private static int defaultPort(String scheme) {
        return switch (scheme) {
            case "http" -> 80;
            case "https" -> 443;
            default -> -1;
        };
    }

    /** What is wrong with the part after {@code scheme://}, or null. */
    private static String problem(String hostPort) {
        if (hostPort.isEmpty()) {
            return "no host";
        }
        if (hostPort.indexOf('/') >= 0 || hostPort.indexOf('?') >= 0 || hostPort.indexOf('#') >= 0) {
            return "an origin has no path, not even a trailing '/'";
        }
        for (int i = 0; i < hostPort.length(); i++) {
            char c = hostPort.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == ':'
                    || c == '*' || c == '[' || c == ']';
            if (!ok) {
                return "unexpected character '" + c + "'";
            }
        }
        int star = hostPort.indexOf('*');
        if (star >= 0) {
            if (hostPort.indexOf('*', star + 1) >= 0) {
                return "more than one '*'";
            }
            boolean labels = star == 0 && hostPort.length() > 2 && hostPort.charAt(1) == '.';
            boolean port = hostPort.endsWith(":*") && star == hostPort.length() - 1 && star > 1;
            if (!labels && !port) {
                return "'*' must stand for whole leading host labels ('*.example.com') or the port ('host:*')";
            }
        }
        int colon = portColon(hostPort);
        if (colon == -2) {
            return "an IPv6 address must be in [...], with the port after it";
        }
        if (colon == 0 || hostPort.startsWith("[]")) {
            return "no host";
        }
        if (colon > 0 && !hostPort.endsWith(":*") && !isPort(hostPort.substring(colon + 1))) {
            return "the port must be a number from 0 to 65535, or '*'";
        }
        return null;
    }

    /**
     * Where the port's {@code :} is in {@code host[:port]}: -1 for none, -2 when the host is not one name or one
     * {@code [...]} IPv6 address.
     */
    private static int portColon(String hostPort) {
        if (hostPort.startsWith("[")) {
            int close = hostPort.indexOf(']');
            boolean oneAddress = close > 0 && hostPort.indexOf('[', 1) < 0 && hostPort.indexOf(']', close + 1) < 0;
            if (!oneAddress || (close + 1 < hostPort.length() && hostPort.charAt(close + 1) != ':')) {
                return -2;
            }
            return close + 1 < hostPort.length() ? close + 1 : -1;
        }
        int colon = hostPort.indexOf(':');
        boolean brackets = hostPort.indexOf('[') >= 0 || hostPort.indexOf(']') >= 0;
        return brackets || (colon >= 0 && hostPort.indexOf(':', colon + 1) >= 0) ? -2 : colon;
    }

    /** 1 to 5 ASCII digits (leading zeros allowed, as URL parsers allow them), 0 to 65535. */
    private static boolean isPort(String digits) {
        if (digits.isEmpty() || digits.length() > 5) {
            return false;
        }
        for (int i = 0; i < digits.length(); i++) {
            if (digits.charAt(i) < '0' || digits.charAt(i) > '9') {
                return false;
            }
        }
        return Integer.parseInt(digits) <= 65535;
    }
}
