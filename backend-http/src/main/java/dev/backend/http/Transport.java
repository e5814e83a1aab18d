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

    /** Reads like {@link java.io.InputStream#read(byte[], int, int)}; a read past the timeout throws
     * {@link java.net.SocketTimeoutException}. */
    int read(byte[] buffer, int offset, int length) throws IOException;

    /** Writes all of it. */
    void write(byte[] buffer, int offset, int length) throws IOException;

    /** The most each later read waits, in milliseconds, at least 1. */
    void readTimeout(int millis) throws IOException;

    /** Sends end of stream to the peer while input stays readable (TCP FIN, or TLS close_notify). */
    void shutdownOutput() throws IOException;

    /** Closes both directions; safe from any thread and more than once; a blocked read or write fails. */
    void close();

    InetSocketAddress remoteAddress();

    InetSocketAddress localAddress();

    /** The TLS session, or null on a plain connection. */
    SSLSession sslSession();
}
