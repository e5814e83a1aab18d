package dev.backend.http;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * One client connection and the virtual thread that serves it: wait for a request, parse its head, run its
 * exchange, repeat while both sides keep the connection (RFC 9112 §9.3), then close gracefully.
 *
 * <p>States, for {@link Engine#stop}: {@code IDLE} while the connection opens or waits for the first byte of a request
 * with nothing pending but empty lines (the only state stop closes at once), {@code READING} from a request's first
 * byte until its exchange starts and between pipelined exchanges, {@code ACTIVE} while an exchange runs, {@code
 * CLOSING} while the last response is handed over, {@code CLOSED} once stop claimed it or the thread ended, {@code
 * DRAINING} while the unread rest of an answered request's body is discarded (stop closes it at once, as an {@code
 * IDLE} one). Stop waits for {@code READING} and {@code ACTIVE}: a request whose first byte arrived before the stop is
 * answered (with {@code Connection: close}), not refused.
 *
 * <p>Output of a finished response stays buffered while bytes of a pipelined request are already waiting, so
 * responses to pipelined requests share writes; it is written before any read that could block.
 *
 * <p>Timeouts: before each blocking read or write the connection publishes a deadline and what it waits for;
 * the engine's watchdog, ticking a few times a second, ends whatever is overdue ({@link #expire}): an idle wait
 * is closed, a read is interrupted (the reader then answers 408 or fails the body read), a write stalled by a
 * client that reads nothing closes the connection. No socket timeout is used: see {@link TlsTransport}.
 */
final class Connection implements Runnable {

    static final int IDLE = 0;
    static final int READING = 1;
    static final int ACTIVE = 2;
    static final int CLOSING = 3;
    static final int CLOSED = 4;
    /** Discarding the unread rest of an answered request's body; not busy for a stop. */
    static final int DRAINING = 5;

    /** What a deadline guards: waiting for a request, a read, a write. */
    static final int WAIT = 0;
    static final int READ = 1;
    static final int WRITE = 2;

