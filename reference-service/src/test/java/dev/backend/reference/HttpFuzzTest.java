package dev.backend.reference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backend.core.ServerLog;
import dev.backend.server.BackendServer;
import dev.backend.server.Config;
import dev.backend.server.migration.Migrator;
import dev.backend.testing.TestDatabase;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Pattern;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Malformed and hostile requests ({@link MalformedRequests}, fixed seed) through the whole server, the users API
 * and its database included, over real sockets, on both engines: no 500, no stack trace or ERROR logged, no Java
 * class name in any response body the server controls. The JDK's provider answers some requests with pages of
 * its own before any handler runs (a target {@code java.net.URI} refuses: "URISyntaxException thrown"; a
 * {@code Content-Length} {@code Long.parseLong} refuses: "NumberFormatException thrown"); they are counted and
 * reported, not failed: no API lets an application answer first. Each run prints its counts.
 */
class HttpFuzzTest {

    @RegisterExtension
    static final TestDatabase DB = new TestDatabase()
            .withMigrations(dataSource -> Migrator.create(dataSource, Main.MIGRATIONS, Config.defaults().migrations())
                    .migrate());

    private static final long SEED = 20_261_212L;
    private static final int REQUESTS = 1_200;
    private static final int CLIENTS = 16;
    /** A Java type in a response: a qualified name, or a simple name ending the way exception types do. */
    private static final Pattern JAVA_NAME = Pattern.compile(
            "\\b(?:java|javax|jdk|sun|com\\.sun|tools\\.jackson|com\\.fasterxml|org\\.postgresql|com\\.zaxxer|dev\\"
                    + ".backend)\\.[a-z]|\\b[A-Z][A-Za-z0-9]*(?:Exception|Error)\\b");

    /** What came back for one request. */
    record Answer(int status, String contentType, String body) {
        static final Answer NONE = new Answer(0, "", "");

        /** The JDK's own error page, written before any handler runs. */
        boolean jdkPage() {
            return contentType.startsWith("text/html") && body.startsWith("<h1>");
        }
    }

    @ParameterizedTest
    @EnumSource(Config.HttpProvider.class)
    void malformedRequestsGetClientErrorsNeverA500AStackTraceOrAJavaName(Config.HttpProvider engine) throws Exception {
        Config config = Config.fromEnvironment(Map.of("DATABASE_URL", DB.url(), "HOST", "127.0.0.1", "PORT", "0",
                "MIN_CONNECTIONS", "1", "MAX_CONNECTIONS", "8", "HTTP_PROVIDER", engine.name(),
                "REQUEST_READ_TIMEOUT", "2s", "ACCESS_LOG", "false"));
        MalformedRequests requests = new MalformedRequests(SEED);
        List<MalformedRequests.Sample> samples = new ArrayList<>();
        for (int i = 0; i < REQUESTS; i++) {
            samples.add(requests.next());
        }
        Map<String, Integer> statuses = new TreeMap<>();
        List<String> failures = new ArrayList<>();
        Map<String, Integer> jdkPages = new TreeMap<>();
        long begin = System.nanoTime();
        try (ServerLog log = new ServerLog(); BackendServer server = Main.referenceService().config(config).start();
                ExecutorService clients = Executors.newFixedThreadPool(CLIENTS, Thread.ofVirtual().factory())) {
            List<Future<Answer>> answers = new ArrayList<>();
            for (MalformedRequests.Sample sample : samples) {
                answers.add(clients.submit(() -> send(server.port(), sample.bytes())));
            }
            for (int i = 0; i < samples.size(); i++) {
                Answer answer = answers.get(i).get();
                String kind = samples.get(i).kind();
                statuses.merge(answer.status() == 0 ? "no answer" : Integer.toString(answer.status()), 1, Integer::sum);
                if (answer.status() == 500) {
                    failures.add("500 for " + kind + ": " + printable(samples.get(i).bytes()));
                }
                if (answer.jdkPage()) {
                    jdkPages.merge(answer.status() + " " + answer.body(), 1, Integer::sum);
                } else if (JAVA_NAME.matcher(answer.body()).find()) {
                    failures.add("a Java name in " + answer.status() + " " + answer.body() + " for " + kind + ": "
                            + printable(samples.get(i).bytes()));
                }
            }
            log.errorsOrTraces().forEach(line -> failures.add("logged: " + line));
        }
        System.out.printf(Locale.ROOT, "HttpFuzzTest %s: %d requests in %d ms, statuses %s, JDK's own pages %s%n",
                engine.name().toLowerCase(Locale.ROOT), REQUESTS, (System.nanoTime() - begin) / 1_000_000, statuses,
                jdkPages);
        assertEquals(List.of(), failures.stream().limit(20).toList(), failures.size() + " failures");
        if (engine == Config.HttpProvider.BACKEND) {
            assertEquals(Map.of(), jdkPages);
        }
        assertTrue(statuses.keySet().stream().anyMatch(s -> s.startsWith("4")), "the run sent client errors");
    }

    /** Sends {@code request} on a connection of its own, says it sends no more, and reads the first final answer. */
    private static Answer send(int port, byte[] request) {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(20_000);
            try {
                socket.getOutputStream().write(request);
                socket.shutdownOutput();
            } catch (IOException refusedMidway) {
                // The server answered and closed before taking everything: read what it said.
            }
            InputStream in = socket.getInputStream();
            while (true) {
                String statusLine = line(in);
                if (statusLine == null || !statusLine.startsWith("HTTP/1.")) {
                    return Answer.NONE;
                }
                int status = Integer.parseInt(statusLine.substring(9, 12));
                Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
                for (String header = line(in); header != null && !header.isEmpty(); header = line(in)) {
                    int colon = header.indexOf(':');
                    headers.put(header.substring(0, colon), header.substring(colon + 1).strip());
                }
                if (status < 200) {
                    continue;
                }
                return new Answer(status, headers.getOrDefault("Content-Type", ""), body(in, headers));
            }
        } catch (IOException e) {
            return Answer.NONE;
        }
    }

    private static String body(InputStream in, Map<String, String> headers) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        if ("chunked".equalsIgnoreCase(headers.get("Transfer-Encoding"))) {
            for (String size = line(in); size != null && !size.isEmpty() && Integer.parseInt(size.strip(), 16) > 0;
                    size = line(in)) {
                body.writeBytes(in.readNBytes(Integer.parseInt(size.strip(), 16)));
                line(in);
            }
        } else if (headers.containsKey("Content-Length")) {
            body.writeBytes(in.readNBytes(Integer.parseInt(headers.get("Content-Length"))));
        } else {
            body.writeBytes(in.readAllBytes());
        }
        return body.toString(StandardCharsets.UTF_8);
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) {
                return line.size() == 0 ? null : line.toString(StandardCharsets.ISO_8859_1);
            }
            if (b != '\r') {
                line.write(b);
            }
        }
        return line.toString(StandardCharsets.ISO_8859_1);
    }

    private static String printable(byte[] request) {
        String text = new String(request, 0, Math.min(request.length, 300), StandardCharsets.ISO_8859_1);
        return text.replace("\r", "\\r").replace("\n", "\\n").replace("\u0000", "\\0");
    }
}
