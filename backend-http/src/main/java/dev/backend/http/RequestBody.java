package dev.backend.http;

import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;

/**
 * The request body stream: exactly {@code Content-Length} bytes, or a chunked body decoded strictly (RFC 9112
 * §7.1): {@code chunk-size} is hex digits only, guarded against overflow; extensions are checked and ignored;
 * each chunk's data must end with CRLF; trailer fields are checked like header fields, held to the header
 * limits and discarded.
 *
 * <p>Any framing fault, a body cut short by end of stream, or a read that waits longer than the request read
 * timeout fails with an {@code IOException} carrying no internals, and marks the exchange so the connection
 * closes and a handler that gives up without answering gets 400 (or 408) rather than 500. The first read asks a
 * client that sent {@code Expect: 100-continue} for the body.
 */
final class RequestBody extends InputStream {

    /** The engine's view of a request without body: shared, so it must never be handed to a handler. */
    static final RequestBody EMPTY = new RequestBody(null, false, 0);

    private static final int SIZE_LINE = 0;
    private static final int DATA = 1;
    private static final int DATA_END = 2;
    private static final int TRAILERS = 3;
    private static final int DONE = 4;

    private final Exchange exchange;
    private final boolean chunked;
    /** Bytes left: of the whole body when fixed, of the current chunk when chunked. */
    private long remaining;
    private int state;
    private boolean closed;
    private boolean started;
    private IOException failure;
    /** Bytes read from the socket for this body, framing included: what the minimum rate is measured on. */
    private long received;
    /** Nanoseconds spent blocked waiting for this body's bytes. */
    private long waited;
    /** {@link System#nanoTime()} by which a drain must end; only read while {@code draining}. */
    private long drainDeadline;
    private boolean draining;
    /** Set from any thread by {@link #abort()}: every read from then on fails. */
    private volatile boolean aborted;
    /** For single-byte reads, made on the first. */
    private byte[] one;

    private RequestBody(Exchange exchange, boolean chunked, long length) {
        this.exchange = exchange;
        this.chunked = chunked;
        this.remaining = length;
        this.state = chunked ? SIZE_LINE : length > 0 ? DATA : DONE;
    }

    static RequestBody fixed(Exchange exchange, long length) {
        return new RequestBody(exchange, false, length);
    }

    /** An empty body of its own, for a handler: it fails reads once closed. */
    static RequestBody empty() {
        return new RequestBody(null, false, 0);
    }

    static RequestBody chunked(Exchange exchange) {
        return new RequestBody(exchange, true, 0);
    }

    boolean complete() {
        return state == DONE;
    }

    boolean chunkedBody() {
        return chunked;
    }

    /** Bytes of a fixed-length body not read yet. */
    long remaining() {
        return chunked ? Long.MAX_VALUE : remaining;
    }

