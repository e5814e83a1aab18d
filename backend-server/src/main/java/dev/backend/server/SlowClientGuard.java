package dev.backend.server;

import com.sun.net.httpserver.HttpHandler;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cuts off clients that trickle their requests, for the robaho provider, whose own request timeout only
 * measures inactivity: a client sending one byte every few seconds would hold its connection forever.
 *
 * <p>robaho runs each connection, all its keep-alive requests included, as one task on our executor, and
 * calls the handler once a request's headers are in. So the time a connection's thread spends outside
 * the handler is the time its client takes to send the next request: once that passes {@code
 * IDLE_CONNECTION_TIMEOUT + REQUEST_READ_TIMEOUT} (an idle wait, then the request itself), the thread is
 * interrupted, which closes its socket (a virtual thread's blocking socket I/O is interruptible), and
 * robaho drops the connection. Time inside the handler is bounded by the request timeout instead.
 *
 * <p>Not needed for the JDK's provider, whose {@code maxReqTime} counts from the first byte of a request.
 */
final class SlowClientGuard {

    private static final Logger LOG = LoggerFactory.getLogger(SlowClientGuard.class);
    /** Every guarded connection in the JVM, checked by one daemon thread. */
    private static final Set<Connection> CONNECTIONS = ConcurrentHashMap.newKeySet();
    private static final ThreadLocal<Connection> CURRENT = new ThreadLocal<>();

    private final long limitNanos;

    private SlowClientGuard(Duration limit) {
        this.limitNanos = limit.toNanos();
    }

    /** A guard allowing each request {@code idle + read} to arrive after the previous one ended. */
    static SlowClientGuard of(Config.Http http) {
        Scanner.start(http.requestReadTimeout());
        return new SlowClientGuard(http.idleConnectionTimeout().plus(http.requestReadTimeout()));
    }

    /** Runs each connection task of {@code executor} under watch. */
    Executor watchConnections(Executor executor) {
        return task -> executor.execute(() -> {
            Connection connection = new Connection(Thread.currentThread(), System.nanoTime() + limitNanos);
            CURRENT.set(connection);
            CONNECTIONS.add(connection);
            try {
                task.run();
            } finally {
                CONNECTIONS.remove(connection);
                CURRENT.remove();
            }
        });
    }

    /** Stops the clock while {@code handler} runs, and restarts it for the next request. */
    HttpHandler watchRequests(HttpHandler handler) {
        return exchange -> {
            Connection connection = CURRENT.get();
            if (connection == null) {
                handler.handle(exchange);
                return;
            }
            if (!connection.enter()) {
                exchange.close(); // cut off at this very moment: the socket is being closed anyway
                return;
            }
            try {
                handler.handle(exchange);
            } finally {
                connection.leave(System.nanoTime() + limitNanos);
            }
        };
    }

    /** One connection's thread and the time by which its next request must have arrived. */
    private static final class Connection {
        private static final int WAITING = 0;
        private static final int HANDLING = 1;
        private static final int CUT = 2;
        private static final AtomicIntegerFieldUpdater<Connection> STATE =
                AtomicIntegerFieldUpdater.newUpdater(Connection.class, "state");

        private final Thread thread;
        private volatile long deadline;
        private volatile int state = WAITING;

        Connection(Thread thread, long deadline) {
            this.thread = thread;
            this.deadline = deadline;
        }

        boolean enter() {
            return STATE.compareAndSet(this, WAITING, HANDLING);
        }

        void leave(long nextDeadline) {
            deadline = nextDeadline; // written before the state, so the scanner never sees a stale deadline
            state = WAITING;
        }

        void check(long now) {
            if (state == WAITING && now - deadline >= 0 && STATE.compareAndSet(this, WAITING, CUT)) {
                LOG.debug("Closing a connection whose client did not send its request in time");
                thread.interrupt();
            }
        }
    }

    /** The daemon thread that checks every guarded connection a few times per read timeout. */
    private static final class Scanner {
        private static ScheduledExecutorService executor;

        static synchronized void start(Duration readTimeout) {
            if (executor != null) {
                return;
            }
            ScheduledThreadPoolExecutor scanner = new ScheduledThreadPoolExecutor(1,
                    Thread.ofPlatform().daemon().name("http-slow-client-guard").factory());
            long period = Math.clamp(readTimeout.toMillis() / 4, 100, 1000);
            scanner.scheduleAtFixedRate(() -> {
                long now = System.nanoTime();
                for (Connection connection : CONNECTIONS) {
                    connection.check(now);
                }
            }, period, period, TimeUnit.MILLISECONDS);
            executor = scanner;
        }
    }
}
