package dev.backend.http;

import java.time.Duration;
import java.util.Objects;

/**
 * The limits and timeouts of one server, fixed when it is created.
 *
 * <p>Every limit answers a request that breaks it with a short error ({@code text/plain}, or JSON with {@link
 * #jsonErrors}) and {@code Connection: close}: the connection is never reused after a request it could not read
 * exactly.
 *
 * @param maxRequestLineLength the longest request line (method, target and version, without CRLF), in bytes;
 *     longer answers {@code 414 URI Too Long} (RFC 9112 §3, RFC 9110 §15.5.15)
 * @param maxHeaderCount the most field lines in a header or trailer section; more answers {@code 431 Request
 *     Header Fields Too Large} (RFC 6585 §5)
 * @param maxHeaderSize the largest header section, every field line with its CRLF, in bytes; larger answers
 *     {@code 431}. Chunk-size lines and trailer sections are held to the same size.
 * @param requestReadTimeout how long a client may take from the first byte of a request to the end of its header
 *     section (then {@code 408 Request Timeout}, RFC 9110 §15.5.9), and how long each read of a request body may
 *     wait for data (then the handler's read fails with an {@code IOException}); also the time to finish a TLS
 *     handshake, and the most time reading and discarding a body the handler did not read may take in all
 * @param idleTimeout how long a keep-alive connection may wait for its next request before it is closed (RFC
 *     9112 §9.5); a new connection gets the shorter of this and {@code requestReadTimeout} for its first byte
 * @param maxConnections how many connections are served at once; a connection accepted beyond it goes to the
 *     overflow lane, and the first of them is logged
 * @param overflowConnections how many connections over {@code maxConnections} are served at once, each for one
 *     request with {@code Connection: close}, which has to arrive within {@link #OVERFLOW_REQUEST_TIMEOUT} (or
 *     {@code requestReadTimeout} if shorter); more are closed at once. This keeps a health probe answerable
 *     while slow clients hold every regular connection. 0 turns the lane off.
 * @param tcpNoDelay whether {@code TCP_NODELAY} is set on accepted sockets; safe by default because a response's
 *     status line, headers and small body leave in one write
 * @param drainAmount how many bytes of a request body the handler did not read are read and discarded to keep
 *     the connection, within {@code requestReadTimeout} in all; a larger or slower rest closes the connection
 *     instead. A stop does not wait for a drain: it closes the connection.
 * @param minRequestBodyRate the lowest average rate, in bytes per second, at which a client must send a request
 *     body while the server waits for it, after a grace of {@code requestReadTimeout}: a body read fails (the
 *     handler's read throws an {@code IOException}, and a handler that gives up gets {@code 408}) once the time
 *     spent waiting for the body exceeds {@code requestReadTimeout} plus the bytes received divided by this
 *     rate. Time the handler spends between reads does not count. This keeps a client that trickles its body
 *     (a body slowloris) from holding a request slot for long; 0 turns it off, leaving only the wait per read
 * @param jsonErrors whether the engine's own error responses (a request it refuses before any handler, a
 *     handler that failed before answering) are {@code application/json} bodies {@code {"error":"..."}} rather
 *     than {@code text/plain}: for servers whose application answers errors in JSON, so a client sees one
 *     format whichever layer answered
 */
