package dev.backend.core.internal;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * A streamed body's writer's view of the stream beneath: {@link #close()} only flushes. Whoever called the writer
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

    @Override
    public void close() throws IOException {
        out.flush();
    }
}