    @Override
    public int read() throws IOException {
        if (one == null) {
            one = new byte[1];
        }
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] target, int offset, int length) throws IOException {
        java.util.Objects.checkFromIndexSize(offset, length, target.length);
        if (closed) {
            throw new IOException("stream is closed");
        }
        if (state == DONE) {
            return -1;
        }
        if (length == 0) {
            return 0;
        }
        if (!started) {
            started = true;
            exchange.continueIfExpected();
        }
        return next(target, offset, length);
    }

    @Override
    public int available() {
        if (closed || state != DATA || exchange == null) {
            return 0;
        }
        return (int) Math.min(remaining, exchange.connection.in.buffered());
    }

    /**
     * From any thread: ends the body here. A read blocked on the socket returns at once and, like every later
     * read, fails; the connection closes after the response, and nothing more is read from it. Does nothing to
     * a body already read whole, or to the engine's shared empty body.
     */
    void abort() {
        if (exchange == null || aborted || state == DONE) {
            return;
        }
        aborted = true;
        exchange.connection.transport.interruptRead();
    }

    boolean aborted() {
        return aborted;
    }

    /** Marks the stream closed; what is left is drained, or the connection closed, when the exchange ends. */
    @Override
    public void close() {
        closed = true;
    }

    /**
     * Reads and discards the rest, up to {@code limit} bytes, so the connection can serve another request.
     *
     * @return whether the body ended within the limit
     */
    boolean drain(long limit) {
        if (failure != null || aborted) {
            return false;
        }
        // Bounded in time as in bytes: a client trickling the rest must not hold the connection after its answer.
        draining = true;
        drainDeadline = System.nanoTime() + exchange.connection.readNanos;
        byte[] scratch = new byte[4096];
        long left = limit;
        try {
            while (state != DONE) {
                // Asking for one byte more than allowed tells a body that is too long from one that just fits.
                int n = next(scratch, 0, (int) Math.min(scratch.length, Math.max(left, 1)));
                if (n > 0) {
                    left -= n;
                    if (left < 0) {
                        return false;
                    }
                }
            }
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private int next(byte[] target, int offset, int length) throws IOException {
        if (failure != null) {
            throw failure;
        }
        while (true) {
            switch (state) {
                case DATA -> {
                    int n = data(target, offset, length);
                    if (remaining == 0) {
                        state = chunked ? DATA_END : DONE;
                    }
                    return n;
                }
                case SIZE_LINE -> chunkSize();
                case DATA_END -> dataEnd();
                case TRAILERS -> trailers();
                default -> {
                    return -1;
                }
            }
        }
    }

    private int data(byte[] target, int offset, int length) throws IOException {
        Inbound in = exchange.connection.in;
        int want = (int) Math.min(length, remaining);
        int buffered = in.buffered();
        if (buffered == 0) {
            if (want >= in.buf.length) {
                int n = readSocket(() -> in.readDirect(target, offset, want));
                remaining -= n;
                return n;
            }
            in.pos = 0;
            in.lim = 0;
            readSocket(() -> in.fill(in.buf.length));
            buffered = in.buffered();
        }
        int n = Math.min(want, buffered);
        System.arraycopy(in.buf, in.pos, target, offset, n);
        in.pos += n;
        remaining -= n;
        return n;
    }

    /** One socket read, which must make progress within the request read timeout; else the body fails. */
    private int readSocket(Read read) throws IOException {
        Connection connection = exchange.connection;
        if (aborted) {
            throw ended(connection, "");
        }
        // What is buffered for the client goes out first: it may be waiting for it before sending more.
        exchange.flushBeforeRead();
        long start = System.nanoTime();
        long wait = allowedWait(connection, start);
        if (wait <= 0) {
            throw fail(408, "request body arrived too slowly");
        }
        connection.watch(Connection.READ, start + wait);
        int n;
        try {
            n = read.run();
        } catch (IOException e) {
            throw ended(connection, "request body could not be read");
        } finally {
            connection.unwatch();
            waited += System.nanoTime() - start;
        }
        if (n < 0) {
            throw ended(connection, "request body ended early");
        }
        received += n;
        return n;
    }

    /**
     * How long the next read may wait: the request read timeout, less what the minimum body rate has left (the
     * time waited so far may not pass the timeout plus the bytes received at that rate), and, in a drain, what is
     * left of its deadline.
     */
    private long allowedWait(Connection connection, long now) {
        long wait = connection.readNanos;
        long rate = connection.engine.options.minRequestBodyRate();
        if (rate > 0) {
            double earned = received * 1e9 / rate;
            wait = Math.min(wait, (long) Math.min(Long.MAX_VALUE / 4, connection.readNanos + earned) - waited);
        }
        if (draining) {
            wait = Math.min(wait, drainDeadline - now);
        }
        return wait;
    }

    /** Why a read failed: the server gave up on the body (503: the handler answers), the client was too slow, or it broke the framing. */
    private IOException ended(Connection connection, String otherwise) {
        if (aborted) {
            // A stop ends the read before it interrupts the thread: the failure comes with the interrupt, so the
            // handler knows the stop, and not the client, cut the body short.
            exchange.awaitStopInterrupt();
            return fail(503, "request body abandoned by the server");
        }
        return connection.timedOut ? fail(408, "request body read timed out") : fail(400, otherwise);
    }

    private interface Read {
        int run() throws IOException;
    }

    /**
     * Records the status the exchange answers with and the exception the handler's read throws. A 408 is a {@link
     * SocketTimeoutException}, so a pipeline on top (backend-core) answers the client's slowness by its type,
     * whichever way the deadline was noticed, without depending on this engine or reading the message.
     */
    private IOException fail(int status, String message) {
        exchange.bodyFailure = status;
        failure = status == 408 ? new SocketTimeoutException(message) : new IOException(message);
        return failure;
    }

    /** Makes the line at {@code in.pos} complete in the buffer; returns the index of its CR. */
    private int line(int maxLength, int status, String tooLong) throws IOException {
        Inbound in = exchange.connection.in;
        int scanned = 0;
        while (true) {
            byte[] buf = in.buf;
            for (int i = in.pos + scanned; i < in.lim; i++) {
                if (buf[i] == '\n') {
                    if (i == in.pos || buf[i - 1] != '\r') {
                        throw fail(400, "line not ended by CRLF in chunked body");
                    }
                    if (i - 1 - in.pos > maxLength) {
                        throw fail(status, tooLong);
                    }
                    return i - 1;
                }
            }
            scanned = in.lim - in.pos;
            if (scanned > maxLength + 1) {
                throw fail(status, tooLong);
            }
            int n = readSocket(() -> in.fill(maxLength + 2));
            if (n == 0) {
                throw fail(status, tooLong);
            }
        }
    }

    private void chunkSize() throws IOException {
        Inbound in = exchange.connection.in;
        int end = line(exchange.connection.engine.options.maxHeaderSize(), 400, "chunk-size line too long");
        byte[] buf = in.buf;
        int i = in.pos;
        long size = 0;
        while (i < end && hexValue(buf[i]) >= 0) {
            if ((size >>> 59) != 0) {
                throw fail(400, "chunk size too large");
            }
            size = (size << 4) | hexValue(buf[i]);
            i++;
        }
        if (i == in.pos || !extensions(buf, i, end)) {
            throw fail(400, "invalid chunk-size line");
        }
        in.pos = end + 2;
        remaining = size;
        state = size == 0 ? TRAILERS : DATA;
    }

    /** {@code *( BWS ";" BWS ext-name [ BWS "=" BWS ( token / quoted-string ) ] )} up to {@code end}. */
    private static boolean extensions(byte[] buf, int i, int end) {
        while (i < end) {
            i = skipBws(buf, i, end);
            if (i == end || buf[i] != ';') {
                return false;
            }
            i = skipBws(buf, i + 1, end);
            int name = i;
            while (i < end && HeaderNames.isTokenChar(buf[i] & 0xFF)) {
                i++;
            }
            if (i == name) {
                return false;
            }
            int afterName = skipBws(buf, i, end);
            if (afterName < end && buf[afterName] == '=') {
                i = skipBws(buf, afterName + 1, end);
                if (i < end && buf[i] == '"') {
                    i = quotedString(buf, i, end);
                    if (i < 0) {
                        return false;
                    }
                } else {
                    int value = i;
                    while (i < end && HeaderNames.isTokenChar(buf[i] & 0xFF)) {
                        i++;
                    }
                    if (i == value) {
                        return false;
                    }
                }
            }
        }
        return true;
    }

    private static int skipBws(byte[] buf, int i, int end) {
        while (i < end && (buf[i] == ' ' || buf[i] == '\t')) {
            i++;
        }
        return i;
    }

    /** The index after the quoted-string starting at {@code i}, or -1 (RFC 9110 §5.6.4). */
    private static int quotedString(byte[] buf, int i, int end) {
        for (i++; i < end; i++) {
            int c = buf[i] & 0xFF;
            if (c == '"') {
                return i + 1;
            }
            if (c == '\\') {
                i++;
                if (i == end) {
                    return -1;
                }
                c = buf[i] & 0xFF;
            }
            if ((c < 0x20 && c != '\t') || c == 0x7F) {
                return -1;
            }
        }
        return -1;
    }

    private void dataEnd() throws IOException {
        Inbound in = exchange.connection.in;
        while (in.buffered() < 2) {
            if (in.pos == in.lim) {
                in.pos = 0;
                in.lim = 0;
            }
            readSocket(() -> in.fill(in.buf.length));
        }
        if (in.buf[in.pos] != '\r' || in.buf[in.pos + 1] != '\n') {
            throw fail(400, "chunk data not followed by CRLF");
        }
        in.pos += 2;
        state = SIZE_LINE;
    }

    private void trailers() throws IOException {
        HttpServerOptions options = exchange.connection.engine.options;
        Inbound in = exchange.connection.in;
        int bytes = 0;
        int count = 0;
        while (true) {
            int end = line(options.maxHeaderSize(), 431, "trailer section too large");
            int length = end - in.pos;
            bytes += length + 2;
            if (bytes > options.maxHeaderSize()) {
                throw fail(431, "trailer section too large");
            }
            if (length == 0) {
                in.pos = end + 2;
                state = DONE;
                return;
            }
            if (++count > options.maxHeaderCount()) {
                throw fail(431, "too many trailer fields");
            }
            if (!validField(in.buf, in.pos, end)) {
                throw fail(400, "invalid trailer field");
            }
            in.pos = end + 2;
        }
    }

    /** A field line as in a header section: no fold, a token name right before the colon, a clean value. */
    private static boolean validField(byte[] buf, int start, int end) {
        int i = start;
        while (i < end && HeaderNames.isTokenChar(buf[i] & 0xFF)) {
            i++;
        }
        if (i == start || i == end || buf[i] != ':') {
            return false;
        }
        for (i++; i < end; i++) {
            int c = buf[i] & 0xFF;
            if ((c < 0x20 && c != '\t') || c == 0x7F) {
                return false;
            }
        }
        return true;
    }

    private static int hexValue(byte b) {
        if (b >= '0' && b <= '9') {
            return b - '0';
        }
        if (b >= 'a' && b <= 'f') {
            return b - 'a' + 10;
        }
        if (b >= 'A' && b <= 'F') {
            return b - 'A' + 10;
        }
        return -1;
    }
}