public record HttpServerOptions(
        int maxRequestLineLength,
        int maxHeaderCount,
        int maxHeaderSize,
        Duration requestReadTimeout,
        Duration idleTimeout,
        int maxConnections,
        int overflowConnections,
        boolean tcpNoDelay,
        long drainAmount,
        long minRequestBodyRate,
        boolean jsonErrors) {

    /** The longest an overflow connection may take to send its single request. */
    public static final Duration OVERFLOW_REQUEST_TIMEOUT = Duration.ofSeconds(2);

    private static final HttpServerOptions DEFAULTS = new HttpServerOptions(
            8 * 1024, 200, 32 * 1024, Duration.ofSeconds(10), Duration.ofSeconds(30), 10_000, 64, true, 64 * 1024,
            1024, false);

    /** Checks every value; messages name the component and the bad value. */
    public HttpServerOptions {
        Objects.requireNonNull(requestReadTimeout, "requestReadTimeout");
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        require(maxRequestLineLength >= 64 && maxRequestLineLength <= 1 << 20,
                "maxRequestLineLength must be from 64 to 1048576 bytes, was " + maxRequestLineLength);
        require(maxHeaderCount >= 1, "maxHeaderCount must be at least 1, was " + maxHeaderCount);
        require(maxHeaderSize >= 256 && maxHeaderSize <= 16 << 20,
                "maxHeaderSize must be from 256 to 16777216 bytes, was " + maxHeaderSize);
        require(positiveMillis(requestReadTimeout), "requestReadTimeout must be from 1ms to 24 days, was "
                + requestReadTimeout);
        require(positiveMillis(idleTimeout), "idleTimeout must be from 1ms to 24 days, was " + idleTimeout);
        require(maxConnections >= 1, "maxConnections must be at least 1, was " + maxConnections);
        require(overflowConnections >= 0, "overflowConnections must not be negative, was " + overflowConnections);
        require(drainAmount >= 0, "drainAmount must not be negative, was " + drainAmount);
        require(minRequestBodyRate >= 0, "minRequestBodyRate must not be negative, was " + minRequestBodyRate);
    }

    /**
     * This engine's defaults: request line 8 KiB, 200 header lines, header section 32 KiB, request read timeout
     * 10 s, idle timeout 30 s, 10,000 connections plus 64 in the overflow lane, {@code TCP_NODELAY} on, 64 KiB
     * drained, request bodies at 1 KiB per second at least, error responses in {@code text/plain}.
     *
     * @return the shared default options
     */
    public static HttpServerOptions defaults() {
        return DEFAULTS;
    }

    /**
     * The defaults, with each value the JDK's own server reads from a system property taken from that property
     * when it is set: {@code sun.net.httpserver.maxReqHeaders} (count), {@code sun.net.httpserver.maxReqHeaderSize}
     * (bytes), {@code sun.net.httpserver.maxReqTime} and {@code sun.net.httpserver.idleInterval} (seconds),
     * {@code jdk.httpserver.maxConnections}, {@code sun.net.httpserver.nodelay} and {@code
     * sun.net.httpserver.drainAmount} (bytes). A value the JDK reads as "unlimited" or "off" (zero or negative)
     * leaves this engine's default in place: every limit stays on. Read each time it is called, so every server
     * gets the properties of its own creation.
     *
     * @return the defaults with the properties applied
     * @throws IllegalArgumentException if a property holds a number outside the range its component accepts
     */
    public static HttpServerOptions fromSystemProperties() {
        HttpServerOptions options = DEFAULTS;
        Long count = Long.getLong("sun.net.httpserver.maxReqHeaders");
        if (count != null && count > 0) {
            options = options.withMaxHeaderCount((int) Math.min(Integer.MAX_VALUE, count));
        }
        Long size = Long.getLong("sun.net.httpserver.maxReqHeaderSize");
        if (size != null && size > 0) {
            options = options.withMaxHeaderSize((int) Math.min(Integer.MAX_VALUE, size));
        }
        Long reqTime = Long.getLong("sun.net.httpserver.maxReqTime");
        if (reqTime != null && reqTime > 0) {
            options = options.withRequestReadTimeout(Duration.ofSeconds(reqTime));
        }
        Long idle = Long.getLong("sun.net.httpserver.idleInterval");
        if (idle != null && idle > 0) {
            options = options.withIdleTimeout(Duration.ofSeconds(idle));
        }
        Long connections = Long.getLong("jdk.httpserver.maxConnections");
        if (connections != null && connections > 0) {
            options = options.withMaxConnections((int) Math.min(Integer.MAX_VALUE, connections));
        }
        String noDelay = System.getProperty("sun.net.httpserver.nodelay");
        if (noDelay != null) {
            options = options.withTcpNoDelay(Boolean.parseBoolean(noDelay));
        }
        Long drain = Long.getLong("sun.net.httpserver.drainAmount");
        if (drain != null && drain >= 0) {
            options = options.withDrainAmount(drain);
        }
        return options;
    }

    /**
     * A copy with {@code maxRequestLineLength} replaced.
     *
     * @param bytes the longest request line, in bytes, from 64 to 1048576
     * @return new options
     * @throws IllegalArgumentException if the value is out of range
     */
    public HttpServerOptions withMaxRequestLineLength(int bytes) {
        return new HttpServerOptions(bytes, maxHeaderCount, maxHeaderSize, requestReadTimeout, idleTimeout,
                maxConnections, overflowConnections, tcpNoDelay, drainAmount, minRequestBodyRate, jsonErrors);
    }

    /**
     * A copy with {@code maxHeaderCount} replaced.
     *
     * @param lines the most field lines, at least 1
     * @return new options
     * @throws IllegalArgumentException if the value is out of range
     */
    public HttpServerOptions withMaxHeaderCount(int lines) {
        return new HttpServerOptions(maxRequestLineLength, lines, maxHeaderSize, requestReadTimeout, idleTimeout,
                maxConnections, overflowConnections, tcpNoDelay, drainAmount, minRequestBodyRate, jsonErrors);
    }

    /**
     * A copy with {@code maxHeaderSize} replaced.
     *
     * @param bytes the largest header section, in bytes, from 256 to 16777216
     * @return new options
     * @throws IllegalArgumentException if the value is out of range
     */
    public HttpServerOptions withMaxHeaderSize(int bytes) {
        return new HttpServerOptions(maxRequestLineLength, maxHeaderCount, bytes, requestReadTimeout, idleTimeout,
                maxConnections, overflowConnections, tcpNoDelay, drainAmount, minRequestBodyRate, jsonErrors);
    }

    /**
     * A copy with {@code requestReadTimeout} replaced.
     *
     * @param timeout from 1 ms to 24 days
     * @return new options
     * @throws IllegalArgumentException if the value is out of range
     */
    public HttpServerOptions withRequestReadTimeout(Duration timeout) {
        return new HttpServerOptions(maxRequestLineLength, maxHeaderCount, maxHeaderSize, timeout, idleTimeout,
                maxConnections, overflowConnections, tcpNoDelay, drainAmount, minRequestBodyRate, jsonErrors);
    }

    /**
     * A copy with {@code idleTimeout} replaced.
     *
     * @param timeout from 1 ms to 24 days
     * @return new options
     * @throws IllegalArgumentException if the value is out of range
     */
    public HttpServerOptions withIdleTimeout(Duration timeout) {
        return new HttpServerOptions(maxRequestLineLength, maxHeaderCount, maxHeaderSize, requestReadTimeout, timeout,
                maxConnections, overflowConnections, tcpNoDelay, drainAmount, minRequestBodyRate, jsonErrors);
    }

    /**
     * A copy with {@code maxConnections} replaced.
     *
     * @param connections at least 1
     * @return new options
     * @throws IllegalArgumentException if the value is out of range
     */
    public HttpServerOptions withMaxConnections(int connections) {
        return new HttpServerOptions(maxRequestLineLength, maxHeaderCount, maxHeaderSize, requestReadTimeout,
                idleTimeout, connections, overflowConnections, tcpNoDelay, drainAmount, minRequestBodyRate, jsonErrors);
    }

    /**
     * A copy with {@code overflowConnections} replaced.
     *
     * @param connections 0 or more; 0 turns the lane off
     * @return new options
     * @throws IllegalArgumentException if the value is out of range
     */
    public HttpServerOptions withOverflowConnections(int connections) {
        return new HttpServerOptions(maxRequestLineLength, maxHeaderCount, maxHeaderSize, requestReadTimeout,
                idleTimeout, maxConnections, connections, tcpNoDelay, drainAmount, minRequestBodyRate, jsonErrors);
    }

    /**
     * A copy with {@code tcpNoDelay} replaced.
     *
     * @param noDelay whether to set {@code TCP_NODELAY}
     * @return new options
     * @throws IllegalArgumentException if the value is out of range
     */
    public HttpServerOptions withTcpNoDelay(boolean noDelay) {
        return new HttpServerOptions(maxRequestLineLength, maxHeaderCount, maxHeaderSize, requestReadTimeout,
                idleTimeout, maxConnections, overflowConnections, noDelay, drainAmount, minRequestBodyRate, jsonErrors);
    }

    /**
     * A copy with {@code drainAmount} replaced.
     *
     * @param bytes in bytes, 0 or more
     * @return new options
     * @throws IllegalArgumentException if the value is out of range
     */
    public HttpServerOptions withDrainAmount(long bytes) {
        return new HttpServerOptions(maxRequestLineLength, maxHeaderCount, maxHeaderSize, requestReadTimeout,
                idleTimeout, maxConnections, overflowConnections, tcpNoDelay, bytes, minRequestBodyRate, jsonErrors);
    }

    /**
     * A copy with {@code minRequestBodyRate} replaced.
     *
     * @param bytesPerSecond the lowest average rate of a request body, 0 or more; 0 turns the check off
     * @return new options
     * @throws IllegalArgumentException if the value is out of range
     */
    public HttpServerOptions withMinRequestBodyRate(long bytesPerSecond) {
        return new HttpServerOptions(maxRequestLineLength, maxHeaderCount, maxHeaderSize, requestReadTimeout,
                idleTimeout, maxConnections, overflowConnections, tcpNoDelay, drainAmount, bytesPerSecond, jsonErrors);
    }

    /**
     * A copy with {@code jsonErrors} replaced.
     *
     * @param json whether the engine's own error responses are {@code {"error":"..."}} in {@code application/json}
     * @return new options
     */
    public HttpServerOptions withJsonErrors(boolean json) {
        return new HttpServerOptions(maxRequestLineLength, maxHeaderCount, maxHeaderSize, requestReadTimeout,
                idleTimeout, maxConnections, overflowConnections, tcpNoDelay, drainAmount, minRequestBodyRate, json);
    }

    private static boolean positiveMillis(Duration duration) {
        return duration.compareTo(Duration.ofMillis(1)) >= 0 && duration.toMillis() <= Integer.MAX_VALUE;
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }
}
