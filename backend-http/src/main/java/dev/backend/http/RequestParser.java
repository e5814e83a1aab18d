package dev.backend.http;

import static java.nio.charset.StandardCharsets.ISO_8859_1;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;

/**
 * Reads one request line and header section from a connection's {@link Inbound}, strictly by RFC 9112, working
 * on the buffer's bytes in place. Each line is checked and consumed as soon as its CRLF has arrived, so the
 * buffer never has to hold more than the longest line allowed, and every limit is enforced while scanning.
 *
 * <p>Decisions a lenient parser leaves open, taken here once:
 * <ul>
 * <li>Lines end with CRLF only. A bare LF or a CR anywhere else is a 400 (§2.2 allows accepting a bare LF; a
 *     server behind a proxy that disagrees about line ends can be smuggled through, so it is refused).
 * <li>Up to {@value #MAX_EMPTY_LINES} empty lines before the request line are skipped (§2.2), however they were split
 *     into reads; one more is a 400. Those that arrive while the connection waits for a request begin none
 *     ({@code Connection}), so they hold neither a stop nor the connection.
 * <li>The request line is exactly {@code method SP target SP HTTP/d.d}: single spaces, the method a token, the
 *     target visible ASCII without {@code #} (§3). The version is case-sensitive; a major version other than 1
 *     is a 505 (RFC 9110 §15.6.6); {@code HTTP/1.2} and up are served as 1.1 (RFC 9110 §2.5). A method longer
 *     than {@value #MAX_METHOD_LENGTH} characters is a 501 (§3); a request line over the limit is otherwise a 414.
 * <li>A field line starting with whitespace (obs-fold, or whitespace before the first field) is a 400 (§5.2);
 *     the name must be a token directly followed by the colon (§5.1); the value, stripped of surrounding SP and
 *     HTAB, may hold no control character but HTAB (RFC 9110 §5.5).
 * <li>{@code Content-Length} is digits only, given once (§6.3, RFC 9110 §8.6); leading zeros are allowed, and
 *     more than 18 significant digits is a 413. {@code Transfer-Encoding}
 *     must end in {@code chunked}, once (else 400), may hold no other coding (else 501), and may not come with
 *     {@code Content-Length} or in an HTTP/1.0 request (400) (§6.1, §6.3).
 * <li>An HTTP/1.1 request has exactly one valid {@code Host}; an HTTP/1.0 request at most one (§3.2). An
 *     absolute-form target's authority replaces the {@code Host} value handlers see (§3.2.2).
 * <li>{@code Expect} with a member other than {@code 100-continue} on HTTP/1.1 is a 417 (RFC 9110 §10.1.1).
 *     {@code CONNECT} is a 501: this server does not tunnel. The asterisk form is accepted with {@code OPTIONS} only (§3.2.4), and
 *     an {@code OPTIONS} to an absolute-form target with an empty path and no query is read as that form.
 * <li>A target {@link URI} cannot represent (such as {@code /%zz}) is a 400. An origin-form target is a path all
 *     through (§3.2.1): {@code //evil/a} is the path {@code //evil/a}, whose first segment is empty, not the
 *     authority {@code evil} and the path {@code /a}; its {@link URI} is {@code ////evil/a}, an empty authority
 *     and that path, so {@link URI#getRawPath()} returns the whole path.
 * </ul>
 * Every refusal is an {@link HttpError}; nothing else escapes but the transport's {@link IOException}.
 */
final class RequestParser {

    /** The most empty lines accepted before a request line, counted from the end of the last request. */
    static final int MAX_EMPTY_LINES = 8;
    /**
     * The longest method served: far above any registered one (the longest, {@code UPDATEREDIRECTREF}, has 17
     * characters); a longer one is "longer than any that it implements" (RFC 9112 §3), a 501.
     */
    static final int MAX_METHOD_LENGTH = 64;

    private final Connection connection;
    private final Inbound in;
    private final int maxLine;
    private final int maxCount;
    private final int maxHeaderSize;
    private final int maxBuffer;