    private static final VarHandle STATE;
    private static final VarHandle DEADLINE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(Connection.class, "state", int.class);
            DEADLINE = MethodHandles.lookup().findVarHandle(Connection.class, "deadline", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** A connection whose last wait for a request took longer gives up its write buffer before the next wait. */
    private static final long SPARSE_NANOS = TimeUnit.SECONDS.toNanos(1);

    /** How long the graceful close waits for the client to close its side, and how much it reads meanwhile. */
    private static final int LINGER_MILLIS = 1000;
    private static final int LINGER_BYTES = 256 * 1024;

    final Engine engine;
    final Transport transport;
    final boolean overflow;
    final Inbound in;
    final Outbound out;
    private final RequestParser parser;
    private final RequestHead head = new RequestHead();
    /** Empty lines skipped since the last request; the parser counts on from here. */
    private int emptyLines;
    final long readNanos;
    private final long idleNanos;
    private final long firstNanos;
    private volatile int state = IDLE;
    private volatile Exchange current;
    /** {@link System#nanoTime()} by which the current read or write must end; 0 when nothing is watched. */
    private volatile long deadline;
    private volatile int watched;
    /** The watchdog ended a read: the reader reports a timeout rather than end of stream. */
    volatile boolean timedOut;
    /** The last wait for a request was long: memory matters more here than the cost of a new buffer. */
    private boolean sparse;

    Connection(Engine engine, Transport transport, boolean overflow) {
        this.engine = engine;
        this.transport = transport;
        this.overflow = overflow;
        this.in = new Inbound(transport);
        this.out = new Outbound(this);
        this.parser = new RequestParser(this);
        long read = engine.options.requestReadTimeout().toNanos();
        if (overflow) {
            read = Math.min(read, HttpServerOptions.OVERFLOW_REQUEST_TIMEOUT.toNanos());
        }
        this.readNanos = read;
        this.idleNanos = engine.options.idleTimeout().toNanos();
        this.firstNanos = Math.min(idleNanos, read);
    }

    /** Publishes a deadline for the blocking call that follows. */
    void watch(int what, long deadlineNanos) {
        watched = what;
        deadline = deadlineNanos == 0 ? 1 : deadlineNanos;
    }

    /** The blocking call returned in time. */
    void unwatch() {
        deadline = 0;
    }

    /** From the watchdog: ends the watched call if it is overdue. */
    void expire(long now) {
        long due = deadline;
        if (due == 0 || now - due < 0 || !DEADLINE.compareAndSet(this, due, 0L)) {
            return;
        }
        timedOut = true;
        switch (watched) {
            case WAIT -> closeIfIdle();
            case READ -> transport.interruptRead();
            default -> transport.close();
        }
    }

    /** Whether a request is being read or handled: what a stop waits for. */
    boolean busy() {
        int now = state;
        return now == READING || now == ACTIVE;
    }

    @Override
    public void run() {
        boolean graceful = false;
        try {
            watch(READ, System.nanoTime() + readNanos);
            transport.open();
            unwatch();
            graceful = serve();
        } catch (IOException | RuntimeException e) {
            Engine.LOG.log(Level.DEBUG, "Connection ended: {0}", e.toString());
        } finally {
            state = CLOSING;
            if (graceful) {
                closeGracefully();
            } else {
                transport.close();
            }
            state = CLOSED;
            engine.ended(this);
        }
    }

    /**
     * Serves requests until one side ends the connection.
     *
     * @return true if the last response must reach the client before the socket closes
     */
    private boolean serve() throws IOException {
        boolean first = true;
        while (true) {
            if (!awaitRequest(first)) {
                return false;
            }
            first = false;
            long headDeadline = System.nanoTime() + readNanos;
            try {
                int skipped = emptyLines;
                emptyLines = 0;
                if (!parser.parse(head, headDeadline, skipped)) {
                    return false;
                }
            } catch (HttpError e) {
                reject(e.status(), e.body(), head.method == Methods.HEAD);
                return true;
            }
            if (head.method == Methods.OPTIONS && head.target.equals("*")) {
                if (!answerServerWideOptions()) {
                    return true;
                }
                continue;
            }
            Context context = engine.contexts.find(head.path);
            HttpHandler handler = context == null ? null : context.getHandler();
            if (handler == null) {
                int status = context == null ? 404 : 500;
                reject(status, Status.reason(status) + "\n", head.method == Methods.HEAD);
                return true;
            }
            if (engine.cutOff()) {
                // A request pipelined behind one the stop cut off: its handler would run after the cut-off, on a
                // thread the stop interrupted. The connection closes unanswered, as the stop closes the rest.
                return true;
            }
            Exchange exchange = new Exchange(this, context, head, !overflow && head.persistent());
            current = exchange;
            state = ACTIVE;
            dispatch(exchange, handler);
            current = null;
            if (exchange.closeConnection) {
                return !exchange.aborted;
            }
            if (!exchange.requestBody.complete() && !drain(exchange.requestBody)) {
                return true;
            }
            if (engine.closesAfterEachResponse() && noRequestBehind()) {
                // Keep-alive was disabled after this response's headers went out, so they could not say close: end
                // the connection now, its FIN right behind the response, where a client's pool sees it before
                // reusing the connection, rather than when the stop closes it under a request. A request that has
                // already arrived behind it is answered first, with Connection: close; empty lines begin none.
                return true;
            }
        }
    }

    /**
     * Whether nothing but empty lines arrived behind the last request: those the selector has taken are read now,
     * which cannot block. A TLS transport cannot tell what has arrived ({@link Transport#hasUnreadInput}).
     */
    private boolean noRequestBehind() throws IOException {
        while (skipEmptyLines()) {
            if (!transport.hasUnreadInput() || in.fill(Inbound.INITIAL_SIZE) <= 0) {
                return true;
            }
        }
        return false;
    }

    /**
     * Reads and discards the rest of a body the handler did not read, so the connection can serve another
     * request: at most {@link HttpServerOptions#drainAmount()} bytes within the request read timeout. The answer
     * is out, so this is no running request: a stop closes the connection instead of waiting.
     *
     * @return whether the body ended in time and the connection may go on
     */
    private boolean drain(RequestBody body) {
        if (!STATE.compareAndSet(this, READING, DRAINING)) {
            return false;
        }
        // stop() sets stopping, then closes DRAINING connections: one of the two sees the other.
        if (engine.stopping()) {
            return false;
        }
        return body.drain(engine.options.drainAmount()) && STATE.compareAndSet(this, DRAINING, READING);
    }

    /**
     * Waits for the first byte of the next request, writing any buffered response first.
     *
     * @return false if the connection should end: end of stream, idle timeout, or the server is stopping
     */
    private boolean awaitRequest(boolean first) throws IOException {
        if (in.buffered() > 0 && !skipEmptyLines()) {
            return true;
        }
        out.flush();
        if (sparse) {
            out.release();
        }
        resetInput();
        state = IDLE;
        // stop() sets stopping, then looks for IDLE connections: one of the two sees the other.
        if (engine.stopping()) {
            return false;
        }
        int n;
        long waitStart = System.nanoTime();
        long deadline = waitStart + (first ? firstNanos : idleNanos);
        while (true) {
            watch(WAIT, deadline);
            try {
                n = in.fill(Inbound.INITIAL_SIZE);
            } catch (IOException e) {
                Engine.LOG.log(Level.DEBUG, "Idle connection ended: {0}", e.toString());
                return false;
            } finally {
                unwatch();
            }
            if (n <= 0 || !skipEmptyLines()) {
                break;
            }
            // Only empty lines came, which a server ignores before a request line (RFC 9112 §2.2): no request has
            // begun, so the connection stays idle, and a stop closes it at once rather than waiting for a request
            // that never comes. It is not ended here: a client may send its request right behind them.
            resetInput();
        }
        sparse = System.nanoTime() - waitStart > SPARSE_NANOS;
        return STATE.compareAndSet(this, IDLE, READING) && n > 0;
    }

    /**
     * Consumes the empty lines (CRLFs) the buffer starts with, counting them in {@link #emptyLines} up to the parser's
     * limit, so how many are accepted does not depend on how the bytes were split into reads.
     *
     * @return true if nothing else is buffered, or only a CR that may yet end an empty line: no request has begun
     */
    private boolean skipEmptyLines() {
        while (in.buffered() >= 2 && in.buf[in.pos] == '\r' && in.buf[in.pos + 1] == '\n'
                && emptyLines < RequestParser.MAX_EMPTY_LINES) {
            in.pos += 2;
            emptyLines++;
        }
        int left = in.buffered();
        return left == 0 || (left == 1 && in.buf[in.pos] == '\r');
    }

    /** Empties the input buffer, keeping a CR that {@link #skipEmptyLines} left, the start of a line yet to end. */
    private void resetInput() {
        boolean cr = in.buffered() == 1;
        in.reset();
        if (cr) {
            in.buf[0] = '\r';
            in.lim = 1;
        }
    }

    private void dispatch(Exchange exchange, HttpHandler handler) {
        Executor executor = engine.executor();
        exchange.waiter = Thread.currentThread();
        if (executor == null) {
            exchange.run(handler);
        } else {
            try {
                executor.execute(() -> exchange.run(handler));
            } catch (RejectedExecutionException e) {
                Engine.LOG.log(Level.WARNING, "The server's executor refused an exchange: {0}", e.toString());
                exchange.failBeforeHandler(503);
            }
        }
        // The handler may hand the exchange to another thread and return: it ends when its streams are closed.
        while (!exchange.released) {
            LockSupport.park(exchange);
            // A stop's interrupt meant for a handler that has returned: kept, it would make every park return at
            // once, and this thread spin until the exchange ends.
            Thread.interrupted();
        }
    }

    /** Called by the exchange when it ends, on whichever thread ended it. */
    void exchangeEnded(Exchange exchange) {
        state = READING;
        engine.exchangeEnded();
        exchange.released = true;
        Thread waiter = exchange.waiter;
        if (waiter != null && waiter != Thread.currentThread()) {
            LockSupport.unpark(waiter);
        }
    }

    /**
     * Answers {@code OPTIONS *}, the server-wide OPTIONS (RFC 9112 §3.2.4, RFC 9110 §9.3.7: about the server, not a
     * resource, "a 'ping' or 'no-op' type of method"), with {@code 200} and no content, as Go's net/http and Tomcat
     * do. No context can match the target {@code *}, so no handler could answer it. The connection goes on unless
     * the client, a stop or {@link BackendHttp#disableKeepAlive} ends it, or a body was sent, which is not read.
     *
     * @return whether the connection goes on
     */
    private boolean answerServerWideOptions() throws IOException {
        boolean close = overflow || !head.persistent() || head.hasBody() || engine.closesAfterEachResponse();
        out.write(Status.line(200));
        out.write(HttpDate.line());
        out.ascii("Content-Length: 0\r\n");
        if (close) {
            out.ascii("Connection: close\r\n\r\n");
            out.flush();
            return false;
        }
        out.ascii(head.http11 ? "\r\n" : "Connection: keep-alive\r\n\r\n");
        return true;
    }

    /** Answers a request the engine refuses, with a short body and {@code Connection: close}. */
    void reject(int status, String text, boolean headRequest) throws IOException {
        writeError(status, text, headRequest);
        out.flush();
    }

    /**
     * Buffers an engine-written error response: {@code text} as {@code text/plain}, or as {@code {"error":"..."}}
     * in {@code application/json} when the options ask for JSON.
     */
    void writeError(int status, String text, boolean headRequest) throws IOException {
        boolean json = engine.options.jsonErrors();
        byte[] body = (json ? jsonError(text.strip()) : text).getBytes(UTF_8);
        out.write(Status.line(status));
        out.write(HttpDate.line());
        out.ascii(json ? "Content-Type: application/json\r\nContent-Length: " : "Content-Type: text/plain; charset=utf-8\r\nContent-Length: ");
        out.decimal(body.length);
        out.crlf();
        out.ascii("Connection: close\r\n\r\n");
        if (!headRequest) {
            out.write(body);
        }
    }

    /** {@code {"error":"<message>"}} (RFC 8259 §7: quote, backslash and control characters escaped). */
    static String jsonError(String message) {
        StringBuilder json = new StringBuilder(message.length() + 16).append("{\"error\":\"");
        for (int i = 0; i < message.length(); i++) {
            char c = message.charAt(i);
            if (c == '"' || c == '\\') {
                json.append('\\').append(c);
            } else if (c < 0x20) {
                json.append(String.format("\\u%04x", (int) c));
            } else {
                json.append(c);
            }
        }
        return json.append("\"}").toString();
    }

    /**
     * Ends the connection so the client reads everything sent: flush, half-close, then read and discard what the
     * client still sends until it closes its side or a second passes (RFC 9112 §9.6). Closing with unread input
     * would send a reset that can destroy the response in the client's receive buffer.
     */
    private void closeGracefully() {
        try {
            out.flush();
            transport.shutdownOutput();
            watch(READ, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(LINGER_MILLIS));
            int discarded = 0;
            in.reset();
            while (discarded < LINGER_BYTES) {
                int n = in.readDirect(in.buf, 0, in.buf.length);
                if (n < 0) {
                    break;
                }
                discarded += n;
            }
        } catch (IOException | UnsupportedOperationException e) {
            Engine.LOG.log(Level.TRACE, "Graceful close cut short: {0}", e.toString());
        } finally {
            unwatch();
            transport.close();
        }
    }

    /**
     * From stop: closes the connection if it is waiting for a request with nothing pending, or draining the body
     * of a request already answered.
     */
    void closeIfIdle() {
        if (STATE.compareAndSet(this, IDLE, CLOSED) || STATE.compareAndSet(this, DRAINING, CLOSED)) {
            transport.close();
        }
    }

    /**
     * From stop, once its delay ran out: interrupts the handler running on this connection's thread (without an
     * executor; see {@link #abort()}), which may still answer before the stop closes the connection.
     *
     * @return whether a handler was interrupted
     */
    boolean interruptHandler() {
        Exchange exchange = current;
        return exchange != null && engine.executor() == null && exchange.interruptForStop();
    }

    /** From stop, after the grace period: closes the connection whatever it is doing. */
    void abort() {
        state = CLOSED;
        transport.close();
        Exchange exchange = current;
        if (exchange != null) {
            exchange.abandon();
            // A handler run inline is on this connection's thread, which no one else can reach: interrupting it
            // cuts off what it is blocked in (a lock, a query, a sleep). One on the server's executor belongs to
            // whoever owns that executor, as with the JDK's provider.
            Thread waiter = exchange.waiter;
            if (engine.executor() == null && waiter != null) {
                waiter.interrupt();
            }
        }
    }
}
