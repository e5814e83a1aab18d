package dev.backend.http;

import java.io.IOException;
import java.net.InetSocketAddress;
import javax.net.ssl.SSLSession;

/**
 * A connection's byte stream, blocking, used by one thread at a time. A socket in production; tests put the
 * parser and the whole request loop on bytes in memory through the same interface.
 */
interface Transport {

    /** Prepares the stream on the connection's own thread: socket options, the TLS handshake. */
    void open() throws IOException;

    /** Reads like {@link java.io.InputStream#read(byte[], int, int)}, blocking without a time limit. */
    int read(byte[] buffer, int offset, int length) throws IOException;

    /** Writes all of it. */
    void write(byte[] buffer, int offset, int length) throws IOException;

    /**
     * Makes a read blocked on another thread return end of stream (or fail), and every later read too: how a
     * deadline ends a read. Safe from any thread.
     */
    void interruptRead();

    /** Sends end of stream to the peer while input stays readable (TCP FIN, or TLS close_notify). */
    void shutdownOutput() throws IOException;

    /** Closes both directions; safe from any thread and more than once; a blocked read or write fails. */
    void close();

    InetSocketAddress remoteAddress();

    InetSocketAddress localAddress();

    /** The TLS session, or null on a plain connection. */
    SSLSession sslSession();

    /**
     * Whether bytes have arrived that no read has taken yet, as far as can be told without blocking: a transport
     * whose reads block on the socket itself cannot tell, and says false.
     */
    default boolean hasUnreadInput() {
        return false;
    }
}
