package dev.backend.core;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A budget for the request bodies held in memory at once, shared by every request through one {@link
 * dev.backend.core.middleware.BodyLimit} ({@code BODY_MEMORY_LIMIT} in backend-server).
 *
 * <p>{@link Request#bodyBytes()} (and so {@link Request#json}) reserves a body step by step as its bytes arrive,
 * never ahead of them: steps double from 64 KiB, so a client holds at most about twice what it has sent, and one that
 * declares a large {@code Content-Length} and sends nothing holds nothing. A request that finds the budget spent,
 * before its body or at its next step, is answered 503 with {@code Retry-After} at once, the rest of its body unread, rather than every
 * request's body together exhausting the heap; a body declared larger than the whole budget is a 413 before a byte
 * is read. The reservation is given back when the
 * request ends (when the {@code BodyLimit} that attached the budget returns). A body read as a stream ({@link
 * Request#bodyStream()}) reserves nothing: it is never held whole.
 *
 * <p>What a handler builds from the bytes (parsed JSON, say) comes on top, so the budget is a share of the heap,
 * not all of it. Running out is logged as a warning at most every ten seconds, with a count.
 *
 * {@snippet :
 * Middleware bodies = BodyLimit.of(10L << 20).withMemoryLimit(64L << 20);   // 10 MiB each, 64 MiB together
 * }
 */
public final class BodyMemory {

    private static final Logger LOG = LoggerFactory.getLogger(BodyMemory.class);
    private static final long REPORT_EVERY_NANOS = TimeUnit.SECONDS.toNanos(10);
    /** A chunked body's reservation grows by this much at a time. */
    static final int STEP = 64 * 1024;

    private final long limit;
    private final AtomicLong inUse = new AtomicLong();
    private final LongAdder refused = new LongAdder();
    private final AtomicLong nextReport = new AtomicLong(System.nanoTime());

    private BodyMemory(long limit) {
        this.limit = limit;
    }

    /**
     * A budget of its own.
     *
     * @param bytes the most body bytes reserved at once, at least 1
     * @return a new budget, nothing reserved
     * @throws IllegalArgumentException when {@code bytes} is less than 1
     */
    public static BodyMemory of(long bytes) {
        if (bytes < 1) {
            throw new IllegalArgumentException("a body memory limit must be at least 1 byte, was " + bytes);
        }
        return new BodyMemory(bytes);
    }

    /**
     * The budget.
     *
     * @return the most body bytes reserved at once
     */
    public long limit() {
        return limit;
    }

    /**
     * What is reserved now.
     *
     * @return the body bytes reserved by requests that have not ended
     */
    public long inUse() {
        return inUse.get();
    }

    /**
     * Gives back what a request's body reserved from this budget; a no-op when it reserved nothing here.
     *
     * @param request the request, or any copy of it, whose body is no longer needed
     */
    public void release(Request request) {
        Objects.requireNonNull(request, "request");
        request.releaseBodyMemory(this);
    }

    /** Takes {@code bytes} from the budget, or answers why not as an exception: 413 past the whole, else 503. */
    void reserve(long bytes) {
        if (bytes > limit) {
            throw new AppError.PayloadTooLarge("Request body is larger than the memory set aside for request bodies")
                    .toException();
        }
        for (long used = inUse.get(); ; used = inUse.get()) {
            if (used + bytes > limit) {
                throw refuse(used);
            }
            if (inUse.compareAndSet(used, used + bytes)) {
                return;
            }
        }
    }

    /**
     * Before a body is read: one larger than the whole budget can never be read whole (a 413, not a 503 to retry),
     * and while the budget has no room for the body's first step the request is refused at once, before the client
     * is asked for a byte of it. Nothing is reserved: that waits for the bytes.
     */
    void checkRoom(long declared, long firstStep) {
        if (declared > limit) {
            throw new AppError.PayloadTooLarge("Request body is larger than the memory set aside for request bodies")
                    .toException();
        }
        long used = inUse.get();
        if (used + firstStep > limit) {
            throw refuse(used);
        }
    }

    private AppException refuse(long used) {
        refused.increment();
        report(used);
        return new AppError.Unavailable("The server is receiving too many request bodies at once, retry shortly",
                Duration.ofSeconds(1)).toException();
    }

    void give(long bytes) {
        inUse.addAndGet(-bytes);
    }

    private void report(long used) {
        long now = System.nanoTime();
        long due = nextReport.get();
        if (now - due >= 0 && nextReport.compareAndSet(due, now + REPORT_EVERY_NANOS)) {
            LOG.warn("Request bodies hold {} of the {} bytes set aside for them: {} request(s) answered 503 since the "
                    + "last report", used, limit, refused.sumThenReset());
        }
    }
}
