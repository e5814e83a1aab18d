package dev.backend.core.internal;

import dev.backend.core.Response;
import java.util.Objects;

/**
 * What the middleware may do to a {@link Response} that the API does not offer: add header fields checked once,
 * when the middleware was built, or made by it from characters known to be valid, without the check {@link
 * Response#withAddedHeaders} makes of every caller's fields on every request. {@code Response} installs the
 * implementation when its class is initialised (the JDK's {@code SharedSecrets} pattern), so the method stays out of
 * the exported API.
 */
public final class ResponseAccess {

    /** Implemented by {@code Response}. */
    public interface Operations {
        /** {@link ResponseAccess#withAddedHeaders}. */
        Response withAddedCheckedHeaders(Response response, String[] namesAndValues);
    }

    /** Set by {@code Response}'s class initialiser, which has run by the time any response exists to pass here. */
    private static volatile Operations operations;

    private ResponseAccess() {}

    /**
     * Installs {@code Response}'s implementation; only once.
     *
     * @throws IllegalStateException if one is installed already
     */
    public static synchronized void install(Operations implementation) {
        if (operations != null) {
            throw new IllegalStateException("Response's operations are installed already");
        }
        operations = Objects.requireNonNull(implementation, "implementation");
    }

    /**
     * {@code response.withAddedHeaders(namesAndValues)} without checking the fields: every name must already be
     * known to be a token and every value a valid field value (as {@link Response#withHeader} requires), and the
     * array must not change afterwards, since it is copied, not checked, and a change between the two would slip
     * past. With assertions on (as in tests) the fields are checked all the same.
     *
     * @param response the response to copy
     * @param namesAndValues alternating names and values, an even number of them
     * @return the copy with these fields after the existing ones, or {@code response} when there are none
     */
    public static Response withAddedHeaders(Response response, String... namesAndValues) {
        return operations.withAddedCheckedHeaders(response, namesAndValues);
    }
}
