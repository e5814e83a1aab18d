package dev.backend.server;

import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import dev.backend.http.BackendHttp;
import dev.backend.http.HttpServerOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * The socket side: a {@code com.sun.net.httpserver} server from the configured engine, and the engine's own limits
 * against slow, oversized or too many clients.
 *
 * <p>The backend engine (backend-http) takes its limits per server, from {@link Config.Http}, and runs each
 * handler on the virtual thread of its connection: no executor, no hand-off per request. The JDK's provider reads
 * its limits from system properties once, when its first server in the JVM is created, so the limits of that
 * server hold for every later one; it gets one named virtual thread per exchange.
 */
final class HttpListener {

    /** How long exchanges get to end by themselves once their database work was cancelled, on a cut-off. */
    static final Duration CUT_OFF_GRACE = Duration.ofSeconds(1);

    /** Pending connections the OS queues while every accept is busy. */
    private static final int BACKLOG = 1024;
    private static final String JDK_PROVIDER = "sun.net.httpserver.DefaultHttpServerProvider";

    private final HttpServer server;
    private final Config.HttpProvider provider;
    /** The JDK provider's executor; the backend engine has none. */
    private final ExecutorService executor;
    /**
     * Exchanges in progress, which the drain waits for. On the JDK's provider, counted from the moment it hands one
     * to the executor (it reads the request there, so from its first byte) to the end of the task, which includes
     * writing the response: a request read just before the stop is answered, not cut off. On the backend engine,
     * counted around the handler: the engine's own stop waits for the requests it is still reading, and
     * interrupts the handlers it cuts off, as shutting the JDK provider's executor down interrupts its.
     */
    private final AtomicInteger exchanges = new AtomicInteger();
    /**
     * Requests inside the handler on the JDK's provider: what the stop reports (an exchange there may turn out to
     * be a connection closing). The backend engine reports its own count, which also has the requests it is
     * still reading ({@link BackendHttp#requestsInProgress}).
     */
    private final AtomicInteger handling = new AtomicInteger();
    private final ReentrantLock drainLock = new ReentrantLock();
    private final Condition idle = drainLock.newCondition();
    private volatile boolean draining;

    private HttpListener(HttpServer server, Config.HttpProvider provider, ExecutorService executor) {
        this.server = server;
        this.provider = provider;
        this.executor = executor;
    }

