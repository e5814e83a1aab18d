package dev.backend.core.middleware;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Field names whose meaning a standard defines, refused as the request id's header ({@link Trace.Config}): the id is
 * read from the request's field and written over the response's, so {@code Content-Type} as the id's header would
 * make every answer's media type a UUID, {@code Location} redirect to it, {@code Date} date it.
 *
 * <p>Refused are every field of HTTP's core specifications (the registrations of RFC 9110 section 18.4, RFC 9111
 * section 5 and RFC 9112), and those of other standards that browsers, caches or this library act on: cookies,
 * {@code Origin}, CORS's {@code Access-Control-*} and the browser-only {@code Sec-*}, {@code Link}, {@code
 * Content-Disposition}, {@code Forwarded}, {@code tracestate} and the security headers. Any other name may carry the
 * id ({@code X-Request-Id}, {@code X-Correlation-Id}, {@code Request-Id}), and so may {@code traceparent}, which
 * {@link Trace} handles as a case of its own.
 */
final class ReservedFields {

    private static final String CONNECTION = "it frames the message or controls the connection";

    /** Lower-cased name to why and where, such as "it is representation metadata (RFC 9110 section 8.3)". */
    private static final Map<String, String> NAMES = new HashMap<>();
    /** Lower-cased prefix to why and where. */
    private static final Map<String, String> PREFIXES = Map.of(
            "access-control-", "it belongs to the CORS protocol (Fetch standard, CORS protocol)",
            "sec-", "browsers set it themselves (Fetch standard, forbidden request-header)");

    static {
        // RFC 9110 section 7.6.1 and RFC 9112: a wrong value changes where the message ends or what the connection
        // does, the worst of them.
        add(CONNECTION, "RFC 9110 section 7.6.1", "Connection");
        add(CONNECTION, "RFC 9110 section 8.6", "Content-Length");
        add(CONNECTION, "RFC 9110 section 7.2", "Host");
        add(CONNECTION, "RFC 9110 section 10.1.4", "TE");
        add(CONNECTION, "RFC 9110 section 6.6.2", "Trailer");
        add(CONNECTION, "RFC 9110 section 7.8", "Upgrade");
        add(CONNECTION, "RFC 9112 section 6.1", "Transfer-Encoding");
        add(CONNECTION, "RFC 9112 appendix C.2.2", "Proxy-Connection");
        add(CONNECTION, "RFC 2068 section 19.7.1", "Keep-Alive");
        add(CONNECTION, "reserved, RFC 9110 section 18.4", "Close");
        // RFC 9110 section 8: what the content is.
        add("it is representation metadata", "RFC 9110 section 8.3", "Content-Type");
        add("it is representation metadata", "RFC 9110 section 8.4", "Content-Encoding");
        add("it is representation metadata", "RFC 9110 section 8.5", "Content-Language");
        add("it is representation metadata", "RFC 9110 section 8.7", "Content-Location");
        add("it is representation metadata", "RFC 9110 section 8.8.2", "Last-Modified");
        add("it is representation metadata", "RFC 9110 section 8.8.3", "ETag");
        add("it is representation metadata", "RFC 9110 section 14.4", "Content-Range");
        add("it is representation metadata", "RFC 6266 section 4", "Content-Disposition");
        // RFC 9110 sections 10 to 14: what the request asks and what the answer means.
        add("it is request context", "RFC 9110 section 10.1", "Expect", "From", "Referer", "User-Agent");
        add("it is response context", "RFC 9110 section 10.2", "Allow", "Location", "Retry-After", "Server");
        add("it controls forwarding", "RFC 9110 section 7.6", "Max-Forwards", "Via");
        add("it is the message's origination date", "RFC 9110 section 6.6.1", "Date");
        add("it carries authentication", "RFC 9110 section 11", "Authorization", "WWW-Authenticate",
                "Authentication-Info", "Proxy-Authorization", "Proxy-Authenticate", "Proxy-Authentication-Info");
        add("it makes the request conditional", "RFC 9110 section 13.1", "If-Match", "If-None-Match",
                "If-Modified-Since", "If-Unmodified-Since", "If-Range");
        add("it negotiates the content", "RFC 9110 section 12.5", "Accept", "Accept-Charset", "Accept-Encoding",
                "Accept-Language", "Vary");
        add("it asks for or offers ranges", "RFC 9110 section 14", "Range", "Accept-Ranges");
        // RFC 9111 section 5.
        add("it controls caching", "RFC 9111 section 5", "Age", "Cache-Control", "Expires", "Pragma", "Warning");
        // Other standards that browsers, proxies or this library act on.
        add("it carries cookies", "RFC 6265 section 4", "Cookie", "Set-Cookie");
        add("it names the requesting origin", "RFC 6454 section 7", "Origin");
        add("it links other resources", "RFC 8288 section 3", "Link");
        add("it carries the client's addresses", "RFC 7239 section 4", "Forwarded");
        add("it is W3C Trace Context's", "Trace Context section 3.3", "tracestate");
        add("browsers enforce it", "RFC 6797 section 6.1", "Strict-Transport-Security");
        add("browsers enforce it", "Content Security Policy Level 3", "Content-Security-Policy");
        add("browsers enforce it", "RFC 7034", "X-Frame-Options");
        add("browsers enforce it", "Fetch standard", "X-Content-Type-Options");
        add("browsers enforce it", "Referrer Policy section 4.1", "Referrer-Policy");
    }

    private ReservedFields() {}

    private static void add(String why, String where, String... names) {
        for (String name : List.of(names)) {
            NAMES.put(HttpText.lower(name), why + " (" + where + ")");
        }
    }

    /** Why {@code name} cannot carry the id, with the standard that defines it; empty when it can. */
    static Optional<String> reason(String name) {
        String lower = HttpText.lower(name);
        String why = NAMES.get(lower);
        if (why != null) {
            return Optional.of(why);
        }
        return PREFIXES.entrySet().stream().filter(p -> lower.startsWith(p.getKey())).map(Map.Entry::getValue)
                .findFirst();
    }
}
