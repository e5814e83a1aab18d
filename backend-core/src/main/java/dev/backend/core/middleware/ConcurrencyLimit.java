package dev.backend.core.middleware;

import dev.backend.core.AppError;
import dev.backend.core.Handler;
import dev.backend.core.Middleware;
import dev.backend.core.Response;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Load shedding: at most {@code max} requests in flight; one more is answered 503 with {@code
 * Retry-After} at once, instead of queueing without bound (tower's {@code ConcurrencyLimitLayer} plus
 * {@code LoadShedLayer}). The answer is an {@link AppError.Overloaded}, so metrics count it as shed.
 *
 * <p>With a virtual thread per request, nothing else bounds the work a burst can start: every request
 * gets a thread and then waits on the pool, the CPU or a downstream service, and latency grows for all of
 * them. Answering the excess at once keeps the accepted ones fast and tells clients when to retry.
 * Shedding is logged as a warning at most every {@value #REPORT_EVERY_SECONDS} seconds, with a count.
 *
 * <p>A request counts from the moment it reaches this layer until its handler returns its {@link Response}. A
 * streamed body ({@link Response#stream}) is written after that and is not counted: it holds a connection, not
 * the handler's resources, and the server's connection limit bounds it.
 *
 * {@snippet :
 * Middleware shed = ConcurrencyLimit.of(1024);
 * }
 */
public final class ConcurrencyLimit implements Middleware {

    static final long REPORT_EVERY_SECONDS = 10;
    private static final Logger LOG = LoggerFactory.getLogger(ConcurrencyLimit.class);

    private final int max;
    private final Response rejected;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final LongAdder shed = new LongAdder();
    private final AtomicLong nextReport = new AtomicLong(System.nanoTime());

    private ConcurrencyLimit(int max, Duration retryAfter) {
        this.max = max;
        this.rejected = new AppError.Overloaded("The server is busy, retry shortly", retryAfter).toResponse();
    }

    /**
     * At most {@code max} requests in flight; the excess is told to retry after one second.
     *
     * @param max the most requests in flight at once, at least 1
     * @return the middleware; its count is shared by every handler it wraps
     * @throws IllegalArgumentException if {@code max} is below 1
     */
    public static ConcurrencyLimit of(int max) {
        return of(max, Duration.ofSeconds(1));
    }

    /**
     * At most {@code max} requests in flight; the excess is told to retry after {@code retryAfter}.
     *
     * @param max the most requests in flight at once, at least 1
     * @param retryAfter sent as {@code Retry-After} on the 503, in whole seconds rounded up (RFC 9110 section
     *     10.2.3); 0 or more
     * @return the middleware; its count is shared by every handler it wraps
     * @throws IllegalArgumentException if {@code max} is below 1 or {@code retryAfter} is negative
     */
    public static ConcurrencyLimit of(int max, Duration retryAfter) {
        if (max < 1) {
            throw new IllegalArgumentException("max must be at least 1, was " + max);
        }
        Objects.requireNonNull(retryAfter, "retryAfter");
        if (retryAfter.isNegative()) {
            throw new IllegalArgumentException("retryAfter must not be negative, was " + retryAfter);
        }
        return new ConcurrencyLimit(max, retryAfter);
    }

    /**
     * {@return the requests running inside this layer now; briefly above {@code max} while the excess is refused}
     */
    public int inFlight() {
        return inFlight.get();
    }

    @Override
    public Handler wrap(Handler next) {
        Objects.requireNonNull(next, "next");
        return request -> {
            if (inFlight.incrementAndGet() > max) {
                inFlight.decrementAndGet();
                shed.increment();
                report();
                return rejected;
            }
            try {
                return next.handle(request);
            } finally {
                inFlight.decrementAndGet();
            }
        };
    }

    private void report() {
        long now = System.nanoTime();
        long due = nextReport.get();
        if (now - due >= 0 && nextReport.compareAndSet(due, now + TimeUnit.SECONDS.toNanos(REPORT_EVERY_SECONDS))) {
            LOG.warn("Shedding load: {} request(s) answered 503 because {} were already in flight",
                    shed.sumThenReset(), max);
        }
    }
}
