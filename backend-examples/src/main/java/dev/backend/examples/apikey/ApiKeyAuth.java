package dev.backend.examples.apikey;

import dev.backend.core.AppError;
import dev.backend.core.Handler;
import dev.backend.core.Middleware;
import dev.backend.core.Request;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Lets a request through only with a known API key in {@code X-Api-Key}; anything else is a 401 with a
 * JSON body and the {@link #CHALLENGE}, before the handler runs. A request let through carries the name of
 * the client the key belongs to as the {@link #CLIENT} attribute, for the rate limit and the handler.
 *
 * <p>Keys are compared by their SHA-256 digests with {@link MessageDigest#isEqual}, which takes the same
 * time wherever two digests differ, so response timing does not reveal how much of a guessed key is right.
 */
public final class ApiKeyAuth implements Middleware {

    /** The header clients send their key in. */
    public static final String HEADER = "X-Api-Key";

    /**
     * The {@code WWW-Authenticate} of the 401s, which a 401 must carry (RFC 9110 §15.5.2). No registered scheme
     * covers a key in a header of one's own, so a scheme of our own names the header the key goes in; {@code
     * Bearer} would send clients to {@code Authorization}, {@code Basic} would make browsers ask for a password.
     */
    public static final String CHALLENGE = "ApiKey header=\"" + HEADER + "\"";

    /** The name of the client whose key authenticated the request. */
    public static final Request.Key<String> CLIENT = Request.Key.of("api client");

    private record Client(String name, byte[] keyDigest) {}

    private final List<Client> clients;

    /** Accepts the keys of {@code keysByClient} (client name to key). */
    public ApiKeyAuth(Map<String, String> keysByClient) {
        if (keysByClient.isEmpty()) {
            throw new IllegalArgumentException("ApiKeyAuth needs at least one key");
        }
        this.clients = keysByClient.entrySet().stream()
                .map(e -> new Client(e.getKey(), digest(e.getValue())))
                .toList();
    }

    @Override
    public Handler wrap(Handler next) {
        return request -> {
            List<String> keys = request.headers(HEADER);
            if (keys.isEmpty()) {
                return AppError.unauthorized("Missing " + HEADER + " header", CHALLENGE).toResponse();
            }
            if (keys.size() > 1) {
                // Which one counts is ambiguous: a proxy that checks the last could pass what this would refuse.
                return AppError.unauthorized("Send one " + HEADER + " header", CHALLENGE).toResponse();
            }
            Optional<String> client = client(keys.getFirst());
            if (client.isEmpty()) {
                return AppError.unauthorized("Unknown API key", CHALLENGE).toResponse();
            }
            return next.handle(request.withAttribute(CLIENT, client.get()));
        };
    }

    /** The client a key belongs to. Checks every key, so the time taken does not depend on which matched. */
    Optional<String> client(String key) {
        byte[] digest = digest(key);
        String found = null;
        for (Client client : clients) {
            if (MessageDigest.isEqual(client.keyDigest(), digest)) {
                found = client.name();
            }
        }
        return Optional.ofNullable(found);
    }

    private static byte[] digest(String key) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