    RequestParser(Connection connection) {
        HttpServerOptions options = connection.engine.options;
        this.connection = connection;
        this.in = connection.in;
        this.maxLine = options.maxRequestLineLength();
        this.maxCount = options.maxHeaderCount();
        this.maxHeaderSize = options.maxHeaderSize();
        this.maxBuffer = Math.max(maxLine, maxHeaderSize) + 2;
    }

    /**
     * Parses the next request head into {@code head}, reading until {@code deadline} ({@link System#nanoTime()}).
     *
     * @param emptyLines how many empty lines the connection already skipped before this request
     * @return false if the stream ended before a request line began (the client closed an idle connection)
     * @throws HttpError if the request must be refused; the connection is closed after answering it
     */
    boolean parse(RequestHead head, long deadline, int emptyLines) throws IOException, HttpError {
        head.reset();
        int scanned = 0;
        while (true) {
            int lf = findLf(in.pos + scanned);
            if (lf < 0) {
                scanned = in.lim - in.pos;
                if (scanned > 0 && in.buf[in.pos] != '\r' && !HeaderNames.isTokenChar(in.buf[in.pos] & 0xFF)) {
                    // No request line starts so: a method is a token. A TLS ClientHello on the plain port (its
                    // first byte 0x16) is answered now, not after REQUEST_READ_TIMEOUT waiting for a line end.
                    throw new HttpError(400, "not an HTTP/1.1 request");
                }
                if (scanned > 1 && in.buf[in.pos] == '\r' && in.buf[in.pos + 1] != '\n') {
                    // A CR that does not end an empty line is a bare CR (§2.2): answered now, not after a wait.
                    throw new HttpError(400, "bare CR");
                }
                if (scanned > maxLine + 1) {
                    throw lineTooLong(in.lim);
                }
                int n = read(deadline);
                if (n < 0) {
                    if (scanned == 0 || (scanned == 1 && in.buf[in.pos] == '\r')) {
                        return false;
                    }
                    throw new HttpError(400, "incomplete request");
                }
                if (n == 0) {
                    throw lineTooLong(in.lim);
                }
                continue;
            }
            int length = lineLength(lf);
            if (length == 0) {
                if (++emptyLines > MAX_EMPTY_LINES) {
                    throw new HttpError(400, "too many empty lines");
                }
            } else {
                if (length > maxLine) {
                    throw lineTooLong(in.pos + length);
                }
                requestLine(head, in.pos, in.pos + length);
            }
            in.pos = lf + 1;
            scanned = 0;
            if (length > 0) {
                break;
            }
        }
        int headerBytes = 0;
        int count = 0;
        while (true) {
            int lf = findLf(in.pos + scanned);
            if (lf < 0) {
                scanned = in.lim - in.pos;
                if (headerBytes + scanned > maxHeaderSize) {
                    throw new HttpError(431, "header section too large");
                }
                int n = read(deadline);
                if (n < 0) {
                    throw new HttpError(400, "incomplete request");
                }
                if (n == 0) {
                    throw new HttpError(431, "header section too large");
                }
                continue;
            }
            int length = lineLength(lf);
            headerBytes += length + 2;
            if (headerBytes > maxHeaderSize) {
                throw new HttpError(431, "header section too large");
            }
            if (length == 0) {
                in.pos = lf + 1;
                break;
            }
            if (++count > maxCount) {
                throw new HttpError(431, "too many header fields");
            }
            field(head, in.pos, in.pos + length);
            in.pos = lf + 1;
            scanned = 0;
        }
        finish(head);
        return true;
    }

    /**
     * The refusal of a request line longer than the limit, whose first bytes are {@code in.buf[in.pos, end)}: a 501
     * if its method is longer than {@link #MAX_METHOD_LENGTH}, as in a line within the limit; else a 414, the
     * target being what is too long (RFC 9112 §3: a request-target "longer than any URI it wishes to parse"); a
     * 400 if the bytes before the first space are not even a method (a token).
     */
    private HttpError lineTooLong(int end) {
        int methodEnd = Math.min(end, in.pos + MAX_METHOD_LENGTH + 1);
        for (int i = in.pos; i < methodEnd; i++) {
            int c = in.buf[i] & 0xFF;
            if (c == ' ') {
                return new HttpError(414, "request line too long");
            }
            if (!HeaderNames.isTokenChar(c)) {
                return new HttpError(400, "invalid request line");
            }
        }
        return new HttpError(501, "method too long");
    }

