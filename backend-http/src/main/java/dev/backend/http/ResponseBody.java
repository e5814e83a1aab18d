package dev.backend.http;

import java.io.IOException;
import java.io.OutputStream;

/**
 * The response body stream, framed as {@link Exchange#sendResponseHeaders} decided: exact length, chunked,
 * close-delimited, none, or discarded (HEAD). Bytes go into the connection's write buffer; a chunk is framed
 * in place there (its size line is reserved ahead of the data and written when the chunk ends), so a chunked
 * body that fits the buffer still leaves in one write with its headers. Not synchronized: one thread writes
 * at a time, as with any exchange.
 */
final class ResponseBody extends OutputStream {

    static final int UNSET = 0;
    static final int NONE = 1;
    static final int DISCARD = 2;
    static final int FIXED = 3;
    static final int CHUNKED = 4;
    static final int RAW = 5;
    static final int CLOSED = 6;

    /** Room reserved for a chunk-size line: four hex digits (chunks are smaller than the buffer) and CRLF. */
    private static final int RESERVE = 6;
    /** Writes this large become a chunk of their own, written through. */
    private static final int LARGE = Outbound.SIZE / 2;
    private static final byte[] LAST_CHUNK = {'0', '\r', '\n', '\r', '\n'};
    private static final byte[] HEX = "0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private final Exchange exchange;
    private final Outbound out;
    private int mode = UNSET;
    private long remaining;
    /** Where the open chunk's reserved size line starts in the write buffer, or -1. */
    private int chunkStart = -1;
    /** For single-byte writes, made on the first. */
    private byte[] one;

    ResponseBody(Exchange exchange) {
        this.exchange = exchange;
        this.out = exchange.connection.out;
    }

    void start(int mode, long length) {
        this.mode = mode;
        this.remaining = length;
    }

    /** Refuses every later write: an engine-written response replaced the handler's. */
    void discardAll() {
        mode = CLOSED;
        chunkStart = -1;
    }

    @Override
    public void write(int b) throws IOException {
        if (one == null) {
            one = new byte[1];
        }
        one[0] = (byte) b;
        write(one, 0, 1);
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
        java.util.Objects.checkFromIndexSize(offset, length, bytes.length);
        switch (mode) {
            case FIXED -> {
                if (length > remaining) {
                    exchange.abort();
                    mode = CLOSED;
                    throw new IOException("too many bytes to write to stream: the response length was exceeded");
                }
                remaining -= length;
                out.write(bytes, offset, length);
            }
            case CHUNKED -> chunk(bytes, offset, length);
            case RAW -> out.write(bytes, offset, length);
            case DISCARD -> {
                // A HEAD response has no body: what a handler written for GET sends is dropped.
            }
            case UNSET -> throw new IOException("sendResponseHeaders has not been called");
            case NONE -> throw new IOException("this response has no body");
            default -> throw new IOException("stream is closed");
        }
    }

    private void chunk(byte[] bytes, int offset, int length) throws IOException {
        if (length == 0) {
            return;
        }
        if (length >= LARGE) {
            endChunk();
            hexLine(length);
            out.write(bytes, offset, length);
            out.crlf();
            return;
        }
        if (chunkStart >= 0 && out.room() < length + 2) {
            endChunk();
        }
        if (chunkStart < 0) {
            if (out.room() < RESERVE + length + 2) {
                out.flush();
            }
            chunkStart = out.count;
            out.count += RESERVE;
        }
        System.arraycopy(bytes, offset, out.buf, out.count, length);
        out.count += length;
    }

    /** Frames the open chunk, if any, so the buffer holds only complete chunks. */
    void endOpenChunk() throws IOException {
        if (mode == CHUNKED) {
            endChunk();
        }
    }

    /** Frames the open chunk: its size line goes in front, the data moves up to meet it, CRLF follows. */
    private void endChunk() throws IOException {
        if (chunkStart < 0) {
            return;
        }
        int dataStart = chunkStart + RESERVE;
        int size = out.count - dataStart;
        if (size == 0) {
            out.count = chunkStart;
            chunkStart = -1;
            return;
        }
        byte[] buf = out.buf;
        int digits = (Integer.SIZE - Integer.numberOfLeadingZeros(size) + 3) / 4;
        int at = chunkStart;
        for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4) {
            buf[at++] = HEX[(size >>> shift) & 0xF];
        }
        buf[at++] = '\r';
        buf[at++] = '\n';
        if (at < dataStart) {
            System.arraycopy(buf, dataStart, buf, at, size);
            out.count -= dataStart - at;
        }
        chunkStart = -1;
        out.crlf();
    }

    private void hexLine(long size) throws IOException {
        out.ascii(Long.toHexString(size));
        out.crlf();
    }

    @Override
    public void flush() throws IOException {
        switch (mode) {
            case FIXED, RAW -> out.flush();
            case CHUNKED -> {
                endChunk();
                out.flush();
            }
            default -> {
                // Nothing of this body is buffered.
            }
        }
    }

    /** Ends the response; closing a fixed-length body short of its length cuts the response off. */
    @Override
    public void close() throws IOException {
        switch (mode) {
            case CLOSED -> {
                return;
            }
            case UNSET -> {
                exchange.close();
                return;
            }
            case FIXED -> {
                if (remaining > 0) {
                    mode = CLOSED;
                    exchange.abort();
                    throw new IOException("insufficient bytes written to stream: " + remaining + " short of the"
                            + " response length");
                }
            }
            case CHUNKED -> {
                endChunk();
                out.write(LAST_CHUNK);
            }
            default -> {
                // NONE, DISCARD, RAW: nothing to add.
            }
        }
        mode = CLOSED;
        exchange.finish();
    }

    /** Keeps the complete chunks buffered and drops the open one; writes nothing more. */
    void truncate() {
        if (mode == CHUNKED && chunkStart >= 0) {
            out.count = chunkStart;
            chunkStart = -1;
        }
        mode = CLOSED;
    }
}
