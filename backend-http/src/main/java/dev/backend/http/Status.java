package dev.backend.http;

import java.nio.charset.StandardCharsets;

/** Status lines, pre-encoded, with the reason phrase of every status in the IANA registry (RFC 9110 §15). */
final class Status {

    private static final String[] REASONS = new String[600];
    /** "HTTP/1.1 code reason\r\n" for 100..599; the reason is empty (the space stays) when unregistered. */
    private static final byte[][] LINES = new byte[600][];

    static {
        reason(100, "Continue");
        reason(101, "Switching Protocols");
        reason(102, "Processing");
        reason(103, "Early Hints");
        reason(200, "OK");
        reason(201, "Created");
        reason(202, "Accepted");
        reason(203, "Non-Authoritative Information");
        reason(204, "No Content");
        reason(205, "Reset Content");
        reason(206, "Partial Content");
        reason(207, "Multi-Status");
        reason(208, "Already Reported");
        reason(226, "IM Used");
        reason(300, "Multiple Choices");
        reason(301, "Moved Permanently");
        reason(302, "Found");
        reason(303, "See Other");
        reason(304, "Not Modified");
        reason(305, "Use Proxy");
        reason(307, "Temporary Redirect");
        reason(308, "Permanent Redirect");
        reason(400, "Bad Request");
        reason(401, "Unauthorized");
        reason(402, "Payment Required");
        reason(403, "Forbidden");
        reason(404, "Not Found");
        reason(405, "Method Not Allowed");
        reason(406, "Not Acceptable");
        reason(407, "Proxy Authentication Required");
        reason(408, "Request Timeout");
        reason(409, "Conflict");
        reason(410, "Gone");
        reason(411, "Length Required");
        reason(412, "Precondition Failed");
        reason(413, "Content Too Large");
        reason(414, "URI Too Long");
        reason(415, "Unsupported Media Type");
        reason(416, "Range Not Satisfiable");
        reason(417, "Expectation Failed");
        reason(421, "Misdirected Request");
        reason(422, "Unprocessable Content");
        reason(423, "Locked");
        reason(424, "Failed Dependency");
        reason(425, "Too Early");
        reason(426, "Upgrade Required");
        reason(428, "Precondition Required");
        reason(429, "Too Many Requests");
        reason(431, "Request Header Fields Too Large");
        reason(451, "Unavailable For Legal Reasons");
        reason(500, "Internal Server Error");
        reason(501, "Not Implemented");
        reason(502, "Bad Gateway");
        reason(503, "Service Unavailable");
        reason(504, "Gateway Timeout");
        reason(505, "HTTP Version Not Supported");
        reason(506, "Variant Also Negotiates");
        reason(507, "Insufficient Storage");
        reason(508, "Loop Detected");
        reason(510, "Not Extended");
        reason(511, "Network Authentication Required");
        for (int code = 100; code < 600; code++) {
            LINES[code] = encode(code);
        }
    }

    private Status() {
    }

    /** The reason phrase, empty for an unregistered code. */
    static String reason(int code) {
        String reason = code >= 0 && code < REASONS.length ? REASONS[code] : null;
        return reason == null ? "" : reason;
    }

    /** The status line with its CRLF; {@code code} has three digits. */
    static byte[] line(int code) {
        return code < LINES.length ? LINES[code] : encode(code);
    }

    private static byte[] encode(int code) {
        return ("HTTP/1.1 " + code + " " + reason(code) + "\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    private static void reason(int code, String reason) {
        REASONS[code] = reason;
    }
}