    private int findLf(int from) {
        byte[] buf = in.buf;
        int lim = in.lim;
        for (int i = from; i < lim; i++) {
            if (buf[i] == '\n') {
                return i;
            }
        }
        return -1;
    }

    /** The length of the line ending at the LF at {@code lf}, without its CRLF; refuses a bare LF. */
    private int lineLength(int lf) throws HttpError {
        if (lf == in.pos || in.buf[lf - 1] != '\r') {
            throw new HttpError(400, "line not ended by CRLF");
        }
        return lf - 1 - in.pos;
    }

    private int read(long deadline) throws IOException, HttpError {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            throw new HttpError(408, "");
        }
        // A response to a pipelined request may still be buffered: the client may wait for it before it sends
        // the rest of this request.
        connection.out.flush();
        connection.watch(Connection.READ, deadline);
        int n;
        try {
            n = in.fill(maxBuffer);
        } catch (IOException e) {
            if (connection.timedOut) {
                throw new HttpError(408, "");
            }
            throw e;
        } finally {
            connection.unwatch();
        }
        if (n < 0 && connection.timedOut) {
            throw new HttpError(408, "");
        }
        return n;
    }

    private void requestLine(RequestHead head, int start, int end) throws HttpError {
        byte[] buf = in.buf;
        int i = start;
        while (i < end && HeaderNames.isTokenChar(buf[i] & 0xFF)) {
            i++;
        }
        if (i == start || i == end || buf[i] != ' ') {
            throw new HttpError(400, "malformed request line");
        }
        if (i - start > MAX_METHOD_LENGTH) {
            throw new HttpError(501, "method too long");
        }
        head.method = Methods.of(buf, start, i - start);
        int targetStart = i + 1;
        int j = targetStart;
        while (j < end && buf[j] != ' ') {
            int c = buf[j] & 0xFF;
            if (c < 0x21 || c > 0x7E || c == '#') {
                throw new HttpError(400, "invalid character in request target");
            }
            j++;
        }
        if (j == targetStart || j == end) {
            throw new HttpError(400, "malformed request line");
        }
        int v = j + 1;
        if (end - v != 8 || buf[v] != 'H' || buf[v + 1] != 'T' || buf[v + 2] != 'T' || buf[v + 3] != 'P'
                || buf[v + 4] != '/' || !digit(buf[v + 5]) || buf[v + 6] != '.' || !digit(buf[v + 7])) {
            throw new HttpError(400, "malformed request line");
        }
        if (buf[v + 5] != '1') {
            throw new HttpError(505, "");
        }
        int minor = buf[v + 7] - '0';
        head.http11 = minor >= 1;
        head.protocol = minor == 1 ? "HTTP/1.1" : minor == 0 ? "HTTP/1.0" : new String(buf, v, 8, ISO_8859_1);
        head.target = new String(buf, targetStart, j - targetStart, ISO_8859_1);
    }

    /**
     * How many members of the {@code Expect} list ({@code #expectation}, RFC 9110 §10.1.1), its field lines joined by
     * commas, are {@code 100-continue}, or -1 if another expectation is among them: a 417 is for that, not for the
     * same one given twice. Empty members are ignored (RFC 9110 §5.6.1.2), so an empty {@code Expect} expects nothing.
     */
    private static int continues(String expect) {
        int continues = 0;
        for (String member : expect.split(",", -1)) {
            String trimmed = member.strip();
            if (trimmed.equalsIgnoreCase("100-continue")) {
                continues++;
            } else if (!trimmed.isEmpty()) {
                return -1;
            }
        }
        return continues;
    }

    private static boolean digit(byte b) {
        return b >= '0' && b <= '9';
    }

    private void field(RequestHead head, int start, int end) throws HttpError {
        byte[] buf = in.buf;
        byte first = buf[start];
        if (first == ' ' || first == '\t') {
            throw new HttpError(400, "obsolete line folding");
        }
        int i = start;
        while (i < end && HeaderNames.isTokenChar(buf[i] & 0xFF)) {
            i++;
        }
        if (i == start || i == end || buf[i] != ':') {
            throw new HttpError(400, "malformed header field");
        }
        int v = i + 1;
        while (v < end && (buf[v] == ' ' || buf[v] == '\t')) {
            v++;
        }
        int e = end;
        while (e > v && (buf[e - 1] == ' ' || buf[e - 1] == '\t')) {
            e--;
        }
        for (int k = v; k < e; k++) {
            int c = buf[k] & 0xFF;
            if ((c < 0x20 && c != '\t') || c == 0x7F) {
                throw new HttpError(400, "invalid character in header field value");
            }
        }
        String name = HeaderNames.normalized(buf, start, i - start);
        String value = new String(buf, v, e - v, ISO_8859_1);
        head.headers.addParsed(name, value);
        if (name == HeaderNames.HOST) {
            head.hostCount++;
            head.host = value;
        } else if (name == HeaderNames.CONTENT_LENGTH) {
            if (head.contentLength >= 0) {
                throw new HttpError(400, "more than one Content-Length");
            }
            head.contentLength = contentLength(buf, v, e);
        } else if (name == HeaderNames.TRANSFER_ENCODING) {
            head.transferEncoding = head.transferEncoding == null ? value : head.transferEncoding + "," + value;
        } else if (name == HeaderNames.CONNECTION) {
            connectionOptions(head, value);
        } else if (name == HeaderNames.EXPECT) {
            head.expect = head.expect == null ? value : head.expect + "," + value;
        }
    }

    /**
     * {@code 1*DIGIT} (RFC 9112 §6.3, RFC 9110 §8.6): any number of leading zeros, then at most 18 significant
     * digits, so the value always fits a {@code long}. A valid number with more is a body larger than this server
     * takes: 413 (RFC 9110 §15.5.14), not a malformed request.
     */
    private static long contentLength(byte[] buf, int start, int end) throws HttpError {
        if (start == end) {
            throw new HttpError(400, "invalid Content-Length");
        }
        long length = 0;
        int significant = 0;
        for (int i = start; i < end; i++) {
            byte b = buf[i];
            if (!digit(b)) {
                throw new HttpError(400, "invalid Content-Length");
            }
            if (significant > 0 || b != '0') {
                significant++;
            }
            if (significant <= 18) {
                length = length * 10 + (b - '0');
            }
        }
        if (significant > 18) {
            throw new HttpError(413, "Content-Length too large");
        }
        return length;
    }

    private static void connectionOptions(RequestHead head, String value) {
        int from = 0;
        while (from <= value.length()) {
            int comma = value.indexOf(',', from);
            int to = comma < 0 ? value.length() : comma;
            String option = value.substring(from, to).strip();
            if (option.equalsIgnoreCase("close")) {
                head.close = true;
            } else if (option.equalsIgnoreCase("keep-alive")) {
                head.keepAlive = true;
            }
            from = to + 1;
        }
    }

    private static void finish(RequestHead head) throws HttpError {
        if (head.transferEncoding != null) {
            if (!head.http11) {
                throw new HttpError(400, "Transfer-Encoding in an HTTP/1.0 request");
            }
            if (head.contentLength >= 0) {
                throw new HttpError(400, "both Transfer-Encoding and Content-Length");
            }
            transferCodings(head.transferEncoding);
            head.chunked = true;
        }
        if (head.hostCount > 1) {
            throw new HttpError(400, "more than one Host");
        }
        if (head.hostCount == 0 && head.http11) {
            throw new HttpError(400, "missing Host");
        }
        if (head.hostCount == 1 && !validHost(head.host)) {
            throw new HttpError(400, "invalid Host");
        }
        if (head.expect != null && head.http11) {
            int continues = continues(head.expect);
            if (continues < 0) {
                throw new HttpError(417, "");
            }
            head.expectContinue = continues > 0 && head.hasBody();
        }
        if (head.method == Methods.CONNECT) {
            throw new HttpError(501, "CONNECT is not supported");
        }
        target(head);
    }

    /** Accepts exactly a list ending in one {@code chunked}; other codings are not implemented here. */
    private static void transferCodings(String value) throws HttpError {
        String[] codings = value.split(",", -1);
        int last = codings.length - 1;
        while (last >= 0 && codings[last].isBlank()) {
            last--;
        }
        if (last < 0 || !codings[last].strip().equalsIgnoreCase("chunked")) {
            throw new HttpError(400, "chunked must be the final transfer coding");
        }
        for (int i = 0; i < last; i++) {
            String coding = codings[i].strip();
            if (coding.equalsIgnoreCase("chunked")) {
                throw new HttpError(400, "chunked applied more than once");
            }
            if (!coding.isEmpty()) {
                throw new HttpError(501, "unsupported transfer coding");
            }
        }
    }

    private static void target(RequestHead head) throws HttpError {
        String target = head.target;
        char first = target.charAt(0);
        boolean absolute = false;
        if (first != '/') {
            if (target.equals("*")) {
                if (head.method != Methods.OPTIONS) {
                    throw new HttpError(400, "asterisk-form target is only for OPTIONS");
                }
            } else if (startsWithIgnoreCase(target, "http://") || startsWithIgnoreCase(target, "https://")) {
                absolute = true;
            } else {
                throw new HttpError(400, "invalid request target");
            }
        }
        // An origin-form target is absolute-path ["?" query] (RFC 9112 §3.2.1): one starting with "//" is a path
        // whose first segment is empty, never an authority, though java.net.URI reads "//evil/a" as one (RFC 3986
        // §4.2). Prefixed with an empty authority, its path is all of it: "////evil/a" has the path "//evil/a".
        boolean emptyFirstSegment = !absolute && target.startsWith("//");
        URI uri;
        try {
            uri = new URI(emptyFirstSegment ? "//" + target : target);
        } catch (URISyntaxException e) {
            throw new HttpError(400, "invalid request target");
        }
        String path = uri.getPath();
        if (path == null) {
            throw new HttpError(400, "invalid request target");
        }
        if (absolute) {
            String authority = uri.getRawAuthority();
            if (authority == null || uri.getRawUserInfo() != null || !validHost(authority)) {
                throw new HttpError(400, "invalid request target");
            }
            head.headers.replaceParsed(HeaderNames.HOST, authority);
            if (path.isEmpty()) {
                if (head.method == Methods.OPTIONS && uri.getRawQuery() == null) {
                    // The same target URI as OPTIONS *, which a proxy forwards as "*" (RFC 9112 §3.2.4, §3.3).
                    head.target = "*";
                }
                path = "/";
            }
        }
        head.uri = uri;
        head.path = path;
    }

    private static boolean startsWithIgnoreCase(String s, String prefix) {
        return s.regionMatches(true, 0, prefix, 0, prefix.length());
    }

    /** {@code uri-host [ ":" port ]} (RFC 9110 §7.2, RFC 3986 §3.2.2); empty is allowed (RFC 9112 §3.2). */
    static boolean validHost(String host) {
        int length = host.length();
        int i = 0;
        if (length > 0 && host.charAt(0) == '[') {
            int close = host.indexOf(']');
            if (close < 2) {
                return false;
            }
            for (i = 1; i < close; i++) {
                char c = host.charAt(i);
                if (!(hex(c) || c == ':' || c == '.')) {
                    return false;
                }
            }
            i = close + 1;
        } else {
            while (i < length && host.charAt(i) != ':') {
                char c = host.charAt(i);
                if (c == '%') {
                    if (i + 2 >= length || !hex(host.charAt(i + 1)) || !hex(host.charAt(i + 2))) {
                        return false;
                    }
                    i += 3;
                    continue;
                }
                if (!regNameChar(c)) {
                    return false;
                }
                i++;
            }
        }
        if (i == length) {
            return true;
        }
        if (host.charAt(i) != ':' || length - i - 1 > 5) {
            return false;
        }
        for (i++; i < length; i++) {
            char c = host.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    private static boolean hex(char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }

    private static final boolean[] REG_NAME = new boolean[128];

    static {
        for (char c = 0; c < 128; c++) {
            REG_NAME[c] = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || "-._~!$&'()*+,;=".indexOf(c) >= 0;
        }
    }

    /** unreserved / sub-delims (RFC 3986 §2.2, §2.3). */
    private static boolean regNameChar(char c) {
        return c < 128 && REG_NAME[c];
    }
}
