package dev.backend.server;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One named {@link HealthCheck} as the probes see it: run on a virtual thread of its own, read as failed
 * when it throws or its timeout passes, and never run more than once at a time or more often than once per
 * {@code reuse}, so a storm of probes reaches the dependency as one call per period.
 *
 * <p>A failure is logged when it begins, with its cause; while the check keeps failing, one line per
 * {@link #LOG_INTERVAL} counts the failures; the recovery is logged once.
 */
final class ReadinessCheck {

    private static final Logger LOG = LoggerFactory.getLogger(ReadinessCheck.class);
    static final Duration LOG_INTERVAL = Duration.ofSeconds(60);

    private final String name;
    private final Duration timeout;
    private final HealthCheck check;
    private final long reuseNanos;
    private final ReentrantLock lock = new ReentrantLock();
    private Run latest;

    // What has been logged; guarded by `this`.
    private boolean failing;
    private long failingSince;
    private long lastLogged;
    private int unlogged;

    ReadinessCheck(String name, Duration timeout, HealthCheck check, Duration reuse) {
        this.name = Objects.requireNonNull(name, "name");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        this.check = Objects.requireNonNull(check, "check");
        this.reuseNanos = reuse.toNanos();
    }

    String name() {
        return name;
    }

    /**
     * The run whose outcome a probe arriving now reports: the one in progress, else the last one if it
     * ended less than {@code reuse} ago, else a new one, started here.
     */
    Run begin() {
        lock.lock();
        try {
            long now = System.nanoTime();
            if (latest == null || (latest.outcome.isDone() && now - latest.finished >= reuseNanos)) {
                latest = new Run(now);
                latest.start();
            }
            return latest;
        } finally {
            lock.unlock();
        }
    }

    /** Waits for {@code run} until its deadline at most; true when the check returned within its timeout. */
    boolean passed(Run run) {
        try {
            run.outcome.get(Math.max(0, run.deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            return run.finished - run.deadline <= 0;
        } catch (TimeoutException e) {
            run.overdue();
            return false;
        } catch (ExecutionException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private synchronized void succeeded() {
        if (failing) {
            failing = false;
            LOG.info("Readiness check '{}' passes again after {} s of failures", name,
                    Duration.ofNanos(System.nanoTime() - failingSince).toSeconds());
        }
    }

    private synchronized void failed(String what, Throwable cause) {
        long now = System.nanoTime();
        if (!failing) {
            failing = true;
            failingSince = now;
            lastLogged = now;
            unlogged = 0;
            if (cause == null) {
                LOG.warn("Readiness check '{}' failed: {}", name, what);
            } else {
                LOG.warn("Readiness check '{}' failed: {}", name, what, cause);
            }
        } else if (now - lastLogged >= LOG_INTERVAL.toNanos()) {
            LOG.warn("Readiness check '{}' still failing, {} failure(s) in the last {} s, the latest: {}", name,
                    unlogged + 1, Duration.ofNanos(now - lastLogged).toSeconds(), what);
            lastLogged = now;
            unlogged = 0;
        } else {
            unlogged++;
        }
    }

    /** One execution of the check. */
    final class Run {
        private final long deadline;
        private final CompletableFuture<Void> outcome = new CompletableFuture<>();
        private final AtomicBoolean timeoutReported = new AtomicBoolean();
        private volatile long finished;
        private Thread thread;

        private Run(long started) {
            this.deadline = started + timeout.toNanos();
        }

        private void start() {
            thread = Thread.ofVirtual().name("health-check-" + name).unstarted(() -> {
                Throwable failure = null;
                try {
                    check.check();
                } catch (Throwable e) {
                    failure = e;
                }
                finished = System.nanoTime();
                if (finished - deadline > 0) {
                    overdue();
                } else if (failure == null) {
                    succeeded();
                } else {
                    failed(failure.toString(), failure);
                }
                if (failure == null) {
                    outcome.complete(null);
                } else {
                    outcome.completeExceptionally(failure);
                }
            });
            thread.start();
        }

        /** Past the deadline: counted once as a failure, and the check is asked to stop. */
        private void overdue() {
            if (timeoutReported.compareAndSet(false, true)) {
                failed("no answer within its timeout of " + timeout.toMillis() + " ms", null);
                if (Thread.currentThread() != thread) {
                    thread.interrupt();
                }
            }
        }
    }
}
