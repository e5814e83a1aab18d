/**
 * A strict, fast HTTP/1.1 engine behind the JDK's {@code com.sun.net.httpserver} API: handlers written for the
 * JDK's server run unchanged.
 *
 * <p>Use it like the JDK's server, found as the provider ({@link com.sun.net.httpserver.HttpServer#create} picks
 * it up when this module is present, or name {@link dev.backend.http.BackendHttpServerProvider} in {@code
 * -Dcom.sun.net.httpserver.HttpServerProvider}), or create a server with explicit limits:
 *
 * {@snippet :
 * HttpServer server = BackendHttp.create(new InetSocketAddress(8080), 0, HttpServerOptions.defaults());
 * server.createContext("/hello", exchange -> {
 *     byte[] body = "Hello, World!".getBytes(StandardCharsets.UTF_8);
 *     exchange.getResponseHeaders().set("Content-Type", "text/plain");
 *     exchange.sendResponseHeaders(200, body.length);
 *     try (OutputStream out = exchange.getResponseBody()) {
 *         out.write(body);
 *     }
 * });
 * server.start();   // one virtual thread per connection; handlers run on it
 * // ...
 * server.stop(5);   // closes the listener, lets running exchanges finish for up to 5 s
 * }
 *
 * <h2>Threads</h2>
 * A non-daemon platform thread accepts; each connection gets a virtual thread that parses its requests, runs each
 * handler inline and writes the responses. A plain connection's bytes are read by the engine's selectors (one per
 * four processors, virtual threads from JDK 24), which keep each socket registered for its whole life and queue at most
 * 32 KiB of unread bytes per connection; a TLS connection's thread reads its socket with blocking I/O. With
 * {@link com.sun.net.httpserver.HttpServer#setExecutor} set, each exchange (filters, authenticator, handler) is
 * instead one task on that executor while the connection's thread waits for the exchange to end; the
 * connection's own parsing and writing stay on its virtual thread.
 *
 * <h2>Where it differs from the JDK's server</h2>
 * <ul>
 * <li>Requests are parsed strictly by RFC 9112 (see the limits in {@link dev.backend.http.HttpServerOptions}):
 *     bare LF, obs-fold, invalid {@code Content-Length}, {@code Transfer-Encoding} with {@code Content-Length}
 *     or on HTTP/1.0, a missing or repeated {@code Host}, versions other than {@code HTTP/1.x} and {@code
 *     Expect} values other than {@code 100-continue} are refused with a short response ({@code text/plain}, or
 *     {@code {"error":"..."}} with {@link dev.backend.http.HttpServerOptions#jsonErrors()}) and {@code
 *     Connection: close}. {@code CONNECT} is a 501. A target starting with {@code //} is a path whose first
 *     segment is empty (RFC 9112 §3.2.1), not an authority as {@link java.net.URI} would read it.
 * <li>{@code OPTIONS *}, the server-wide OPTIONS (RFC 9110 §9.3.7), is answered by the engine with {@code 200}
 *     and no content: no context can match the target {@code *}. The JDK's server answers it 404.
 * <li>A body the client trickles below {@link dev.backend.http.HttpServerOptions#minRequestBodyRate()} fails
 *     its read; the unread rest of an answered body is drained within the request read timeout, and a stop
 *     does not wait for it. {@link dev.backend.http.BackendHttp#ABORT_REQUEST_BODY} ends a blocked body read
 *     from another thread, so a timeout can still be answered.
 * <li>Response fields are written as the handler spelled them ({@code Content-Type}, not {@code Content-type});
 *     a handler's {@code Date} is kept; every registered status has its reason phrase.
 * <li>{@code 100 Continue} is sent when the handler first reads the body, not before the handler runs, and not
 *     at all when some of the body has already arrived (RFC 9110 §10.1.1); a handler that answers without
 *     reading gets {@code Connection: close}.
 * <li>Exchange attributes are per exchange (the JDK's newer behaviour) unless {@code
 *     jdk.httpserver.attributes=context}.
 * <li>A handler that throws before sending headers gets a 500 (the JDK closes the connection without a
 *     response); after the headers, the response is cut off and the connection closed.
 * </ul>
 */
package dev.backend.http;
