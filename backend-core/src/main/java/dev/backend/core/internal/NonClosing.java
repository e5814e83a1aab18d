package dev.backend.core.internal;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * A streamed body's writer's view of the stream beneath: {@link #close()} does nothing. Whoever called the writer
 * ends the body once the writer returns, and only then: a writer that closed its stream and failed afterwards (a
 * {@code try}-with-resources around the failure, or Jackson's {@code writeValue}, which closes its target either
 * way) would otherwise have sent the last chunk, or a gzip trailer, that marks the body complete (RFC 9112 §7.1).
 * Writes after such a close go on into the body, as they do in {@code TestClient}.
 */
public final class NonClosing extends FilterOutputStream {

    /**
     * The view of {@code out}.
     *
     * @param out the stream the body goes to
     */
    public NonClosing(OutputStream out) {
        super(out);
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
        out.write(bytes, offset, length);
    }

    /**
     * Does nothing, not even flush: the caller flushes as it ends the body, and a flush here would send the body's
     * end as a second small write, which a connection without {@code TCP_NODELAY} holds back until the client's
     * delayed ACK (about 40 ms).
     */
    @Override
    public void close() {
        // The body is ended by whoever called the writer.
    }
}
