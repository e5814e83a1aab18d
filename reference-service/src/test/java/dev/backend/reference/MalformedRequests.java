package dev.backend.reference;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import java.util.UUID;

/**
 * Requests a hostile or broken client sends, drawn from a seeded {@link Random}: malformed request lines,
 * targets ({@code /%zz}, {@code /%FF}, control characters, huge ones), headers, body framing, and JSON bodies of
 * every wrong shape for the users API. Each is the request's bytes as they go on the wire, and a kind for the
 * report.
 */
final class MalformedRequests {

    /** One request: what kind of fault it carries, and its bytes. */
    record Sample(String kind, byte[] bytes) {}

    private static final List<String> METHODS = List.of("GET", "POST", "PUT", "DELETE", "HEAD", "OPTIONS", "PATCH",
            "get", "G3T", "GET\u0000", "BREW", "CONNECT", "TRACE", "PRI", "M".repeat(300), "");
    private static final List<String> VERSIONS = List.of("HTTP/1.1", "HTTP/1.0", "HTTP/2.0", "HTTP/1.12", "http/1.1",
            "HTTP/1", "", "HTTP/1.1 x", "HTTP/9.9", "HTTP/1.1\u0000", "HTTPS/1.1");
    private static final List<String> TARGETS = List.of("/%zz", "/%FF", "/%", "/%0", "/%00", "/api/v1/users/%FF",
            "/api/v1/users/%zz", "/api/v1/users/%FE%FF", "/api/v1/users/not-a-uuid", "/api/v1/users/1-1-1-1-1",
            "/api/v1/users?limit=abc", "/api/v1/users?limit=-1", "/api/v1/users?limit=99999999999999999999",
            "/api/v1/users?limit=+5", "/api/v1/users?cursor=%zz", "/api/v1/users?cursor=garbage",
            "/api/v1/users?cursor=" + "A".repeat(500), "/api/v1/users?%FF=1", "/api/v1/users?a=%C0%AF", "*",
            "http://example.com/api/v1/users", "//", "/../../etc/passwd", "/%2e%2e/%2e%2e/", "/health/%FF",
            "/health/live?%zz", "/api/v1/users/" + "%C3%A9", "/caf\u00e9", "/a\u0001b", "/a\tb", "/a b", "/a\u007fb",
            "/api/v1/users#frag", "/api/v1/users/;x=1", "/\u00ff\u00fe");
    private static final List<String> HEADER_FAULTS = List.of("NoColonHere", " Leading: space", "Name : spaced",
            "Na me: v", "X-Fold: a\r\n folded", ": empty-name", "X-Nul: a\u0000b", "X-Cr: a\rb", "X-Utf8: caf\u00e9",
            "Content-Type: application/json; charset=latin1", "Expect: 100-continue", "Expect: teapot",
            "Connection: close, upgrade", "Accept-Encoding: gzip;q=abc", "Accept-Encoding: " + "gzip,".repeat(500),
            "Host: a\r\nHost: b", "Transfer-Encoding: chunked", "Content-Length: ", "Content-Length: 1e3",
            "If-None-Match: " + "\"x\",".repeat(100), "X-Request-Id: <script>", "X-Request-Id: " + "r".repeat(300),
            "Origin: null", "Authorization: Basic %%%");
    private static final List<String> FRAMINGS = List.of(
            "Transfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n",
            "Transfer-Encoding: chunked\r\n\r\nfffffffffffffffffff\r\nhello\r\n0\r\n\r\n",
            "Transfer-Encoding: chunked\r\n\r\n5\r\nhelloXX\r\n0\r\n\r\n",
            "Transfer-Encoding: chunked\r\n\r\n-5\r\nhello\r\n0\r\n\r\n",
            "Transfer-Encoding: chunked\r\n\r\n0x5\r\nhello\r\n0\r\n\r\n",
            "Transfer-Encoding: chunked\r\n\r\n5 \r\nhello\r\n0\r\n\r\n",
            "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\nX-Trailer: v\r\n\r\n",
            "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n",
            "Transfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
            "Content-Length: +2\r\n\r\n{}",
            "Content-Length: -1\r\n\r\n",
            "Content-Length: 2, 2\r\n\r\n{}",
            "Content-Length: 0x2\r\n\r\n{}",
            "Content-Length: 2\r\nContent-Length: 2\r\n\r\n{}",
            "Content-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
            "Content-Length: 99999999999999999999999\r\n\r\n{}",
            "Content-Length: 100\r\n\r\n{}",
            "Content-Length: 1\r\n\r\n{}",
            "Transfer-Encoding: gzip\r\n\r\n{}",
            "Transfer-Encoding: chunked, gzip\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
            "Transfer-Encoding: identity\r\n\r\n{}",
            "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n");
    private static final List<String> JSON_BODIES = List.of("null", "[]", "1", "\"s\"", "true", "{}", "{\"email\":1}",
            "{\"email\":\"a@b.co\",\"name\":null}", "{\"email\":\"a@b.co\",\"name\":[]}", "{\"email\":\"a@b.co\"}",
            "{\"email\":{\"x\":1},\"name\":\"A\"}", "{\"email\":\"a@b.co\",\"name\":\"A\",\"extra\":1}",
            "{\"email\":\"a@b.co\",\"email\":\"c@d.co\",\"name\":\"A\"}", "{", "{\"email\":", "}", "{}x",
            "\ufeff{\"email\":\"a@b.co\",\"name\":\"A\"}", "{\"email\":\"not-an-email\",\"name\":\"A\"}",
            "{\"email\":\"a@b.co\",\"name\":\"\"}", "{\"email\":\"a@b.co\",\"name\":\"a\\u0000b\"}",
            "{\"email\":\"a@b.co\",\"name\":\"\\ud800\"}", "{\"email\":1e999999,\"name\":\"A\"}",
            "[".repeat(5000) + "]".repeat(5000), "{\"a\":".repeat(2000) + "1" + "}".repeat(2000),
            "{\"email\":\"" + "x".repeat(70_000) + "@b.co\",\"name\":\"A\"}", "{'email':'a@b.co'}",
            "{\"email\":\"a@b.co\",\"name\":\"A\"} {\"again\":1}", "NaN", "-", "\"\\x41\"");
    private static final List<String> CONTENT_TYPES = List.of("application/json", "application/json; charset=utf-8",
            "text/plain", "application/json;charset=utf-16", "application/problem+json", "", "application/xml",
            "application/json\u0000");

