package dev.backend.examples.apikey;

import dev.backend.core.AppError;
import dev.backend.core.Handler;
import dev.backend.core.Middleware;
import dev.backend.core.Request;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * Allows each client {@code perSecond} requests a second on average, in bursts of up to {@code burst};
 * past that, 429 with {@code Retry-After}, without calling the handler.
 *
 * <p>The algorithm is GCRA (the generic cell rate algorithm, a token bucket kept as one timestamp): each
 * client has a "theoretical arrival time" that every allowed request pushes forward by one interval; a
 * request arriving more than the burst allowance before it is refused. One {@link AtomicLong} per client
 * and a compare-and-set, so concurrent requests never block each other.
 *
 * <p>Clients are told apart by {@code clientKey} (here the client's name, which {@link ApiKeyAuth} further
 * out attached to the request). The state per client is one entry in a map, so the key must come from a
 * bounded set: keying on something a client invents freely (a header it makes up) would let it grow the map
 * without end.
 */
public final class RateLimit implements Middleware {

    private final long intervalNanos;
    private final long toleranceNanos;
    private final Function<Request, Optional<String>> clientKey;
    private final LongSupplier clock;
    private final Map<String, AtomicLong> arrivals = new ConcurrentHashMap<>();

    /** {@code perSecond} requests a second per client, bursts of {@code burst}, clients named by {@code clientKey}. */
    public RateLimit(double perSecond, int burst, Function<Request, Optional<String>> clientKey) {
        this(perSecond, burst, clientKey, System::nanoTime);
    }

    RateLimit(double perSecond, int burst, Function<Request, Optional<String>> clientKey, LongSupplier clock) {
        if (!(perSecond > 0) || burst < 1) {
            throw new IllegalArgumentException("perSecond must be > 0 and burst >= 1, were " + perSecond + " and " + burst);
        }
        this.intervalNanos = (long) (1_000_000_000L / perSecond);
        this.toleranceNanos = intervalNanos * (burst - 1);
        this.clientKey = clientKey;
        this.clock = clock;
    }

    @Override
    public Handler wrap(Handler next) {
        return request -> {
            Optional<String> client = clientKey.apply(request);
            if (client.isPresent()) {
                long waitNanos = acquire(client.get());
                if (waitNanos > 0) {
                    return new AppError.TooManyRequests("Rate limit exceeded, retry later",
                            Duration.ofNanos(waitNanos)).toResponse();
                }
            }
            return next.handle(request);
        };
    }

    /** 0 when the request may go ahead, else how long until it would. */
    private long acquire(String client) {
        AtomicLong arrival = arrivals.computeIfAbsent(client, k -> new AtomicLong(Long.MIN_VALUE));
        while (true) {
            long now = clock.getAsLong();
            long current = arrival.get();
            long theoretical = current == Long.MIN_VALUE ? now : Math.max(current, now);
            long early = theoretical - now - toleranceNanos;
            if (early > 0) {
                return early;
            }
            if (arrival.compareAndSet(current, theoretical + intervalNanos)) {
                return 0;
            }
        }
    }
}
