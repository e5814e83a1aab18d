package dev.backend.http;

import java.net.URI;

/** What the parser learned from one request line and header section; one per connection, refilled per request. */
final class RequestHead {

    String method;
    String target;
    String protocol;
    boolean http11;
    RequestHeaders headers;
    URI uri;
    /** The decoded path contexts are matched against ({@code /} for an absolute-form target without a path). */
    String path;
    /** -1 when the request has no {@code Content-Length}. */
    long contentLength;
    boolean chunked;
    /** {@code Connection: close} was among the options. */
    boolean close;
    /** {@code Connection: keep-alive} was among the options. */
    boolean keepAlive;
    boolean expectContinue;

    int hostCount;
    String host;
    String transferEncoding;
    String expect;

    void reset() {
        method = null;
        target = null;
        protocol = null;
        http11 = false;
        headers = new RequestHeaders();
        uri = null;
        path = null;
        contentLength = -1;
        chunked = false;
        close = false;
        keepAlive = false;
        expectContinue = false;
        hostCount = 0;
        host = null;
        transferEncoding = null;
        expect = null;
    }

    /** Whether a body follows the head. */
    boolean hasBody() {
        return chunked || contentLength > 0;
    }

    /** Whether the client allows another request on the connection after this one (RFC 9112 §9.3). */
    boolean persistent() {
        return http11 ? !close : keepAlive && !close;
    }
}