    private final Random random;

    MalformedRequests(long seed) {
        this.random = new Random(seed);
    }

    /** The next request: one kind of fault, sometimes two. */
    Sample next() {
        return switch (random.nextInt(6)) {
            case 0 -> new Sample("request line", requestLine());
            case 1 -> new Sample("target", request(pick(List.of("GET", "HEAD", "DELETE", "POST")), pick(TARGETS), "",
                    ""));
            case 2 -> new Sample("header", request(pick(List.of("GET", "POST")), "/api/v1/users",
                    pick(HEADER_FAULTS) + "\r\n" + (random.nextInt(4) == 0 ? manyHeaders() : ""), ""));
            case 3 -> new Sample("framing", framing());
            default -> new Sample("json body", json());
        };
    }

    private byte[] requestLine() {
        String separator = pick(List.of(" ", " ", " ", "  ", "\t", ""));
        String line = pick(METHODS) + separator + pick(List.of("/", "/api/v1/users", "/health/live", pick(TARGETS)))
                + separator + pick(VERSIONS);
        String ending = pick(List.of("\r\n", "\r\n", "\n", "\r", "\r\r\n"));
        return bytes(line + ending + "Host: fuzz" + ending + ending);
    }

    private byte[] framing() {
        String path = random.nextBoolean() ? "/api/v1/users" : "/api/v1/users/" + UUID.randomUUID();
        String method = path.equals("/api/v1/users") ? "POST" : "PUT";
        return bytes(method + " " + path + " HTTP/1.1\r\nHost: fuzz\r\nContent-Type: application/json\r\n"
                + pick(FRAMINGS));
    }

    private byte[] json() {
        String body = random.nextInt(5) == 0 ? validUser() : pick(JSON_BODIES);
        byte[] payload = random.nextInt(10) == 0 ? invalidUtf8(body) : bytes(body);
        String path = random.nextInt(4) == 0 ? "/api/v1/users/" + UUID.randomUUID() : "/api/v1/users";
        String method = path.equals("/api/v1/users") ? "POST" : pick(List.of("PUT", "PATCH"));
        String contentType = random.nextInt(5) == 0 ? pick(CONTENT_TYPES) : "application/json";
        String headers = contentType.isEmpty() ? "" : "Content-Type: " + contentType + "\r\n";
        if (random.nextInt(8) == 0) {
            return chunked(method, path, headers, payload);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(bytes(method + " " + path + " HTTP/1.1\r\nHost: fuzz\r\n" + headers + "Content-Length: "
                + payload.length + "\r\n\r\n"));
        out.writeBytes(payload);
        return out.toByteArray();
    }

    private String validUser() {
        return "{\"email\":\"fuzz" + random.nextInt(1_000_000) + "@example.com\",\"name\":\"Fuzz "
                + random.nextInt(1000) + "\"}";
    }

    private byte[] chunked(String method, String path, String headers, byte[] payload) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(bytes(method + " " + path + " HTTP/1.1\r\nHost: fuzz\r\n" + headers
                + "Transfer-Encoding: chunked\r\n\r\n"));
        for (int at = 0; at < payload.length; ) {
            int size = Math.min(payload.length - at, 1 + random.nextInt(64));
            out.writeBytes(bytes(Integer.toHexString(size) + "\r\n"));
            out.write(payload, at, size);
            out.writeBytes(bytes("\r\n"));
            at += size;
        }
        out.writeBytes(bytes("0\r\n\r\n"));
        return out.toByteArray();
    }

    private byte[] invalidUtf8(String body) {
        byte[] utf8 = bytes(body);
        if (utf8.length > 0) {
            utf8[random.nextInt(utf8.length)] = (byte) (0x80 + random.nextInt(0x80));
        }
        return utf8;
    }

    private String manyHeaders() {
        StringBuilder headers = new StringBuilder();
        int count = pick(List.of(150, 250, 1000));
        for (int i = 0; i < count; i++) {
            headers.append("X-H").append(i).append(": ").append("v".repeat(random.nextInt(40))).append("\r\n");
        }
        if (random.nextBoolean()) {
            headers.append("X-Big: ").append("b".repeat(pick(List.of(10_000, 20_000, 70_000)))).append("\r\n");
        }
        return headers.toString();
    }

    private byte[] request(String method, String target, String headers, String body) {
        return bytes(method + " " + target + " HTTP/1.1\r\nHost: fuzz\r\n" + headers
                + (body.isEmpty() ? "" : "Content-Length: " + body.length() + "\r\n") + "\r\n" + body);
    }

    private <T> T pick(List<T> values) {
        return values.get(random.nextInt(values.size()));
    }

    /** Characters up to U+00FF as single bytes, the rest as UTF-8: the raw bytes a broken client sends. */
    private static byte[] bytes(String text) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c <= 0xFF) {
                out.write(c);
            } else {
                out.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
            }
        }
        return out.toByteArray();
    }
}
