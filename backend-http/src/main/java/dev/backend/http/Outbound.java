package dev.backend.http;

import java.io.IOException;

/**
 * A connection's write buffer: a response's status line, fields and body gather here and leave in as few writes
 * as possible (one for a small response), and responses to pipelined requests can share a write. A write larger
 * than the buffer goes to the transport directly after what is buffered.
 *
 * <p>The buffer is given up while its connection waits a long time for a request (see {@link Connection}), so
 * an idle connection holds only its read buffer; it is made again by the next write.
 *
 * <p>Every socket write is watched: one that makes no progress for the idle timeout (a client that stopped
 * reading) closes the connection. Large writes go in slices so a slow but steady reader is not cut off.
 */
final class Outbound {

    static final int SIZE = 8192;
    private static final int SLICE = 64 * 1024;

    private final Connection connection;
    private final Transport transport;
    private final long stallNanos;
    private static final byte[] RELEASED = new byte[0];

    byte[] buf = RELEASED;
    int count;

    Outbound(Connection connection) {
        this.connection = connection;
        this.transport = connection.transport;
        this.stallNanos = connection.engine.options.idleTimeout().toNanos();
    }

    /** Room left in the buffer, which exists after this call. */
    int room() {
        ensure();
        return buf.length - count;
    }

    private void ensure() {
        if (buf.length == 0) {
            buf = new byte[SIZE];
        }
    }

    /** Gives the buffer up if nothing is in it. */
    void release() {
        if (count == 0) {
            buf = RELEASED;
        }
    }

    void write(byte[] bytes) throws IOException {
        write(bytes, 0, bytes.length);
    }

    void write(byte[] bytes, int offset, int length) throws IOException {
        ensure();
        if (length > buf.length - count) {
            flush();
            if (length >= buf.length) {
                send(bytes, offset, length);
                return;
            }
        }
        System.arraycopy(bytes, offset, buf, count, length);
        count += length;
    }

    void write(int b) throws IOException {
        ensure();
        if (count == buf.length) {
            flush();
        }
        buf[count++] = (byte) b;
    }

    /**
     * Appends the characters of {@code text} as bytes, each 0x00–0xFF (callers check); returns false, leaving
     * the buffer as it was, if they do not fit.
     */
    @SuppressWarnings("deprecation") // exactly the copy wanted: the low eight bits of each character
    boolean tryAscii(String text) {
        ensure();
        int length = text.length();
        if (length > buf.length - count) {
            return false;
        }
        // A Latin-1 string (every field name and almost every value) is copied as one array copy.
        text.getBytes(0, length, buf, count);
        count += length;
        return true;
    }

    /** Appends Latin-1 text, flushing as often as it takes. */
    void ascii(String text) throws IOException {
        if (tryAscii(text)) {
            return;
        }
        for (int i = 0; i < text.length(); i++) {
            write(text.charAt(i));
        }
    }

    /** Appends a non-negative number in decimal. */
    void decimal(long value) throws IOException {
        ensure();
        if (buf.length - count < 20) {
            flush();
        }
        int digits = 1;
        for (long v = value; v >= 10; v /= 10) {
            digits++;
        }
        int end = count + digits;
        long v = value;
        for (int i = end - 1; i >= count; i--) {
            buf[i] = (byte) ('0' + (v % 10));
            v /= 10;
        }
        count = end;
    }

    void crlf() throws IOException {
        ensure();
        if (buf.length - count < 2) {
            flush();
        }
        buf[count++] = '\r';
        buf[count++] = '\n';
    }

    void flush() throws IOException {
        if (count > 0) {
            int n = count;
            count = 0;
            send(buf, 0, n);
        }
    }

    private void send(byte[] bytes, int offset, int length) throws IOException {
        while (length > 0) {
            int n = Math.min(length, SLICE);
            connection.watch(Connection.WRITE, System.nanoTime() + stallNanos);
            try {
                transport.write(bytes, offset, n);
            } finally {
                connection.unwatch();
            }
            offset += n;
            length -= n;
        }
    }
}