    /** Binds and starts serving {@code handler}. */
    static HttpListener start(Config.Http http, HttpHandler handler) {
        InetSocketAddress address = new InetSocketAddress(http.host(), http.port());
        HttpListener listener;
        try {
            listener = switch (http.provider()) {
                case BACKEND -> new HttpListener(BackendHttp.create(address, BACKLOG, options(http)), http.provider(),
                        null);
                case JDK -> new HttpListener(jdkServer(address, http), http.provider(),
                        Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("http-", 0).factory()));
            };
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot listen on " + http.host() + ":" + http.port() + ": " + e.getMessage(), e);
        }
        if (listener.executor != null) {
            listener.server.createContext("/", listener.handled(listener.closingWhileDraining(handler)));
            listener.server.setExecutor(listener.countingTasks(listener.executor));
        } else {
            listener.server.createContext("/", listener.counted(handler));
        }
        listener.server.start();
        return listener;
    }

    /**
     * The backend engine's limits, from the configuration; the rest are the engine's defaults. Its own error
     * responses are JSON, as every error the application answers is.
     */
    static HttpServerOptions options(Config.Http http) {
        return HttpServerOptions.defaults()
                .withMaxHeaderSize(http.maxHeaderSize())
                .withRequestReadTimeout(http.requestReadTimeout())
                .withIdleTimeout(http.idleConnectionTimeout())
                .withMaxConnections(http.maxHttpConnections())
                .withMinRequestBodyRate(http.minRequestBodyRate())
                .withJsonErrors(true);
    }

    private static HttpServer jdkServer(InetSocketAddress address, Config.Http http) throws IOException {
        // A client that trickles its request (slowloris) is cut off maxReqTime seconds after its first byte; an
        // idle keep-alive connection after idleInterval seconds. Both take whole seconds, rounded up here.
        System.setProperty("sun.net.httpserver.maxReqTime", Long.toString(ceilSeconds(http.requestReadTimeout())));
        System.setProperty("sun.net.httpserver.idleInterval", Long.toString(ceilSeconds(http.idleConnectionTimeout())));
        // Idle connections are only looked at every clockTick (10 s by default), which would stretch a short
        // idle timeout by up to that much.
        long idleMillis = http.idleConnectionTimeout().toMillis();
        System.setProperty("sun.net.httpserver.clockTick", Long.toString(Math.clamp(idleMillis / 4, 100, 10_000)));
        System.setProperty("sun.net.httpserver.maxReqHeaderSize", Integer.toString(http.maxHeaderSize()));
        System.setProperty("jdk.httpserver.maxConnections", Integer.toString(http.maxHttpConnections()));
        // Without TCP_NODELAY a response that leaves in two writes (a streamed body's last chunk after its data)
        // waits for the client's delayed ACK, about 40 ms on Linux: backend-http, like most servers, sets it too.
        // An operator's own -Dsun.net.httpserver.nodelay stands.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
        // backend-http is on the class path as a provider too: HttpServer.create would pick it unless told.
        System.setProperty("com.sun.net.httpserver.HttpServerProvider", JDK_PROVIDER);
        HttpServer server = HttpServer.create(address, BACKLOG);
        if (!server.getClass().getName().startsWith("sun.net.httpserver.")) {
            server.stop(0);
            throw new IllegalStateException("HTTP_PROVIDER=jdk was asked for, but this JVM already uses "
                    + server.getClass().getName() + " for HttpServer.create (its provider is chosen once per JVM)");
        }
        return server;
    }

    int port() {
        return server.getAddress().getPort();
    }

    /** Requests being handled right now; on the backend engine also those whose request is still being read. */
    int inFlight() {
        return executor != null ? handling.get() : BackendHttp.requestsInProgress(server);
    }

    /** Exchanges in progress: being read, handled or answered; the drain waits for these. */
    int exchanges() {
        return exchanges.get();
    }

    /**
     * From now on every response says {@code Connection: close}, so the connection it came on closes once it is
     * written and a client or proxy opens a fresh one (to another instance, once its load balancer has taken
     * this one out) for its next request. The listening socket stays open and serves for {@code delay}; then
     * this returns.
     *
     * <p>An idle keep-alive connection is left alone: HTTP/1.1 has no way to tell its client not to reuse it,
     * and closing it from this side races a proxy that picks it at that instant. It goes away without a race
     * when its client closes it after the client's own idle timeout, or carries one more request, whose
     * response closes it. Hence the rule in docs/operations.md: the proxy's idle timeout for upstream
     * connections is shorter than {@code SHUTDOWN_DELAY}.
     */
    void retire(Duration delay) {
        closeAfterEachResponse();
        try {
            Thread.sleep(delay);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Closes the listening socket at once, waits up to {@code grace} for the exchanges in progress, then
     * closes every connection. Returns as soon as the last exchange ends, not after {@code grace}.
     *
     * @return how many exchanges were still running when {@code grace} ran out, and were cut off
     */
    int stop(Duration grace) {
        return stop(grace, () -> () -> { });
    }

    /**
     * As {@link #stop(Duration)}, running {@code beforeCutOff} when exchanges are still in progress after
     * {@code grace}, and giving them up to {@link #CUT_OFF_GRACE} more to end by themselves before they are
     * interrupted: the server cancels their database statements there, which an interrupt would only cut off
     * from PostgreSQL, leaving them to run on and commit. What {@code beforeCutOff} returns runs right before the
     * interrupts, to give up what it started and is still waiting (a cancel on a silent server). The backend engine
     * then gives the interrupted handlers a moment to answer (503 from the pipeline) before it closes their
     * connections.
     */
    int stop(Duration grace, Supplier<Runnable> beforeCutOff) {
        closeAfterEachResponse();
        // Both engines close the listening socket first thing in stop(delay), then wait for their exchanges,
        // but count whole seconds: stop(delay) runs aside to close the socket now and drain, the grace is
        // measured here, and stop(0) below ends the aside call's wait once it is over.
        long deadline = System.nanoTime() + grace.toNanos();
        int delaySeconds = (int) Math.min(Integer.MAX_VALUE, grace.plus(CUT_OFF_GRACE).toSeconds() + 1);
        Thread closer = Thread.ofPlatform().daemon().name("http-listener-close").start(() -> server.stop(delaySeconds));
        if (provider == Config.HttpProvider.BACKEND) {
            // The engine also waits for requests it is still reading, which no handler has seen yet.
            joinUntil(closer, deadline);
        }
        int cutOff = awaitIdle(deadline);
        if (executor == null) {
            // The engine's own count also has the requests it is still reading, which the stop cuts off too.
            cutOff = Math.max(cutOff, BackendHttp.requestsInProgress(server));
        }
        if (cutOff > 0) {
            Runnable giveUp = beforeCutOff.get();
            awaitIdle(System.nanoTime() + CUT_OFF_GRACE.toNanos());
            giveUp.run();
        }
        server.stop(0);
        if (executor != null) {
            executor.shutdownNow();
        }
        return cutOff;
    }

    private void closeAfterEachResponse() {
        draining = true;
        if (provider == Config.HttpProvider.BACKEND) {
            // The engine says it on responses whose handlers are already running too, and on its own answers.
            BackendHttp.disableKeepAlive(server);
        }
    }

    /**
     * The JDK's provider: {@code Connection: close} on each response whose handler starts while draining. One
     * already running when the drain began is answered without it; nothing in that provider's API can add it once
     * the handler has started. backend-http needs no such wrapper ({@link BackendHttp#disableKeepAlive}).
     */
    private HttpHandler closingWhileDraining(HttpHandler handler) {
        return exchange -> {
            if (draining) {
                // A keep-alive client should take its next request to another instance.
                exchange.getResponseHeaders().set("Connection", "close");
            }
            handler.handle(exchange);
        };
    }

    /** The JDK provider's requests inside the handler, within the tasks {@link #countingTasks} counts. */
    private HttpHandler handled(HttpHandler handler) {
        return exchange -> {
            handling.incrementAndGet();
            try {
                handler.handle(exchange);
            } finally {
                handling.decrementAndGet();
            }
        };
    }

    /** The backend engine's count, around the handler. */
    private HttpHandler counted(HttpHandler handler) {
        return exchange -> {
            exchanges.incrementAndGet();
            try {
                handler.handle(exchange);
            } finally {
                ended();
            }
        };
    }

    /** The JDK provider's count, around each task it hands the executor. */
    private Executor countingTasks(Executor executor) {
        return task -> {
            exchanges.incrementAndGet();
            try {
                executor.execute(() -> {
                    try {
                        task.run();
                    } finally {
                        ended();
                    }
                });
            } catch (RuntimeException rejected) {
                ended();
                throw rejected;
            }
        };
    }

    private void ended() {
        if (exchanges.decrementAndGet() == 0 && draining) {
            drainLock.lock();
            try {
                idle.signalAll();
            } finally {
                drainLock.unlock();
            }
        }
    }

    private static void joinUntil(Thread thread, long deadline) {
        try {
            long left = deadline - System.nanoTime();
            if (left > 0) {
                thread.join(Duration.ofNanos(left));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private int awaitIdle(long deadline) {
        drainLock.lock();
        try {
            for (long left = deadline - System.nanoTime(); exchanges.get() > 0 && left > 0;
                    left = deadline - System.nanoTime()) {
                idle.awaitNanos(Math.min(left, TimeUnit.MILLISECONDS.toNanos(50)));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            drainLock.unlock();
        }
        return exchanges.get();
    }

    private static long ceilSeconds(Duration duration) {
        return Math.max(1, duration.toSeconds() + (duration.toNanosPart() > 0 ? 1 : 0));
    }
}
