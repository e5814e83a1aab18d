package dev.backend.core.middleware;

import dev.backend.core.Handler;
import dev.backend.core.Middleware;
import dev.backend.core.Request;
import dev.backend.core.Response;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * Cross-origin resource sharing, like tower-http's {@code CorsLayer}: which browser origins may call the
 * API, with which methods and headers.
 *
 * <ul>
 *   <li>A preflight ({@code OPTIONS} with {@code Origin} and {@code Access-Control-Request-Method}) is
 *       answered here with 204: the allowed methods, headers, max-age and credentials flag for an allowed
 *       origin; no CORS headers at all for another origin, so the browser blocks the call.
 *   <li>Any other request goes on to the handler; if its origin is allowed, the response gets {@code
 *       Access-Control-Allow-Origin} (and the credentials and expose headers), otherwise nothing.
 *   <li>{@code Vary: Origin} (plus the request-method and request-headers names on preflights) is sent
 *       whenever the answer depends on the origin, so shared caches keep one copy per origin.
 * </ul>
 *
 * <p>Origins are exact ({@code https://app.example.com}), {@code *} for any, or a pattern with one
 * wildcard standing for whole host labels under a domain of at least two ({@code https://*.example.com}, which
 * does not match {@code https://example.com}; {@code https://*.com} is refused) or for the port ({@code
 * http://localhost:*}, which matches {@code http://localhost} too). They are compared as browsers serialise them
 * (RFC 6454 section 6.2), without the scheme's default port: {@code https://app.example.com:443} is configured as
 * {@code https://app.example.com}, and a request's explicit {@code :443} is ignored. Matching is a set lookup and
 * a prefix and suffix test per pattern: no regex per request.
 *
 * {@snippet :
 * Middleware cors = Cors.of(Cors.Config.origins("https://app.example.com", "https://*.example.com")
 *         .withCredentials(true)
 *         .withMaxAge(Duration.ofHours(1)));
 * }
 */
public final class Cors implements Middleware {

    /**
     * What is allowed. Validated when built: a malformed origin, a wildcard over a whole top-level domain
     * ({@code https://*.com}), a method or header that is not an HTTP token, a negative max-age and credentials
     * with the origin {@code *} (which browsers refuse) are rejected with a message naming the field.
     *
     * @param origins allowed origins: exact, {@code *}, or patterns; at least one
     * @param methods methods allowed on cross-origin requests
     * @param headers request headers allowed, or {@code *} for any
     * @param exposedHeaders response headers scripts may read beyond the safelisted ones
     * @param maxAge how long browsers may cache a preflight answer
     * @param credentials whether cookies and {@code Authorization} may be sent cross-origin
     */
    public record Config(List<String> origins, List<String> methods, List<String> headers, List<String> exposedHeaders,
            Duration maxAge, boolean credentials) {

        /**
         * Normalises and checks the settings: origins are trimmed, lower-cased and written without their scheme's
         * default port ({@code https://app.example.com:443} is {@code https://app.example.com}, as browsers send it,
         * RFC 6454 section 6.2), methods upper-cased.
         *
         * @throws NullPointerException if a component is null
         * @throws IllegalArgumentException naming the field, for the cases listed above
         */
        public Config {
            origins = origins.stream().map(Origins::canonical).toList();
            if (origins.isEmpty()) {
                throw new IllegalArgumentException("origins: at least one origin is required");
            }
            methods = HttpText.tokens("methods", methods).stream().map(m -> m.toUpperCase(Locale.ROOT)).toList();
            if (methods.isEmpty()) {
                throw new IllegalArgumentException("methods: at least one method is required");
            }
            headers = HttpText.tokens("headers", headers);
            exposedHeaders = HttpText.tokens("exposedHeaders", exposedHeaders);
            Objects.requireNonNull(maxAge, "maxAge");
            if (maxAge.isNegative()) {
                throw new IllegalArgumentException("maxAge must not be negative, was " + maxAge.toSeconds() + "s");
            }
            if (credentials && origins.contains("*")) {
                throw new IllegalArgumentException("credentials cannot be allowed for any origin ('*'): browsers "
                        + "reject that combination; list the allowed origins instead");
            }
            if (credentials && (methods.contains("*") || exposedHeaders.contains("*"))) {
                throw new IllegalArgumentException("credentials cannot be combined with '*' in methods or "
                        + "exposedHeaders: browsers read it literally on credentialed requests; list the names");
            }
        }

        /**
         * These origins with the defaults: methods GET, HEAD, POST, PUT, PATCH, DELETE; headers {@code
         * Content-Type} and {@code Authorization}; {@code X-Request-Id} exposed; max-age 10 minutes; no
         * credentials.
         *
         * @param origins allowed origins: exact, {@code *}, or patterns; at least one
         * @return the settings
         * @throws IllegalArgumentException if no origin is given or one is malformed
         */
        public static Config origins(String... origins) {
            return origins(List.of(origins));
        }

        /**
         * As {@link #origins(String...)}.
         *
         * @param origins allowed origins: exact, {@code *}, or patterns; at least one
         * @return the settings
         * @throws IllegalArgumentException if no origin is given or one is malformed
         */
        public static Config origins(List<String> origins) {
            return new Config(origins, List.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"),
                    List.of("Content-Type", "Authorization"), List.of("X-Request-Id"), Duration.ofMinutes(10), false);
        }

        /**
         * A copy allowing these methods.
         *
         * @param methods the methods, sent in {@code Access-Control-Allow-Methods}; HTTP tokens, at least one
         * @return the copy
         * @throws IllegalArgumentException if a method is not a token (RFC 9110 section 5.6.2) or none is given
         */
        public Config withMethods(List<String> methods) {
            return new Config(origins, methods, headers, exposedHeaders, maxAge, credentials);
        }

        /**
         * A copy allowing these request headers ({@code *} for any).
         *
         * @param headers the request headers, sent in {@code Access-Control-Allow-Headers}; header names, or {@code *}
         * @return the copy
         * @throws IllegalArgumentException if a name is not a token
         */
        public Config withHeaders(List<String> headers) {
            return new Config(origins, methods, headers, exposedHeaders, maxAge, credentials);
        }

        /**
         * A copy exposing these response headers to scripts.
         *
         * @param exposedHeaders header names sent in {@code Access-Control-Expose-Headers}
         * @return the copy
         * @throws IllegalArgumentException if a name is not a token
         */
        public Config withExposedHeaders(List<String> exposedHeaders) {
            return new Config(origins, methods, headers, exposedHeaders, maxAge, credentials);
        }

        /**
         * A copy with another preflight cache time.
         *
         * @param maxAge how long browsers may cache a preflight answer, sent in whole seconds as {@code
         *     Access-Control-Max-Age}; browsers cap it (Chromium at 2 hours)
         * @return the copy
         * @throws IllegalArgumentException if {@code maxAge} is negative
         */
        public Config withMaxAge(Duration maxAge) {
            return new Config(origins, methods, headers, exposedHeaders, maxAge, credentials);
        }

        /**
         * A copy allowing or refusing credentials.
         *
         * @param credentials whether to send {@code Access-Control-Allow-Credentials: true}
         * @return the copy
         * @throws IllegalArgumentException if credentials are allowed with the origin {@code *}
         */
        public Config withCredentials(boolean credentials) {
            return new Config(origins, methods, headers, exposedHeaders, maxAge, credentials);
        }
    }

    /** One wildcard origin, split around its {@code *}. */
    private record Pattern(String prefix, String suffix, boolean port) {
        boolean matches(String origin) {
            if (port && origin.length() == prefix.length() - 1 && prefix.startsWith(origin)) {
                return true; // host:* takes the default port too, which an Origin leaves out
            }
            int middle = origin.length() - prefix.length() - suffix.length();
            if (middle <= 0 || !origin.startsWith(prefix) || !origin.endsWith(suffix)) {
                return false;
            }
            for (int i = prefix.length(), end = i + middle; i < end; i++) {
                char c = origin.charAt(i);
                boolean ok = port ? c >= '0' && c <= '9'
                        : (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
                if (!ok) {
                    return false;
                }
            }
            return true;
        }
    }

    private static final String VARY_PREFLIGHT = "Origin, Access-Control-Request-Method, Access-Control-Request-Headers";

    private final boolean anyOrigin;
    private final Set<String> exact;
    private final Pattern[] patterns;
    private final boolean credentials;
    private final boolean anyHeader;
    private final String methods;
    private final String headers;
    private final String exposed;
    private final String maxAge;

    private Cors(Config config) {
        this.anyOrigin = config.origins().contains("*");
        Set<String> exactOrigins = new HashSet<>();
        List<Pattern> wildcards = new ArrayList<>();
        for (String origin : config.origins()) {
            int star = origin.indexOf('*');
            if (star < 0) {
                exactOrigins.add(origin);
            } else if (origin.length() > 1) {
                wildcards.add(new Pattern(origin.substring(0, star), origin.substring(star + 1), origin.endsWith(":*")));
            }
        }
        this.exact = Set.copyOf(exactOrigins);
        this.patterns = wildcards.toArray(Pattern[]::new);
        this.credentials = config.credentials();
        this.anyHeader = config.headers().contains("*");
        this.methods = String.join(", ", config.methods());
        this.headers = String.join(", ", config.headers());
        this.exposed = String.join(", ", config.exposedHeaders());
        this.maxAge = Long.toString(config.maxAge().toSeconds());
    }

    /**
     * CORS with these settings.
     *
     * @param config the allowed origins, methods and headers
     * @return the middleware; it keeps no per-request state
     */
    public static Cors of(Config config) {
        return new Cors(Objects.requireNonNull(config, "config"));
    }

    @Override
    public Handler wrap(Handler next) {
        Objects.requireNonNull(next, "next");
        return request -> {
            String origin = request.header("Origin").orElse(null);
            if (origin != null && request.method().equals("OPTIONS")
                    && request.header("Access-Control-Request-Method").isPresent()) {
                return preflight(request, origin);
            }
            Response response = next.handle(request);
            if (origin != null && allowed(origin)) {
                response = response.withHeader("Access-Control-Allow-Origin", allowOrigin(origin));
                if (credentials) {
                    response = response.withHeader("Access-Control-Allow-Credentials", "true");
                }
                if (!exposed.isEmpty()) {
                    response = response.withHeader("Access-Control-Expose-Headers", exposed);
                }
            }
            // With '*' and no credentials the answer is the same for every origin: nothing to vary on.
            return anyOrigin && !credentials ? response : response.withAddedHeader("Vary", "Origin");
        };
    }

    private Response preflight(Request request, String origin) {
        Response response = Response.noContent().withHeader("Vary", VARY_PREFLIGHT);
        if (!allowed(origin)) {
            return response;
        }
        response = response.withHeader("Access-Control-Allow-Origin", allowOrigin(origin))
                .withHeader("Access-Control-Allow-Methods", methods)
                .withHeader("Access-Control-Max-Age", maxAge);
        String requested = request.header("Access-Control-Request-Headers").orElse("");
        String allowHeaders = anyHeader ? requested : headers;
        if (!allowHeaders.isEmpty()) {
            response = response.withHeader("Access-Control-Allow-Headers", allowHeaders);
        }
        return credentials ? response.withHeader("Access-Control-Allow-Credentials", "true") : response;
    }

    private String allowOrigin(String origin) {
        return anyOrigin && !credentials ? "*" : origin;
    }

    private boolean allowed(String origin) {
        if (anyOrigin || matches(origin)) {
            return true;
        }
        // Browsers leave the default port out; another client may send it, and means the same origin.
        String withoutDefaultPort = Origins.withoutDefaultPort(origin);
        return !withoutDefaultPort.equals(origin) && matches(withoutDefaultPort);
    }

    private boolean matches(String origin) {
        if (exact.contains(origin)) {
            return true;
        }
        for (Pattern pattern : patterns) {
            if (pattern.matches(origin)) {
                return true;
            }
        }
        return false;
    }
}
