package dev.backend.core.middleware;

import dev.backend.core.Handler;
import dev.backend.core.Middleware;
import dev.backend.core.Response;
import dev.backend.core.internal.MediaTypes;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The response headers an API should send by default (OWASP's REST security cheat sheet):
 *
 * <ul>
 *   <li>{@code X-Content-Type-Options: nosniff}: browsers must not guess a type other than the declared one
 *       (a JSON body must never be run as a script or rendered as HTML).
 *   <li>{@code Referrer-Policy: no-referrer}: links followed from API content leak no URL.
 *   <li>{@code Cache-Control: no-store} on JSON responses: API answers often hold personal data that no
 *       browser or shared cache should keep.
 * </ul>
 *
 * <p>A header the handler set itself is never replaced, so a route can still answer {@code Cache-Control:
 * max-age=60}. Each header can be turned off in the {@link Config}.
 *
 * {@snippet :
 * Middleware security = SecurityHeaders.of(SecurityHeaders.Config.defaults().withNoStoreJson(false));
 * }
 */
public final class SecurityHeaders implements Middleware {

    /** The {@code Referrer-Policy} values browsers know. */
    public static final List<String> REFERRER_POLICIES = List.of("no-referrer", "no-referrer-when-downgrade",
            "origin", "origin-when-cross-origin", "same-origin", "strict-origin", "strict-origin-when-cross-origin",
            "unsafe-url");

    /**
     * Which headers to send.
     *
     * @param noSniff send {@code X-Content-Type-Options: nosniff}
     * @param referrerPolicy the {@code Referrer-Policy} to send, one of {@link #REFERRER_POLICIES}; empty
     *     sends none
     * @param noStoreJson send {@code Cache-Control: no-store} on JSON responses without a {@code
     *     Cache-Control}
     */
    public record Config(boolean noSniff, Optional<String> referrerPolicy, boolean noStoreJson) {
        /**
         * Checks the referrer policy.
         *
         * @throws NullPointerException if {@code referrerPolicy} is null
         * @throws IllegalArgumentException if the policy is not one of {@link #REFERRER_POLICIES}
         */
        public Config {
            Objects.requireNonNull(referrerPolicy, "referrerPolicy");
            referrerPolicy.ifPresent(policy -> {
                if (!REFERRER_POLICIES.contains(policy)) {
                    throw new IllegalArgumentException("referrerPolicy must be one of "
                            + String.join(", ", REFERRER_POLICIES) + ", was '" + policy + "'");
                }
            });
        }

        /**
         * All three: nosniff, {@code no-referrer}, no-store on JSON.
         *
         * @return the settings
         */
        public static Config defaults() {
            return new Config(true, Optional.of("no-referrer"), true);
        }

        /**
         * None of them.
         *
         * @return the settings
         */
        public static Config none() {
            return new Config(false, Optional.empty(), false);
        }

        /**
         * A copy with {@code nosniff} on or off.
         *
         * @param noSniff whether to send {@code X-Content-Type-Options: nosniff}
         * @return the copy
         */
        public Config withNoSniff(boolean noSniff) {
            return new Config(noSniff, referrerPolicy, noStoreJson);
        }

        /**
         * A copy with another referrer policy; empty sends none.
         *
         * @param referrerPolicy the policy, one of {@link #REFERRER_POLICIES} (W3C Referrer Policy); empty for none
         * @return the copy
         * @throws IllegalArgumentException if the policy is not one of them
         */
        public Config withReferrerPolicy(Optional<String> referrerPolicy) {
            return new Config(noSniff, referrerPolicy, noStoreJson);
        }

        /**
         * A copy with {@code no-store} on JSON on or off.
         *
         * @param noStoreJson whether JSON responses without {@code Cache-Control} get {@code no-store} (RFC 9111
         *     section 5.2.2.5)
         * @return the copy
         */
        public Config withNoStoreJson(boolean noStoreJson) {
            return new Config(noSniff, referrerPolicy, noStoreJson);
        }

        /**
         * {@return whether no header is sent at all, so the middleware can be left out}
         */
        public boolean isNone() {
            return !noSniff && referrerPolicy.isEmpty() && !noStoreJson;
        }
    }

    private static final int NO_SNIFF = 1;
    private static final int REFERRER_POLICY = 2;
    private static final int NO_STORE = 4;

    private final boolean noSniff;
    private final String referrerPolicy;
    private final boolean noStoreJson;
    /**
     * The names and values to add, by which of them a response lacks ({@link #NO_SNIFF}, {@link #REFERRER_POLICY},
     * {@link #NO_STORE} or'ed): built once, so a response gets them all in one copy of its headers.
     */
    private final String[][] additions = new String[8][];

    private SecurityHeaders(Config config) {
        this.noSniff = config.noSniff();
        this.referrerPolicy = config.referrerPolicy().orElse(null);
        this.noStoreJson = config.noStoreJson();
        // Only headers the config sends are ever missing; the entries for the other masks leave them out too.
        for (int missing = 0; missing < additions.length; missing++) {
            List<String> headers = new ArrayList<>(6);
            if ((missing & NO_SNIFF) != 0 && noSniff) {
                headers.addAll(List.of("X-Content-Type-Options", "nosniff"));
            }
            if ((missing & REFERRER_POLICY) != 0 && referrerPolicy != null) {
                headers.addAll(List.of("Referrer-Policy", referrerPolicy));
            }
            if ((missing & NO_STORE) != 0 && noStoreJson) {
                headers.addAll(List.of("Cache-Control", "no-store"));
            }
            additions[missing] = headers.toArray(String[]::new);
        }
    }

    /**
     * The headers of {@link Config#defaults()}.
     *
     * @return the middleware
     */
    public static SecurityHeaders create() {
        return of(Config.defaults());
    }

    /**
     * The headers this config asks for.
     *
     * @param config which headers to send
     * @return the middleware; it only adds headers a response does not already have
     */
    public static SecurityHeaders of(Config config) {
        return new SecurityHeaders(Objects.requireNonNull(config, "config"));
    }

    @Override
    public Handler wrap(Handler next) {
        Objects.requireNonNull(next, "next");
        return request -> {
            Response response = next.handle(request);
            int missing = 0;
            if (noSniff && response.header("X-Content-Type-Options").isEmpty()) {
                missing |= NO_SNIFF;
            }
            if (referrerPolicy != null && response.header("Referrer-Policy").isEmpty()) {
                missing |= REFERRER_POLICY;
            }
            if (noStoreJson && response.header("Cache-Control").isEmpty()
                    && response.header("Content-Type").map(MediaTypes::isJson).orElse(false)) {
                missing |= NO_STORE;
            }
            return response.withAddedHeaders(additions[missing]);
        };
    }
}
