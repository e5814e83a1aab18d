package dev.backend.core.middleware;

import dev.backend.core.AppError;
import dev.backend.core.Handler;
import dev.backend.core.Middleware;
import dev.backend.core.Response;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bounds how long the handler may take: past the deadline the client gets 408 with {@code {"error":
 * "Request timed out after 30s"}}, as tower-http's {@code TimeoutLayer} answers.
 *
 * <p>The handler runs on the request's own thread (no hand-off, so no cost on the hot path); at the
 * deadline a shared timer interrupts that thread. Blocking JDBC on a virtual thread is interruptible:
 * the driver's socket is closed, the statement fails, the handler's {@code try}-with-resources closes
 * the connection and the pool discards it and opens a fresh one. The handler thus stops using its
 * connection instead of holding it until the query ends; PostgreSQL ends the server side when it
 * notices the closed socket.
 *
 * <p>Guarantees: one response per request (the handler's, or the 408, never both); the interrupt never
 * leaks, because a timer that fires after the handler finished does nothing, and after a timeout the
 * interrupt status is cleared before this layer returns. A handler that ignores interruption (a busy
 * loop) is answered 408 when it returns; the deadline covers producing the response, not streaming a
 * {@link Response.Body.Stream} body.
 *
 * {@snippet :
 * Middleware timeout = Timeout.of(Duration.ofSeconds(30));
 * }
 */
public final class Timeout implements Middleware {

    private static final Logger LOG = LoggerFactory.getLogger(Timeout.class);

    private final long nanos;
    private final String limit;
    private final Response timedOut;

    private Timeout(Duration timeout) {
        this.nanos = timeout.toNanos();
        Timer.keepAheadOf(nanos);
        this.limit = HttpText.human(timeout);
        // Built once: responses are immutable, so every timed-out request can share it.
        this.timedOut = new AppError.Timeout("Request timed out after " + limit).toResponse();
    }

    /** A deadline of {@code timeout} per request; it must be positive. */
    public static Timeout of(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive, was " + timeout.toMillis() + "ms");
        }
        return new Timeout(timeout);
    }

    @Override
    public Handler wrap(Handler next) {
        Objects.requireNonNull(next, "next");
        return request -> {
            Deadline deadline = new Deadline(Thread.currentThread());
            ScheduledFuture<?> timer = Timer.EXECUTOR.schedule(deadline, nanos, TimeUnit.NANOSECONDS);
            Response response;
            try {
                response = next.handle(request);
            } catch (Throwable failure) {
                if (deadline.finish()) {
                    timer.cancel(false);
                    throw failure;
                }
                return timedOut(deadline, failure);
            }
            if (deadline.finish()) {
                timer.cancel(false);
                return response;
            }
            return timedOut(deadline, null);
        };
    }

    private Response timedOut(Deadline deadline, Throwable failure) {
        deadline.awaitInterrupt();
        // Clear our interrupt: the thread goes on to write the 408 and may serve other work after.
        Thread.interrupted();
        if (LOG.isWarnEnabled()) {
            long late = (System.nanoTime() - deadline.firedAt) / 1_000_000;
            LOG.warn("Request timed out after {}; the handler was interrupted and returned {} ms later{}",
                    limit, late, failure == null ? "" : " with " + failure);
        }
        return timedOut;
    }

    /**
     * The race between the handler finishing and the timer firing, settled by one compare-and-set: the
     * handler wins with RUNNING to DONE, the timer with RUNNING to FIRING, then interrupts and marks
     * FIRED so the handler thread knows no interrupt is still on its way.
     */
    private static final class Deadline implements Runnable {
        private static final int RUNNING = 0;
        private static final int DONE = 1;
        private static final int FIRING = 2;
        private static final int FIRED = 3;
        private static final AtomicIntegerFieldUpdater<Deadline> STATE =
                AtomicIntegerFieldUpdater.newUpdater(Deadline.class, "state");

        private final Thread thread;
        private volatile int state = RUNNING;
        private volatile long firedAt;

        Deadline(Thread thread) {
            this.thread = thread;
        }

        @Override
        public void run() {
            if (STATE.compareAndSet(this, RUNNING, FIRING)) {
                firedAt = System.nanoTime();
                thread.interrupt();
                state = FIRED;
            }
        }

        /** True if the handler finished first, so the timer will never interrupt. */
        boolean finish() {
            return STATE.compareAndSet(this, RUNNING, DONE);
        }

        /** Waits out the few instructions between the timer's compare-and-set and its interrupt. */
        void awaitInterrupt() {
            while (state != FIRED) {
                Thread.onSpinWait();
            }
        }
    }

    /**
     * One daemon thread for every deadline in the JVM; cancelled deadlines leave its queue at once.
     *
     * <p>A deadline that becomes the head of the queue wakes the timer thread, a context switch that would
     * cost more than the rest of the middleware stack together, on every request when few are in flight.
     * A no-op tick, due sooner than any deadline, keeps the head of the queue so that scheduling a deadline
     * never signals: the thread wakes once per tick instead of once per request.
     */
    private static final class Timer {
        static final ScheduledThreadPoolExecutor EXECUTOR = create();
        private static final long MIN_TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
        private static final long MAX_TICK_NANOS = TimeUnit.SECONDS.toNanos(1);
        private static long tickNanos = Long.MAX_VALUE;
        private static ScheduledFuture<?> tick;

        private static ScheduledThreadPoolExecutor create() {
            ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1,
                    Thread.ofPlatform().daemon().name("request-timeout").factory());
            executor.setRemoveOnCancelPolicy(true);
            return executor;
        }

        /** Makes the tick at most half of {@code timeoutNanos}, so it stays ahead of such deadlines. */
        static synchronized void keepAheadOf(long timeoutNanos) {
            long period = Math.clamp(timeoutNanos / 2, MIN_TICK_NANOS, MAX_TICK_NANOS);
            if (period < tickNanos) {
                ScheduledFuture<?> previous = tick;
                tick = EXECUTOR.scheduleAtFixedRate(() -> { }, period, period, TimeUnit.NANOSECONDS);
                tickNanos = period;
                if (previous != null) {
                    previous.cancel(false);
                }
            }
        }
    }
}
