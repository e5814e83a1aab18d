package dev.backend.core.internal;

import dev.backend.core.Deadline;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One request's deadline: bound to the handler's thread while it runs, expired by {@link DeadlineTimer}.
 *
 * <p>The handler finishing and the deadline passing race; every step of the race is settled by one
 * compare-and-set on {@code state}, so exactly one side wins each step:
 *
 * <pre>
 * RUNNING --handler--> DONE                        in time: the thread is never touched
 * RUNNING --timer----> EXPIRED                     the cancels run on a thread of their own
 * EXPIRED --handler--> RETURNED                    returned after the deadline, before any interrupt
 * EXPIRED --canceller-> INTERRUPTING --> INTERRUPTED  no return within the grace: the thread is interrupted
 * </pre>
 *
 * A handler that loses the last step waits for INTERRUPTED (a few instructions) and clears the interrupt, so
 * no interrupt of ours outlives {@link #finish()}.
 *
 * <p>The grace counts from the deadline, not from the end of the cancels: a cancel may itself wait on the
 * network (pgJDBC's opens a connection to PostgreSQL and waits for it to close, and the cancelled statement
 * waits for that cancel before it lets its caller go), so a silent server would hold the answer for as long as
 * the cancel's own timeout. So a round of cancels gets the grace too: the timer interrupts the cancelling thread
 * when one is still waiting past it, and the handler is interrupted after one more round, bounded the same way.
 */
public final class RequestDeadline implements Deadline {

    private static final Logger LOG = LoggerFactory.getLogger(RequestDeadline.class);

    /**
     * How long after the deadline the cancels and the handler have to finish by themselves (the cancel reaching
     * PostgreSQL, the cancelled statement's error coming back, a rollback) before the handler is interrupted:
     * room for a loaded server, which a shorter grace would cost a connection per timed-out request (an
     * interrupt breaks it), and a bound on the answer that no server, answering or not, can stretch.
     */
    static final long GRACE_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

    private static final ThreadLocal<RequestDeadline> CURRENT = new ThreadLocal<>();
    private static final Runnable[] NO_CANCELS = new Runnable[0];

    private static final int RUNNING = 0;
    private static final int DONE = 1;
    private static final int EXPIRED = 2;
    private static final int RETURNED = 3;
    private static final int INTERRUPTING = 4;
    private static final int INTERRUPTED = 5;
    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(RequestDeadline.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final Thread thread;
    private final long due;
    private final RequestDeadline enclosing;
    private volatile int state = RUNNING;
    /** Written by the timer before the state leaves RUNNING, so whoever sees a later state sees it. */
    private long expiredAt;
    /** Where {@link DeadlineTimer} holds this deadline while the handler runs; set once, on the handler's thread. */
    RequestDeadline[] slots;
    int slot;
    /** The thread running the cancels, and when its current round began; guarded by this. */
    private Thread canceller;
    private long roundStartedAt;
    private Runnable[] cancels = NO_CANCELS;
    private int cancelCount;
    private boolean cancelsTaken;

    private RequestDeadline(Thread thread, long due, RequestDeadline enclosing) {
        this.thread = thread;
        this.due = due;
        this.enclosing = enclosing;
    }

    /** A deadline {@code timeoutNanos} from now for the current thread, bound to it until {@link #finish()}. */
    public static RequestDeadline start(long timeoutNanos) {
        RequestDeadline deadline = new RequestDeadline(Thread.currentThread(), System.nanoTime() + timeoutNanos,
                CURRENT.get());
        CURRENT.set(deadline);
        DeadlineTimer.register(deadline);
        return deadline;
    }

    /** The innermost deadline bound to the current thread, or {@code null}. */
    public static RequestDeadline current() {
        return CURRENT.get();
    }

    /** True when the current thread answers a request whose deadline has passed. */
    public static boolean currentExpired() {
        RequestDeadline deadline = CURRENT.get();
        return deadline != null && deadline.expired();
    }

    /** Keeps the timer's tick at most a tenth of {@code timeoutNanos}, within 1 ms to 100 ms. */
    public static void expectTimeout(long timeoutNanos) {
        DeadlineTimer.tickAtMost(timeoutNanos);
    }

    @Override
    public boolean expired() {
        for (RequestDeadline deadline = this; deadline != null; deadline = deadline.enclosing) {
            if (deadline.state >= EXPIRED) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void onExpiry(Runnable cancel) {
        Objects.requireNonNull(cancel, "cancel");
        for (RequestDeadline deadline = this; deadline != null; deadline = deadline.enclosing) {
            if (!deadline.add(cancel)) {
                cancel.run();
                return;
            }
        }
    }

    /**
     * Unbinds this deadline from the handler's thread, which must call it once the handler returned or threw.
     * Returns true when the handler finished in time; otherwise the request timed out and the thread carries no
     * interrupt of ours any more.
     */
    public boolean finish() {
        // A thread serving more requests keeps its (empty) entry rather than paying to remove and re-create it.
        CURRENT.set(enclosing);
        DeadlineTimer.release(this);
        if (STATE.compareAndSet(this, RUNNING, DONE)) {
            return true;
        }
        if (STATE.compareAndSet(this, EXPIRED, RETURNED)) {
            return false;
        }
        while (state != INTERRUPTED) {
            Thread.onSpinWait(); // the few instructions between the timer's compare-and-set and its interrupt
        }
        Thread.interrupted();
        return false;
    }

    /** After a {@link #finish()} that returned false: whether the handler's thread had to be interrupted. */
    public boolean interrupted() {
        return state == INTERRUPTED;
    }

    /** After a {@link #finish()} that returned false: milliseconds from the deadline to the handler's return. */
    public long millisLate() {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - expiredAt);
    }

    /** True while neither the handler finished nor the deadline passed. */
    boolean running() {
        return state == RUNNING;
    }

    /** True when the deadline is due at {@code now}. */
    boolean dueAt(long now) {
        return now - due >= 0;
    }

    /** True when the handler is still running past the deadline and the grace after it. */
    boolean overdueAt(long now) {
        return state == EXPIRED && now - expiredAt >= GRACE_NANOS;
    }

    /**
     * Called by the timer at the deadline: unless the handler already finished, runs the cancels on a virtual
     * thread (they may block on the network) and interrupts after the grace, or interrupts at once when there
     * is nothing to cancel.
     */
    void expire(long now) {
        expiredAt = now;
        if (!STATE.compareAndSet(this, RUNNING, EXPIRED)) {
            return;
        }
        Runnable[] toRun = takeCancels();
        if (toRun.length == 0) {
            interrupt();
            return;
        }
        Thread cancelling = Thread.ofVirtual().name("request-timeout-cancel")
                .unstarted(() -> cancelThenInterrupt(toRun));
        synchronized (this) {
            roundStartedAt = now;
            canceller = cancelling;
        }
        cancelling.start();
    }

    /**
     * Called by the timer on each tick once {@link #overdueAt}: a round of cancels still waiting for its server a
     * grace after it began will not get through in time (the statement is left to its {@code statement_timeout}),
     * so it gives up, and the cancelling thread goes on to the interrupt. Interrupting a virtual thread closes the
     * socket it is blocked on. Without a cancelling thread (none could be started, or one died of an error) the
     * handler is interrupted here.
     */
    synchronized void hurry(long now) {
        if (canceller == null || !canceller.isAlive()) {
            interrupt();
        } else if (now - roundStartedAt >= GRACE_NANOS) {
            canceller.interrupt();
        }
    }

    private void cancelThenInterrupt(Runnable[] toRun) {
        runAll(toRun);
        long end = expiredAt + GRACE_NANOS;
        while (state == EXPIRED && end - System.nanoTime() > 0) {
            LockSupport.parkNanos(POLL_NANOS);
        }
        if (state == EXPIRED) {
            // The handler is still busy: stop what it may have started since, before its connections break. This
            // round gets a grace of its own before hurry() ends it; an interrupt that ended the first is cleared.
            synchronized (this) {
                roundStartedAt = System.nanoTime();
                Thread.interrupted();
            }
            runAll(toRun);
            interrupt();
        }
    }

    private void interrupt() {
        if (STATE.compareAndSet(this, EXPIRED, INTERRUPTING)) {
            thread.interrupt();
            state = INTERRUPTED;
        }
    }

    private static void runAll(Runnable[] toRun) {
        for (Runnable cancel : toRun) {
            try {
                cancel.run();
            } catch (RuntimeException e) {
                LOG.warn("A cancel registered with a request deadline failed: {}", e.toString());
            }
        }
    }

    private synchronized boolean add(Runnable cancel) {
        if (cancelsTaken) {
            return false;
        }
        if (cancelCount == cancels.length) {
            cancels = Arrays.copyOf(cancels, Math.max(2, cancelCount * 2));
        }
        cancels[cancelCount++] = cancel;
        return true;
    }

    private synchronized Runnable[] takeCancels() {
        cancelsTaken = true;
        return cancelCount == 0 ? NO_CANCELS : Arrays.copyOf(cancels, cancelCount);
    }
}
