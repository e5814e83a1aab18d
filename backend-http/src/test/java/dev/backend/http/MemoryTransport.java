package dev.backend.http;

import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import javax.net.ssl.SSLSession;

/**
 * A connection over bytes in memory: reads hand out the input in slices of at most {@code slice} bytes (so a
 * request can arrive in pieces), writes are recorded and counted. End of input reads as end of stream.
 */
final class MemoryTransport implements Transport {

    private static final InetSocketAddress ADDRESS = new InetSocketAddress("127.0.0.1", 40000);

    private final byte[] input;
    private final int slice;
    private int at;
    private boolean interrupted;
    final ByteArrayOutputStream output = new ByteArrayOutputStream();
    int writes;
    boolean closed;

    MemoryTransport(byte[] input, int slice) {
        this.input = input;
        this.slice = slice;
    }

    @Override
    public void open() {
        // Nothing to set up in memory.
    }

    @Override
    public int read(byte[] buffer, int offset, int length) {
        if (interrupted || at >= input.length) {
            return -1;
        }
        int n = Math.min(Math.min(length, slice), input.length - at);
        System.arraycopy(input, at, buffer, offset, n);
        at += n;
        return n;
    }

    @Override
    public void write(byte[] buffer, int offset, int length) {
        output.write(buffer, offset, length);
        writes++;
    }

    @Override
    public void interruptRead() {
        interrupted = true;
    }

    @Override
    public void shutdownOutput() {
        // The output is kept for the test to read.
    }

    @Override
    public void close() {
        closed = true;
    }

    @Override
    public InetSocketAddress remoteAddress() {
        return ADDRESS;
    }

    @Override
    public InetSocketAddress localAddress() {
        return ADDRESS;
    }

    @Override
    public SSLSession sslSession() {
        return null;
    }
}
