package dev.backend.core.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One daemon thread that expires every {@link RequestDeadline} in the JVM, sweeping a table of the running
 * ones once per tick.
 *
 * <p>A request takes a free slot in the table with one compare-and-set, starting at a place hashed from its
 * thread so that concurrent requests land on different cache lines, and empties it itself when it finishes:
 * no lock, no task allocated, no thread woken (a scheduled executor does all three per request, on one
 * lock), and a finished deadline is garbage at once. The timer only reads the table: each tick it expires the
 * deadlines that are due, so a deadline fires at most one tick late, and hurries the cancels of those whose
 * handler is still running past the grace ({@link RequestDeadline#hurry}). A table that runs short of free slots is
 * replaced by one twice its size; the old one is swept until its last request has left it.
 *
 * <p>With the table empty for a second the thread parks until the next registration wakes it, so an idle server
 * costs nothing; under traffic it never sleeps and registrations never signal it.
 */
final class DeadlineTimer {

    private static final Logger LOG = LoggerFactory.getLogger(DeadlineTimer.class);

    private static final long MIN_TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long MAX_TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final long IDLE_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final int INITIAL_SLOTS = 1024;
    /** Slots tried before the table counts as full: at half full, eight tries all fail once in 256 requests. */
    private static final int PROBES = 8;
    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(RequestDeadline[].class);
    private static final AtomicBoolean SLEEPING = new AtomicBoolean();
    /** Tables replaced by a larger one, swept until empty; written under the class lock. */
    private static final CopyOnWriteArrayList<RequestDeadline[]> RETIRED = new CopyOnWriteArrayList<>();
    private static volatile RequestDeadline[] table = new RequestDeadline[INITIAL_SLOTS];
    private static volatile long tickNanos = MAX_TICK_NANOS;
    private static final Thread THREAD = Thread.ofPlatform().daemon().name("request-timeout").start(DeadlineTimer::run);

    private DeadlineTimer() {}

    /** Makes the tick at most a tenth of {@code timeoutNanos}, within 1 ms to 100 ms. */
    static synchronized void tickAtMost(long timeoutNanos) {
        long tick = Math.clamp(timeoutNanos / 10, MIN_TICK_NANOS, MAX_TICK_NANOS);
        if (tick < tickNanos) {
            tickNanos = tick;
        }
    }

    /** Puts {@code deadline} in a free slot, which {@link #release} empties; wakes the timer after an idle second. */
    static void register(RequestDeadline deadline) {
        // Fibonacci hashing spreads consecutive thread ids over the table.
        int hash = (int) (Thread.currentThread().threadId() * 0x9E3779B97F4A7C15L >>> 32);
        while (true) {
            RequestDeadline[] slots = table;
            int mask = slots.length - 1;
            for (int probe = 0; probe < PROBES; probe++) {
                int slot = (hash + probe) & mask;
                if (SLOT.getVolatile(slots, slot) == null && SLOT.compareAndSet(slots, slot, null, deadline)) {
                    if (table != slots) {
                        // Replaced meanwhile: the old table may already be swept empty and dropped, so a slot
                        // in it might never be swept again. Take one in the new table instead.
                        SLOT.setVolatile(slots, slot, null);
                        break;
                    }
                    deadline.slots = slots;
                    deadline.slot = slot;
                    if (SLEEPING.get() && SLEEPING.compareAndSet(true, false)) {
                        LockSupport.unpark(THREAD);
                    }
                    return;
                }
            }
            if (table == slots) {
                grow(slots);
            }
        }
    }

    /** Empties the slot of a deadline whose handler returned. */
    static void release(RequestDeadline deadline) {
        SLOT.setRelease(deadline.slots, deadline.slot, null);
    }

    private static synchronized void grow(RequestDeadline[] full) {
        if (table == full) {
            RETIRED.add(full);
            table = new RequestDeadline[full.length * 2];
        }
    }

    private static void run() {
        long idleSince = System.nanoTime();
        while (true) {
            long now = System.nanoTime();
            boolean busy = sweep(table, now);
            for (RequestDeadline[] retired : RETIRED) {
                if (!sweep(retired, now)) {
                    RETIRED.remove(retired);
                }
            }
            if (busy || !RETIRED.isEmpty()) {
                idleSince = now;
            } else if (now - idleSince >= IDLE_NANOS) {
                sleep();
                idleSince = System.nanoTime();
                continue;
            }
            LockSupport.parkNanos(DeadlineTimer.class, tickNanos);
        }
    }

    /** Expires the due deadlines in {@code slots}; true if any slot is taken. */
    private static boolean sweep(RequestDeadline[] slots, long now) {
        boolean taken = false;
        for (int slot = 0; slot < slots.length; slot++) {
            RequestDeadline deadline = (RequestDeadline) SLOT.getAcquire(slots, slot);
            if (deadline == null) {
                continue;
            }
            taken = true;
            if (deadline.running() && deadline.dueAt(now)) {
                try {
                    deadline.expire(now);
                } catch (RuntimeException | Error e) {
                    // One deadline that cannot expire (no memory for a thread, say) must not stop the others.
                    LOG.error("Could not expire a request deadline", e);
                }
            } else if (deadline.overdueAt(now)) {
                deadline.hurry(now);
            }
        }
        return taken;
    }

    /**
     * Parks until a registration. The flag is set before the table is checked and read by a registration after
     * its compare-and-set, so one of the two always sees the other: no registration is missed.
     */
    private static void sleep() {
        SLEEPING.set(true);
        RequestDeadline[] slots = table;
        for (int slot = 0; slot < slots.length; slot++) {
            if (SLOT.getVolatile(slots, slot) != null) {
                SLEEPING.set(false);
                return;
            }
        }
        while (SLEEPING.get()) {
            LockSupport.park(DeadlineTimer.class);
        }
    }
}
