package dev.backend.http;

import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.channels.ServerSocketChannel;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One server: its listening socket, the acceptor, the open connections, contexts, limits and lifecycle.
 *
 * <p>Threads: the acceptor is a platform thread, not a daemon, so the JVM stays up while the server runs (as
 * with the JDK's dispatcher); it only accepts, counts and starts one virtual thread per connection, which parses
 * requests, runs their handlers (inline, unless an executor was set) and writes the responses. A plain
 * connection's bytes are read by the engine's selectors ({@link SelectorTransport}), a TLS connection's by its
 * own thread with blocking I/O ({@link TlsTransport}). One more thread, the watchdog (a platform daemon thread),
 * ticks a few times a second and ends reads and writes that are past their deadline (see {@link Connection}). The
 * {@code Date} value is refreshed by the first response of each second.
 *
 * <p>Connection limit: past {@code maxConnections}, accepted sockets go to the overflow lane (one request each,
 * a short deadline, {@code Connection: close}) while it has room, else are closed at once. Reaching the limit is
 * logged at once, and then at most every ten seconds with counts, so a flood cannot flood the log.
 */
final class Engine {

    static final System.Logger LOG = System.getLogger("dev.backend.http");

    private static final long LIMIT_LOG_INTERVAL = TimeUnit.SECONDS.toNanos(10);
    /**
     * How long a stop whose delay ran out waits for the handlers it interrupted to answer before it closes their
     * connections: an interrupted wait for a lock, a pool or a socket ends at once, so this is room for writing
     * the answer and its log lines, not for more work.
     */
    static final long ANSWER_NANOS = TimeUnit.MILLISECONDS.toNanos(500);

    final HttpServerOptions options;
    final boolean tls;
    /** {@code jdk.httpserver.attributes=context}: exchange attributes are the context's (the JDK's old way). */
    final boolean contextAttributes = "context".equals(System.getProperty("jdk.httpserver.attributes"));
    final Contexts contexts = new Contexts();
    private final ServerSocket listener;
    /**
     * The selectors reading plain connections, opened by start (a server never started holds none); null for
     * TLS, whose connections read their own sockets.
     */
    private Reads reads;
    private final ReentrantLock lifecycle = new ReentrantLock();
    private final ReentrantLock quietLock = new ReentrantLock();
    private final Condition quiet = quietLock.newCondition();
    /** {@link System#nanoTime()} at which a stop stops waiting for running requests; guarded by quietLock. */
    private long stopDeadline;
    private boolean stopRequested;
    private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
    private final AtomicInteger regular = new AtomicInteger();
    private final AtomicInteger overflow = new AtomicInteger();
    private final ThreadFactory threads = Thread.ofVirtual().name("backend-http-connection-", 0).factory();
    private HttpServer server;
    private volatile Executor executor;
    private volatile HttpsConfigurator configurator;
    private boolean bound;
    private boolean started;
    private volatile boolean stopping;
    /** Set when a stop's delay ran out: from then on no exchange begins, on any connection. */
    private volatile boolean cutOff;
    private volatile boolean stopped;
    /** Set by {@link BackendHttp#disableKeepAlive}: every response from then on ends its connection. */
    private volatile boolean keepAliveDisabled;
    private Thread acceptor;
    private Thread watchdog;
    private long limitLogged = System.nanoTime() - LIMIT_LOG_INTERVAL;
    private long overflowed;
    private long refused;
    private long acceptFailureLogged = System.nanoTime() - LIMIT_LOG_INTERVAL;
    private long acceptFailures;

    Engine(HttpServerOptions options, boolean tls) throws IOException {
        this.options = options;
        this.tls = tls;
        // From a channel, so that each accepted socket has one its selector can read (SelectorTransport).
        this.listener = ServerSocketChannel.open().socket();
        listener.setReuseAddress(true);
    }

    void attach(HttpServer server) {
        this.server = server;
    }

    boolean stopping() {
        return stopping;
    }

    /** Whether a stop's delay ran out: a request read after that is not handed to a handler. */
    boolean cutOff() {
        return cutOff;
    }

    void disableKeepAlive() {
        keepAliveDisabled = true;
    }

    /** Whether every response now carries {@code Connection: close}: the server is stopping, or about to. */
    boolean closesAfterEachResponse() {
        return stopping || keepAliveDisabled;
    }

    Executor executor() {
        return executor;
    }

    HttpsConfigurator httpsConfigurator() {
        return configurator;
    }

    InetSocketAddress address() {
        return (InetSocketAddress) listener.getLocalSocketAddress();
    }

    void bind(InetSocketAddress address, int backlog) throws IOException {
        lifecycle.lock();
        try {
            if (bound) {
                throw new BindException("HttpServer already bound");
            }
            Objects.requireNonNull(address, "null address");
            if (stopping) {
                throw new IllegalStateException("server stopped");
            }
            listener.bind(address, backlog);
            bound = true;
        } finally {
            lifecycle.unlock();
        }
    }

    void setExecutor(Executor executor) {
        lifecycle.lock();
        try {
            if (started) {
                throw new IllegalStateException("server already started");
            }
            this.executor = executor;
        } finally {
            lifecycle.unlock();
        }
    }

    void setHttpsConfigurator(HttpsConfigurator configurator) {
        Objects.requireNonNull(configurator, "null HttpsConfigurator");
        lifecycle.lock();
        try {
            if (started) {
                throw new IllegalStateException("server already started");
            }
            this.configurator = configurator;
        } finally {
            lifecycle.unlock();
        }
    }

    HttpContext createContext(String path, HttpHandler handler) {
        if (handler == null || path == null) {
            throw new NullPointerException("null handler, or path parameter");
        }
        return addContext(path, handler);
    }

    HttpContext createContext(String path) {
        if (path == null) {
            throw new NullPointerException("null path parameter");
        }
        return addContext(path, null);
    }

    private HttpContext addContext(String path, HttpHandler handler) {
        if (path.isEmpty() || path.charAt(0) != '/') {
            throw new IllegalArgumentException("Illegal value for path: it must start with /");
        }
        Context context = new Context(path, handler, server);
        contexts.add(context);
        return context;
    }

    void removeContext(String path) {
        if (path == null) {
            throw new NullPointerException("null path parameter");
        }
        contexts.remove(path);
    }

    void removeContext(HttpContext context) {
        if (context == null) {
            throw new NullPointerException("null context parameter");
        }
        if (!(context instanceof Context)) {
            throw new IllegalArgumentException("wrong HttpContext type");
        }
        contexts.remove(context);
    }

    void start() {
        lifecycle.lock();
        try {
            if (!bound || started || stopping) {
                throw new IllegalStateException("server in wrong state: "
                        + (!bound ? "not bound" : started ? "already started" : "stopped"));
            }
            if (tls && configurator == null) {
                throw new IllegalStateException("no HttpsConfigurator set: call setHttpsConfigurator before start");
            }
            if (!tls) {
                try {
                    reads = Reads.forProcessors();
                } catch (IOException e) {
                    throw new UncheckedIOException("could not open a selector", e);
                }
            }
            // Like the JDK's dispatcher: inherits priority, group and context class loader; never a daemon.
            acceptor = new Thread(null, this::accept, "backend-http-acceptor-" + listener.getLocalPort(), 0, false);
            acceptor.setDaemon(false);
            started = true;
            if (reads != null) {
                reads.start();
            }
            acceptor.start();
            // A platform thread: timeouts must fire even when handlers keep every carrier of virtual threads busy.
            watchdog = Thread.ofPlatform().daemon().name("backend-http-watchdog-" + listener.getLocalPort())
                    .start(this::watch);
        } finally {
            lifecycle.unlock();
        }
    }

    private void accept() {
        while (true) {
            Socket socket;
            try {
                socket = listener.accept();
            } catch (IOException e) {
                if (stopping || listener.isClosed()) {
                    return;
                }
                // Typically out of file descriptors: pause instead of spinning, and keep serving.
                acceptFailed(e);
                pause();
                continue;
            }
            admit(socket);
        }
    }

    /** Ends overdue reads and writes until the server has stopped. */
    private void watch() {
        long tick = Math.clamp(Math.min(Math.min(options.requestReadTimeout().toNanos(), options.idleTimeout().toNanos()),
                HttpServerOptions.OVERFLOW_REQUEST_TIMEOUT.toNanos()) / 4, TimeUnit.MILLISECONDS.toNanos(5),
                TimeUnit.MILLISECONDS.toNanos(250));
        while (!stopped) {
            LockSupport.parkNanos(this, tick);
            long now = System.nanoTime();
            for (Connection connection : connections) {
                connection.expire(now);
            }
        }
    }

    private void acceptFailed(IOException e) {
        acceptFailures++;
        long now = System.nanoTime();
        if (now - acceptFailureLogged >= LIMIT_LOG_INTERVAL) {
            acceptFailureLogged = now;
            LOG.log(Level.WARNING, "Accepting connections failed {0} times since the last report, last: {1}",
                    acceptFailures, e.getMessage());
            acceptFailures = 0;
        }
    }

    private static void pause() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void admit(Socket socket) {
        boolean overflowLane = false;
        if (regular.incrementAndGet() > options.maxConnections()) {
            regular.decrementAndGet();
            if (overflow.incrementAndGet() > options.overflowConnections()) {
                overflow.decrementAndGet();
                refused++;
                limitReached();
                close(socket);
                return;
            }
            overflowLane = true;
            overflowed++;
            limitReached();
        }
        Transport transport = tls ? new TlsTransport(socket, options.tcpNoDelay(), configurator)
                : new SelectorTransport(socket, options.tcpNoDelay(), reads);
        Connection connection = new Connection(this, transport, overflowLane);
        connections.add(connection);
        try {
            threads.newThread(connection).start();
        } catch (RuntimeException | OutOfMemoryError e) {
            ended(connection);
            close(socket);
            LOG.log(Level.WARNING, "Could not start a connection thread: {0}", e.toString());
        }
    }

    private void limitReached() {
        long now = System.nanoTime();
        if (now - limitLogged < LIMIT_LOG_INTERVAL) {
            return;
        }
        limitLogged = now;
        LOG.log(Level.WARNING, "HTTP connection limit reached: {0} connections open (maxConnections {1}); since the"
                + " last report {2} over the limit were served one request each in the overflow lane and {3} were"
                + " closed at once", regular.get(), options.maxConnections(), overflowed, refused);
        overflowed = 0;
        refused = 0;
    }

    private static void close(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // Nothing was sent on it: there is nobody to tell.
        }
    }

    /** Called by each connection's thread when it ends. */
    void ended(Connection connection) {
        if (connections.remove(connection)) {
            (connection.overflow ? overflow : regular).decrementAndGet();
        }
    }

    /** Called when an exchange ends; wakes a stop waiting for the last one. */
    void exchangeEnded() {
        if (stopping) {
            quietLock.lock();
            try {
                quiet.signalAll();
            } finally {
                quietLock.unlock();
            }
        }
    }

    /**
     * Closes the listener, closes idle connections, waits up to {@code delay} seconds for running requests (being
     * read or handled) and returns as soon as none runs. Handlers still running then are interrupted and get up to
     * {@link #ANSWER_NANOS} to answer, then every connection is closed. Not restartable. A call
     * while another stop waits brings the end of that wait nearer if its own delay ends sooner (so {@code
     * stop(0)} cuts a long drain short), then returns when that stop has ended.
     */
    void stop(int delay) {
        if (delay < 0) {
            throw new IllegalArgumentException("negative delay parameter");
        }
        shortenStop(System.nanoTime() + TimeUnit.SECONDS.toNanos(delay));
        lifecycle.lock();
        try {
            if (stopping) {
                return;
            }
            stopping = true;
            try {
                listener.close();
            } catch (IOException e) {
                LOG.log(Level.DEBUG, "Closing the listening socket failed", e);
            }
            for (Connection connection : connections) {
                connection.closeIfIdle();
            }
            awaitQuiet();
            if (interruptHandlers()) {
                answerWindow();
                awaitQuiet();
            }
            for (Connection connection : connections) {
                connection.abort();
            }
            if (acceptor != null && acceptor != Thread.currentThread()) {
                acceptor.join();
            }
            if (reads != null) {
                reads.close();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            stopped = true;
            if (watchdog != null) {
                LockSupport.unpark(watchdog);
            }
            lifecycle.unlock();
        }
    }

    /**
     * Interrupts the handlers still running when the delay ran out, before any connection closes: one blocked in a
     * query, a pool's wait or a sleep gives up at once and can still send its answer, where closing first would
     * leave its client with no response at all.
     */
    private boolean interruptHandlers() {
        cutOff = true;
        boolean any = false;
        for (Connection connection : connections) {
            any |= connection.interruptHandler();
        }
        return any;
    }

    /** Gives the interrupted handlers {@link #ANSWER_NANOS} to answer; a later, shorter stop still cuts it short. */
    private void answerWindow() {
        quietLock.lock();
        try {
            stopDeadline = System.nanoTime() + ANSWER_NANOS;
        } finally {
            quietLock.unlock();
        }
    }

    private void shortenStop(long deadline) {
        quietLock.lock();
        try {
            if (!stopRequested || deadline - stopDeadline < 0) {
                stopRequested = true;
                stopDeadline = deadline;
                quiet.signalAll();
            }
        } finally {
            quietLock.unlock();
        }
    }

    private void awaitQuiet() throws InterruptedException {
        quietLock.lock();
        try {
            while (running()) {
                long left = stopDeadline - System.nanoTime();
                if (left <= 0) {
                    return;
                }
                // Bounded wait: an exchange that ends between the check and the wait is seen on the next turn.
                quiet.awaitNanos(Math.min(left, TimeUnit.MILLISECONDS.toNanos(50)));
            }
        } finally {
            quietLock.unlock();
        }
    }

    /** Connections whose request is being read or handled. */
    int busyConnections() {
        int busy = 0;
        for (Connection connection : connections) {
            if (connection.busy()) {
                busy++;
            }
        }
        return busy;
    }

    private boolean running() {
        for (Connection connection : connections) {
            if (connection.busy()) {
                return true;
            }
        }
        return false;
    }
}
