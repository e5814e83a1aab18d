package dev.backend.http;

import java.io.IOException;

/**
 * A connection's read buffer, reused for every request: the parser and the body streams work on its bytes in
 * place. {@code [pos, lim)} holds bytes read but not yet consumed; bytes of a pipelined next request simply stay
 * there. It grows only while a request head needs the room, up to the limit the caller passes, and shrinks back
 * between requests, so a client with large headers does not pin memory on an idle connection.
 */
final class Inbound {

    static final int INITIAL_SIZE = 4096;

    private final Transport transport;
    byte[] buf = new byte[INITIAL_SIZE];
    int pos;
    int lim;

    Inbound(Transport transport) {
        this.transport = transport;
    }

    /** Bytes read and not consumed yet. */
    int buffered() {
        return lim - pos;
    }

    /**
     * Reads more bytes after {@code lim}, first discarding what lies before {@code pos}, then growing the buffer
     * up to {@code maxSize}.
     *
     * @return the number of bytes read, -1 at end of stream, 0 if the buffer is full at {@code maxSize}
     */
    int fill(int maxSize) throws IOException {
        if (lim == buf.length) {
            if (pos > 0) {
                System.arraycopy(buf, pos, buf, 0, lim - pos);
                lim -= pos;
                pos = 0;
            } else if (buf.length < maxSize) {
                buf = java.util.Arrays.copyOf(buf, (int) Math.min(maxSize, buf.length * 2L));
            } else {
                return 0;
            }
        }
        int n = transport.read(buf, lim, buf.length - lim);
        if (n > 0) {
            lim += n;
        }
        return n;
    }

    /** Starts over with an empty buffer of the initial size, between requests. */
    void reset() {
        pos = 0;
        lim = 0;
        if (buf.length > INITIAL_SIZE) {
            buf = new byte[INITIAL_SIZE];
        }
    }

    /** Reads straight into the caller's array, for body reads larger than the buffer. */
    int readDirect(byte[] target, int offset, int length) throws IOException {
        return transport.read(target, offset, length);
    }
}
