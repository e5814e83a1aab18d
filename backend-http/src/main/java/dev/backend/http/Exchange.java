package dev.backend.http;

import com.sun.net.httpserver.Authenticator;
import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpPrincipal;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.System.Logger.Level;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One request and its response, as the {@link HttpExchange} handlers see.
 *
 * <p>{@link #sendResponseHeaders} follows the JDK's length rules (RFC 9112 §6): a positive length is exact (one
 * byte too many is an {@code IOException} on write, too few one on close, and either closes the connection); 0
 * means chunked (close-delimited for an HTTP/1.0 request); -1 means no body and ends the exchange at once. HEAD,
 * 204 and 304 never carry a body, 204 and 1xx no {@code Content-Length}; a {@code Content-Length} the handler
 * set is kept on HEAD and 304 (RFC 9110 §8.6) and replaced everywhere else by the engine's own framing. 1xx
 * responses (but 101) are interim: they are written at once and the final status follows (RFC 9110 §15.2).
 *
 * <p>The status line, fields and a body that fits the connection's buffer leave in one write, when the
 * response body is closed. The exchange ends when the response body is closed (directly, through {@link
 * #close()}, or at once for a response without body); the connection's thread waits for that even after the
 * handler returned, so a handler may finish the response from another thread.
 */
final class Exchange extends HttpExchange {

    private static final VarHandle FINISHED;
    private static final VarHandle STOP_INTERRUPT;

    static {
        try {
            FINISHED = MethodHandles.lookup().findVarHandle(Exchange.class, "finished", boolean.class);
            STOP_INTERRUPT = MethodHandles.lookup().findVarHandle(Exchange.class, "stopInterrupt", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final Connection connection;
    private final Context context;
    /** What handlers and filters receive: this, or its HTTPS face. */
    final HttpExchange face;
    private final String method;
    private final URI uri;
    private final String protocol;
    final boolean http11;
    final boolean headRequest;
    private final RequestHeaders requestHeaders;
    private ResponseHeaders responseHeaders;
    final RequestBody requestBody;
    private ResponseBody responseBody;
    /** The stream a handler gets for a request without body; made only if asked for. */
    private RequestBody emptyBody;
    private InputStream userIn;
    private OutputStream userOut;
    private final boolean persistent;
    final boolean expectContinue;
    /** A {@code 100 Continue} went out, or was left out because the body had begun to arrive: the client sends it. */
    boolean continueSent;
    private int code = -1;
    boolean headersSent;
    /** Decided when the headers go out: the connection ends after this exchange. */
    boolean closeConnection;
    /** The response was cut off: the connection closes without a graceful goodbye. */
    boolean aborted;
    /** The request body could not be read as framed; its status (400, 408) answers a handler that gave up. */
    int bodyFailure;
    private volatile boolean finished;
    /**
     * Set last, once the exchange no longer touches the connection's buffers: only then may the connection's
     * thread go on. {@code finished} comes first, while the response is still being flushed or a body drained.
     */
    volatile boolean released;
    volatile Thread waiter;
    /** {@link #NOT_INTERRUPTED}, then {@link #INTERRUPTING} and {@link #INTERRUPTED} once a stop's delay ran out. */
    private volatile int stopInterrupt;
    private Map<String, Object> attributes;
    private HttpPrincipal principal;

    Exchange(Connection connection, Context context, RequestHead head, boolean persistent) {
        this.connection = connection;
        this.context = context;
        this.method = head.method;
        this.uri = head.uri;
        this.protocol = head.protocol;
        this.http11 = head.http11;
        this.headRequest = head.method == Methods.HEAD;
        this.requestHeaders = head.headers;
        this.persistent = persistent;
        this.expectContinue = head.expectContinue;
        this.requestBody = head.chunked ? RequestBody.chunked(this) : head.contentLength > 0
                ? RequestBody.fixed(this, head.contentLength) : RequestBody.EMPTY;
        this.face = connection.transport.sslSession() == null ? this : new TlsExchange(this);
        if (connection.engine.contextAttributes) {
            attributes = context.getAttributes();
        }
    }

    private static final int NOT_INTERRUPTED = 0;
    private static final int INTERRUPTING = 1;
    private static final int INTERRUPTED = 2;

    /** Runs filters, authenticator and handler; a failure becomes a response or cuts the response off. */
    void run(HttpHandler handler) {
        try {
            List<Filter> filters = context.getFilters();
            Authenticator authenticator = context.getAuthenticator();
            HttpHandler last = authenticator == null ? handler : exchange -> authenticate(authenticator, handler, exchange);
            if (filters.isEmpty()) {
                last.handle(face);
            } else {
                new Filter.Chain(filters, last).doFilter(face);
            }
        } catch (Throwable failure) {
            handlerFailed(failure);
            if (failure instanceof VirtualMachineError error) {
                throw error;
            }
        }
    }

    /**
     * The JDK's authentication step, between the user's filters and the handler. A refused request's body is not
     * read (the JDK reads it all): the response decides whether the little there is can be drained or the
     * connection closes, so an unauthenticated client cannot make the server read an endless body.
     */
    private void authenticate(Authenticator authenticator, HttpHandler handler, HttpExchange exchange)
            throws IOException {
        Authenticator.Result result = authenticator.authenticate(exchange);
        if (result instanceof Authenticator.Success success) {
            principal = success.getPrincipal();
            handler.handle(exchange);
        } else if (result instanceof Authenticator.Retry retry) {
            exchange.sendResponseHeaders(retry.getResponseCode(), -1);
        } else if (result instanceof Authenticator.Failure failure) {
            exchange.sendResponseHeaders(failure.getResponseCode(), -1);
        }
    }

    private void handlerFailed(Throwable failure) {
        if (failure instanceof IOException || bodyFailure != 0) {
            // Reading the request or writing the response failed (perhaps wrapped by the handler): the client's
            // doing, or its connection's, so no stack trace.
            Engine.LOG.log(Level.DEBUG, "Exchange {0} {1} ended by an I/O failure: {2}", method, uri, failure.toString());
        } else {
            Engine.LOG.log(Level.WARNING, "Handler for " + method + " " + uri + " failed", failure);
        }
        if (finished) {
            return;
        }
        if (!headersSent) {
            respondWithError(bodyFailure != 0 ? bodyFailure : 500);
        } else {
            abort();
        }
    }

    /** The server's executor refused the exchange. */
    void failBeforeHandler(int status) {
        respondWithError(status);
    }

    /** Answers with an engine-written error in place of the handler's response, then ends the exchange. */
    private void respondWithError(int status) {
        clearStopInterrupt();
        headersSent = true;
        code = status;
        closeConnection = true;
        if (responseBody != null) {
            responseBody.discardAll();
        }
        try {
            connection.writeError(status, Status.reason(status) + "\n", headRequest);
            finish();
        } catch (IOException e) {
            abort();
        }
    }

    @Override
    public Headers getRequestHeaders() {
        return requestHeaders;
    }

    @Override
    public Headers getResponseHeaders() {
        if (responseHeaders == null) {
            responseHeaders = new ResponseHeaders();
        }
        return responseHeaders;
    }

    @Override
    public URI getRequestURI() {
        return uri;
    }

    @Override
    public String getRequestMethod() {
        return method;
    }

    @Override
    public HttpContext getHttpContext() {
        return context;
    }

    @Override
    public void close() {
        try {
            InputStream in = userIn != null ? userIn : requestBody != RequestBody.EMPTY ? requestBody : emptyBody;
            if (in != null) {
                in.close();
            }
        } catch (IOException e) {
            Engine.LOG.log(Level.DEBUG, "Closing the request body failed: {0}", e.toString());
        }
        if (!headersSent) {
            Engine.LOG.log(Level.WARNING, "Exchange for {0} {1} closed before sendResponseHeaders: answered 500",
                    method, uri);
            respondWithError(500);
            return;
        }
        try {
            getResponseBody().close();
        } catch (IOException e) {
            Engine.LOG.log(Level.DEBUG, "Closing the response body failed: {0}", e.toString());
        }
        if (!finished) {
            // A wrapping stream that did not close what it wraps still ends the exchange.
            abort();
        }
    }

    @Override
    public InputStream getRequestBody() {
        if (userIn != null) {
            return userIn;
        }
        if (requestBody != RequestBody.EMPTY) {
            return requestBody;
        }
        if (emptyBody == null) {
            emptyBody = RequestBody.empty();
        }
        return emptyBody;
    }

    @Override
    public OutputStream getResponseBody() {
        if (userOut != null) {
            return userOut;
        }
        return responseBody();
    }

    ResponseBody responseBody() {
        if (responseBody == null) {
            responseBody = new ResponseBody(this);
        }
        return responseBody;
    }

    @Override
    public void sendResponseHeaders(int status, long length) throws IOException {
        if (headersSent || finished) {
            throw new IOException("headers already sent");
        }
        if (status < 100 || status > 999) {
            throw new IllegalArgumentException("a status code has three digits, was " + status);
        }
        if (status < 200) {
            interim(status);
            return;
        }
        clearStopInterrupt();
        boolean noBody = headRequest || status == 204 || status == 304 || length < 0;
        boolean closeDelimited = !noBody && length == 0 && !http11;
        ResponseHeaders fields = responseHeaders;
        boolean handlerClose = fields != null && closeOption(fields);
        boolean close = handlerClose || !persistent || closeDelimited || connection.engine.closesAfterEachResponse()
                || bodyForcesClose();
        if (fields != null) {
            checkFields(fields);
        }
        Outbound out = connection.out;
        out.write(Status.line(status));
        if (fields == null || !fields.containsKey(HeaderNames.DATE)) {
            out.write(HttpDate.line());
        }
        boolean keepLength = headRequest || status == 304;
        if (fields != null) {
            writeFields(out, fields, keepLength, close && !handlerClose);
        }
        if (!noBody) {
            if (length > 0) {
                out.ascii("Content-Length: ");
                out.decimal(length);
                out.crlf();
            } else if (!closeDelimited) {
                out.ascii("Transfer-Encoding: chunked\r\n");
            }
        } else if (!keepLength && status != 204) {
            out.ascii("Content-Length: 0\r\n");
        }
        if (close && !handlerClose) {
            out.ascii("Connection: close\r\n");
        } else if (!close && !http11) {
            out.ascii("Connection: keep-alive\r\n");
        }
        out.crlf();
        code = status;
        headersSent = true;
        closeConnection = close;
        ResponseBody body = responseBody();
        if (noBody) {
            body.start(headRequest ? ResponseBody.DISCARD : ResponseBody.NONE, 0);
            finish();
        } else if (length > 0) {
            body.start(ResponseBody.FIXED, length);
        } else {
            body.start(closeDelimited ? ResponseBody.RAW : ResponseBody.CHUNKED, 0);
        }
    }

    /** Whether the handler's {@code Connection} field holds the {@code close} option. */
    private static boolean closeOption(ResponseHeaders fields) {
        List<String> values = fields.get(HeaderNames.CONNECTION);
        if (values == null) {
            return false;
        }
        for (String value : values) {
            for (String option : value.split(",")) {
                if (option.strip().equalsIgnoreCase("close")) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * Whether the unread rest of the request body rules out another request on this connection: the client was
     * not told to send it (no {@code 100 Continue} yet: never read a body it may not send), it failed, its size is
     * unknown (chunked), or it is larger than the drain allowance.
     */
    private boolean bodyForcesClose() {
        RequestBody body = requestBody;
        if (body.aborted()) {
            return true;
        }
        if (body.complete()) {
            return false;
        }
        if (expectContinue && !continueSent) {
            return true;
        }
        return bodyFailure != 0 || body.chunkedBody() || body.remaining() > connection.engine.options.drainAmount();
    }

    /**
     * Checks again the values that may have changed since they were set: those in lists, which are live. Names and
     * single values were checked when set and cannot change without being checked again.
     */
    private static void checkFields(ResponseHeaders fields) {
        for (int i = 0; i < fields.fields(); i++) {
            if (fields.single(i) != null) {
                continue;
            }
            for (String value : fields.valuesAt(i)) {
                if (value != null) {
                    ResponseHeaders.checkValue(value);
                }
            }
        }
    }

    private static void writeField(Outbound out, String name, String value) throws IOException {
        out.ascii(name);
        out.ascii(": ");
        if (value != null) {
            out.ascii(value);
        }
        out.crlf();
    }

    private static void writeFields(Outbound out, ResponseHeaders fields, boolean keepLength, boolean dropConnection)
            throws IOException {
        for (int i = 0; i < fields.fields(); i++) {
            String key = fields.key(i);
            if (key == HeaderNames.TRANSFER_ENCODING
                    || (key == HeaderNames.CONTENT_LENGTH && !keepLength)
                    || (key == HeaderNames.CONNECTION && dropConnection)) {
                continue;
            }
            String name = fields.wireName(i);
            String single = fields.single(i);
            if (single != null) {
                writeField(out, name, single);
                continue;
            }
            for (String value : fields.valuesAt(i)) {
                writeField(out, name, value);
            }
        }
    }

    /** An interim response: written now, the final one follows. None goes to an HTTP/1.0 client. */
    private void interim(int status) throws IOException {
        if (status == 101) {
            throw new IOException("101 Switching Protocols is not supported by this server");
        }
        if (!http11) {
            return;
        }
        Outbound out = connection.out;
        ResponseHeaders fields = responseHeaders;
        if (fields != null && status != 100) {
            checkFields(fields);
        }
        out.write(Status.line(status));
        if (fields != null && status != 100) {
            for (int i = 0; i < fields.fields(); i++) {
                String key = fields.key(i);
                if (key != HeaderNames.CONTENT_LENGTH && key != HeaderNames.TRANSFER_ENCODING
                        && key != HeaderNames.CONNECTION) {
                    for (String value : fields.valuesAt(i)) {
                        writeField(out, fields.wireName(i), value);
                    }
                }
            }
        }
        out.crlf();
        out.flush();
        if (status == 100) {
            continueSent = true;
        }
    }

    /**
     * Writes out what is buffered before a read that may block: a response to a pipelined request, or the part
     * of this response written so far (complete chunks only).
     */
    void flushBeforeRead() throws IOException {
        if (responseBody != null) {
            responseBody.endOpenChunk();
        }
        connection.out.flush();
    }

    /**
     * Before the handler's first read of the body: tells a waiting client to send it (RFC 9110 §10.1.1). Not when
     * some of the body is already here: that client did not wait (it sent the body with the head, or gave up
     * waiting, as curl does after a second), and RFC 9110 §10.1.1 lets a server leave the 100 out then, which
     * saves a write.
     */
    void continueIfExpected() throws IOException {
        if (expectContinue && !continueSent && !headersSent) {
            continueSent = true;
            if (connection.in.buffered() > 0) {
                return;
            }
            Outbound out = connection.out;
            out.write(Status.line(100));
            out.crlf();
            out.flush();
        }
    }

    boolean finished() {
        return finished;
    }

    /**
     * Ends the exchange after a complete response: writes the response out unless a pipelined request is waiting
     * behind it (or the request body is not read whole, which the connection then drains or closes on), and lets
     * the connection go on.
     */
    void finish() throws IOException {
        if (!FINISHED.compareAndSet(this, false, true)) {
            return;
        }
        try {
            Outbound out = connection.out;
            RequestBody body = requestBody;
            if (body.aborted()) {
                // The client may still be sending: the socket's input is shut, so close once the answer is out.
                closeConnection = true;
                out.flush();
            } else if (!body.complete()) {
                // The answer goes out now; the connection's thread drains the rest once the exchange has ended
                // (Connection#serve), so neither the handler's caller nor a stop waits for the client.
                out.flush();
            } else if (closeConnection || connection.in.buffered() == 0 || connection.engine.stopping()) {
                out.flush();
            }
        } catch (IOException e) {
            closeConnection = true;
            aborted = true;
            throw e;
        } finally {
            connection.exchangeEnded(this);
        }
    }

    /**
     * Ends the exchange with its response cut off: complete chunks already written go out, the rest does not,
     * and the connection closes, so the client sees a truncated message (RFC 9112 §8).
     */
    void abort() {
        if (!FINISHED.compareAndSet(this, false, true)) {
            return;
        }
        closeConnection = true;
        aborted = true;
        try {
            if (responseBody != null) {
                responseBody.truncate();
            }
            connection.out.flush();
        } catch (IOException e) {
            Engine.LOG.log(Level.TRACE, "Flushing a cut-off response failed: {0}", e.toString());
        } finally {
            connection.exchangeEnded(this);
        }
    }

    /**
     * From stop, once its delay ran out: interrupts the handler's thread, so that one blocked in a lock, a query or a
     * sleep gives up and can still answer before the connection closes (the answer says {@code Connection: close}).
     *
     * @return whether the exchange was still running and its thread was interrupted
     */
    boolean interruptForStop() {
        Thread thread = waiter;
        if (finished || thread == null || !STOP_INTERRUPT.compareAndSet(this, NOT_INTERRUPTED, INTERRUPTING)) {
            return false;
        }
        // A read of a body still arriving ends first, without closing the socket: the interrupt alone would close
        // it under the read, as an interrupted blocking socket does, and the handler could not answer.
        requestBody.abort();
        thread.interrupt();
        stopInterrupt = INTERRUPTED;
        return true;
    }

    /**
     * Clears the stop's interrupt from the handler's thread as it begins to answer: with the flag set, a write that
     * has to wait for the client closes the connection, as an interrupted blocking socket does, and the answer the
     * interrupt asked for would be lost. Waits out the few instructions between the stop's compare-and-set and its
     * interrupt, so no interrupt of the stop's arrives after this.
     */
    private void clearStopInterrupt() {
        if (awaitStopInterrupt()) {
            Thread.interrupted();
        }
    }

    /**
     * On the handler's thread, once a stop began to interrupt it: waits until the interrupt has been delivered.
     *
     * @return whether the stop interrupted this thread
     */
    boolean awaitStopInterrupt() {
        if (stopInterrupt == NOT_INTERRUPTED || Thread.currentThread() != waiter) {
            return false;
        }
        while (stopInterrupt != INTERRUPTED) {
            Thread.onSpinWait();
        }
        return true;
    }

    /** From stop, after the grace period: the connection is closed under the exchange. */
    void abandon() {
        if (FINISHED.compareAndSet(this, false, true)) {
            closeConnection = true;
            aborted = true;
            connection.exchangeEnded(this);
        }
    }

    @Override
    public InetSocketAddress getRemoteAddress() {
        return connection.transport.remoteAddress();
    }

    @Override
    public int getResponseCode() {
        return code;
    }

    @Override
    public InetSocketAddress getLocalAddress() {
        return connection.transport.localAddress();
    }

    @Override
    public String getProtocol() {
        return protocol;
    }

    @Override
    public Object getAttribute(String name) {
        Objects.requireNonNull(name, "null name parameter");
        if (name.equals(BackendHttp.ABORT_REQUEST_BODY) && requestBody != RequestBody.EMPTY) {
            // Per exchange even when attributes are shared by the context: it ends this exchange's body only.
            return (Runnable) requestBody::abort;
        }
        return attributes == null ? null : attributes.get(name);
    }

    @Override
    public void setAttribute(String name, Object value) {
        Objects.requireNonNull(name, "null name parameter");
        if (attributes == null) {
            attributes = new HashMap<>();
        }
        if (value == null) {
            attributes.remove(name);
        } else {
            attributes.put(name, value);
        }
    }

    @Override
    public void setStreams(InputStream in, OutputStream out) {
        if (in != null) {
            userIn = in;
        }
        if (out != null) {
            userOut = out;
        }
    }

    @Override
    public HttpPrincipal getPrincipal() {
        return principal;
    }

    @Override
    public String toString() {
        return method + " " + uri + " " + protocol;
    }
}
