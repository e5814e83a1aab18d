package dev.backend.http;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.regex.Pattern;

/** Mutated HTTP requests from a fixed seed, for the fuzz tests: valid requests broken in the ways attacks do. */
final class Fuzz {

    /** Every status the engine or the test handlers may answer a mutated request with. */
    static final Set<Integer> EXPECTED_STATUSES = Set.of(100, 200, 400, 404, 408, 413, 414, 417, 431, 501, 505);
    /** What must never appear in a response: a Java type or package name, an exception's name. */
    static final Pattern INTERNALS = Pattern.compile("(?i)exception|\\bjava\\.|\\bjavax\\.|\\bsun\\.|\\bjdk\\.|\\bcom\\.sun\\.");

    private static final List<String> CORPUS = List.of(
            "GET /echo HTTP/1.1\r\nHost: x\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: example.com\r\nAccept: */*\r\nUser-Agent: fuzz\r\n\r\n",
            "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello",
            "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello",
            "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n0\r\nTrailer: t\r\n\r\n",
            "PUT /echo?a=1&b=%20 HTTP/1.1\r\nHost: x:80\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\nabc",
            "HEAD /echo HTTP/1.1\r\nHost: x\r\n\r\n",
            "OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n",
            "GET http://x:8080/echo?q HTTP/1.1\r\nHost: x\r\n\r\n",
            "GET /echo HTTP/1.0\r\nConnection: keep-alive\r\n\r\nGET /echo HTTP/1.0\r\n\r\n",
            "GET /echo HTTP/1.1\r\nHost: x\r\n\r\nGET /echo HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
            "DELETE /echo/1 HTTP/1.1\r\nHost: [::1]:80\r\nCookie: a=b; c=d\r\n\r\n");

    private static final List<String> TOKENS = List.of(
            "\r\n", "\n", "\r", "\0", " ", "\t", ":", ";", ",", "\"", "=", "%", "%zz", "%00", "\u00ff", "\u0080", "\u007f",
            "Transfer-Encoding: chunked\r\n", "Transfer-Encoding: gzip, chunked\r\n", "Transfer-Encoding:\tchunked\r\n",
            "Content-Length: 5\r\n", "Content-Length: +5\r\n", "Content-Length: -1\r\n", "Content-Length: 5, 5\r\n",
            "Content-Length: 99999999999999999999\r\n", "Host: y\r\n", "Host: a b\r\n", "Expect: 100-continue\r\n",
            "Expect: x\r\n", "Connection: close\r\n", "Connection: keep-alive\r\n", "ffffffffffffffffff", "7fffffff",
            "0\r\n\r\n", "HTTP/1.0", "HTTP/2.0", "HTTP/1.1", " HTTP/1.1", "http://x", "https://u@x/", "*", "\r\n\r\n",
            "\r\n ", " \r\n", "GET / HTTP/1.1\r\nHost: x\r\n\r\n", "CONNECT", "TRACE", "0x10", "//", "/../", "#frag");

    private final Random random;

    Fuzz(long seed) {
        random = new Random(seed);
    }

    /** A corpus request with one to four mutations. */
    byte[] next() {
        byte[] input = latin1(CORPUS.get(random.nextInt(CORPUS.size())));
        int mutations = 1 + random.nextInt(4);
        for (int i = 0; i < mutations; i++) {
            input = mutate(input);
        }
        return input;
    }

    int slice() {
        return switch (random.nextInt(4)) {
            case 0 -> 1;
            case 1 -> 1 + random.nextInt(16);
            default -> Integer.MAX_VALUE;
        };
    }

    private byte[] mutate(byte[] input) {
        int length = input.length;
        int at = length == 0 ? 0 : random.nextInt(length + 1);
        return switch (random.nextInt(10)) {
            case 0 -> { // one byte replaced by any byte
                if (length == 0) {
                    yield input;
                }
                byte[] copy = input.clone();
                copy[Math.min(at, length - 1)] = (byte) random.nextInt(256);
                yield copy;
            }
            case 1, 2 -> insert(input, at, latin1(TOKENS.get(random.nextInt(TOKENS.size()))));
            case 3 -> { // a range deleted
                int end = Math.min(length, at + 1 + random.nextInt(8));
                yield concat(slice(input, 0, at), slice(input, end, length));
            }
            case 4 -> { // a range repeated
                int end = Math.min(length, at + 1 + random.nextInt(32));
                yield insert(input, end, slice(input, at, end));
            }
            case 5 -> slice(input, 0, at); // cut short
            case 6 -> insert(input, at, latin1(String.valueOf((char) ('A' + random.nextInt(26))).repeat(1 + random.nextInt(20_000))));
            case 7 -> { // every CRLF turned into something else
                String[] ends = {"\n", "\r", "\n\r", "\r\r\n", "\r\n\r\n"};
                yield latin1(new String(input, StandardCharsets.ISO_8859_1).replace("\r\n", ends[random.nextInt(ends.length)]));
            }
            case 8 -> concat(input, latin1(CORPUS.get(random.nextInt(CORPUS.size())))); // another request behind
            default -> { // a range's letters in the other case
                byte[] copy = input.clone();
                int end = Math.min(length, at + 1 + random.nextInt(16));
                for (int i = at; i < end; i++) {
                    byte b = copy[i];
                    if ((b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z')) {
                        copy[i] = (byte) (b ^ 0x20);
                    }
                }
                yield copy;
            }
        };
    }

    private static byte[] insert(byte[] input, int at, byte[] bytes) {
        return concat(concat(slice(input, 0, at), bytes), slice(input, at, input.length));
    }

    private static byte[] slice(byte[] input, int from, int to) {
        return java.util.Arrays.copyOfRange(input, from, Math.max(from, to));
    }

    private static byte[] concat(byte[] a, byte[] b) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(a.length + b.length);
        out.writeBytes(a);
        out.writeBytes(b);
        return out.toByteArray();
    }

    static byte[] latin1(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** The input as a Java string literal, for failure messages. */
    static String printable(byte[] input) {
        StringBuilder text = new StringBuilder("\"");
        for (int i = 0; i < input.length && i < 2000; i++) {
            int c = input[i] & 0xFF;
            text.append(c >= 0x20 && c < 0x7F && c != '"' && c != '\\' ? String.valueOf((char) c) : String.format("\\u%04x", c));
        }
        return text.append(input.length > 2000 ? "...\"" : "\"").toString();
    }
}
