package dev.backend.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A deliberately dumb HTTP/1.1 client over one socket, so tests see exactly what went over the wire: header
 * names as spelled, how many body bytes, whether a chunked body ended properly, whether the connection stayed
 * open. Ideas from backend-core's RawHttp; this module depends on no other.
 */
final class RawClient implements AutoCloseable {

    /** One response; {@code complete} is false when the connection ended inside it. */
    record Response(String statusLine, int status, List<String[]> fields, byte[] body, boolean complete) {

        /** The first value of the field, by case-insensitive name, or null. */
        String header(String name) {
            for (String[] field : fields) {
                if (field[0].equalsIgnoreCase(name)) {
                    return field[1];
                }
            }
            return null;
        }

        /** The field names exactly as sent. */
        List<String> names() {
            return fields.stream().map(field -> field[0]).toList();
        }

        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    RawClient(int port) throws IOException {
        socket = new Socket(InetAddress.getLoopbackAddress(), port);
        socket.setSoTimeout(20_000); // generous: the machines running the tests are small and shared
        in = socket.getInputStream();
        out = socket.getOutputStream();
    }

    void send(String text) throws IOException {
        send(text.getBytes(StandardCharsets.ISO_8859_1));
    }

    void send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** Sends a request and reads its final response, skipping interim ones. */
    Response exchange(String request) throws IOException {
        send(request);
        return readFinal(request.startsWith("HEAD "));
    }

    Response readFinal(boolean head) throws IOException {
        Response response = read(head);
        while (response != null && response.status() >= 100 && response.status() < 200) {
            response = read(head);
        }
        return response;
    }

    /** Reads one response, or returns null if the connection ended before its status line. */
    Response read(boolean head) throws IOException {
        String statusLine = line();
        if (statusLine == null) {
            return null;
        }
        int status = Integer.parseInt(statusLine.substring(9, 12));
        List<String[]> fields = new ArrayList<>();
        for (String line = line(); line != null && !line.isEmpty(); line = line()) {
            int colon = line.indexOf(':');
            fields.add(new String[] {line.substring(0, colon), line.substring(colon + 1).strip()});
        }
        Response shell = new Response(statusLine, status, fields, new byte[0], true);
        if (head || status < 200 || status == 204 || status == 304) {
            return shell;
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        boolean complete = true;
        String transferEncoding = shell.header("Transfer-Encoding");
        String length = shell.header("Content-Length");
        if (transferEncoding != null && transferEncoding.equalsIgnoreCase("chunked")) {
            complete = false;
            while (true) {
                String sizeLine = line();
                if (sizeLine == null) {
                    break;
                }
                int size = Integer.parseInt(sizeLine.strip(), 16);
                if (size == 0) {
                    String end = line();
                    complete = end != null && end.isEmpty();
                    break;
                }
                byte[] chunk = in.readNBytes(size);
                body.write(chunk);
                String crlf = line();
                if (chunk.length < size || crlf == null) {
                    break;
                }
            }
        } else if (length != null) {
            byte[] bytes = in.readNBytes(Integer.parseInt(length));
            body.write(bytes);
            complete = bytes.length == Integer.parseInt(length);
        } else {
            body.write(readToEnd());
        }
        return new Response(statusLine, status, fields, body.toByteArray(), complete);
    }

    /** Everything until the server closes (or resets) the connection. */
    byte[] readToEnd() throws IOException {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        try {
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                all.write(buffer, 0, n);
            }
        } catch (SocketException reset) {
            // A reset ends the stream as well as a FIN does, for what these tests look at.
        }
        return all.toByteArray();
    }

    /** True when the server closed the connection: reading meets end of stream (or a reset) in time. */
    boolean closedByServer() throws IOException {
        try {
            return in.read() < 0;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (SocketException e) {
            return true;
        }
    }

    /** True when nothing arrives and the connection stays open for {@code millis}. */
    boolean quietFor(int millis) throws IOException {
        socket.setSoTimeout(millis);
        try {
            return in.read() == -2;
        } catch (SocketTimeoutException e) {
            return true;
        } finally {
            socket.setSoTimeout(20_000);
        }
    }

    void shutdownOutput() throws IOException {
        socket.shutdownOutput();
    }

    /** A line without its CRLF (bytes as Latin-1), or null at end of stream. */
    private String line() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        while (true) {
            int b;
            try {
                b = in.read();
            } catch (SocketException reset) {
                b = -1;
            }
            if (b < 0) {
                return line.size() == 0 ? null : line.toString(StandardCharsets.ISO_8859_1);
            }
            if (b == '\n') {
                byte[] bytes = line.toByteArray();
                int length = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                return new String(bytes, 0, length, StandardCharsets.ISO_8859_1);
            }
            line.write(b);
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
