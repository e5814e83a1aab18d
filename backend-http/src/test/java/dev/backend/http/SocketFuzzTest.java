package dev.backend.http;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Mutated requests from a fixed seed sent to a running server over real sockets for a bounded time: every
 * connection must end with well-formed responses, none a 500 or naming a Java type, and none may hang.
 */
class SocketFuzzTest {

    private static final long SEED = 0x5EED_2026_0012L;

    @Test
    void aRunningServerAnswersMutatedRequestsWithoutServerErrorsInternalsOrHangs() throws IOException {
        HttpServer server = TestServers.backend(HttpServerOptions.defaults()
                .withMaxRequestLineLength(4096).withMaxHeaderSize(8192).withMaxHeaderCount(50));
        server.createContext("/", exchange -> InMemory.answer(exchange, 200, "root " + exchange.getRequestMethod()));
        server.createContext("/echo", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            InMemory.answer(exchange, 200, exchange.getRequestMethod() + " " + body.length);
        });
        server.start();
        Map<Integer, Integer> statuses = new TreeMap<>();
        int runs = 0;
        try {
            Fuzz fuzz = new Fuzz(SEED);
            long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(2000);
            // Two seconds, and at least 300 connections however slow the machine is.
            while (runs < 300 || System.nanoTime() < end) {
                byte[] input = fuzz.next();
                String output;
                try (RawClient client = new RawClient(TestServers.port(server))) {
                    try {
                        client.send(input);
                        client.shutdownOutput();
                    } catch (IOException closedEarly) {
                        // The server refused and closed before taking everything: its answer is still readable.
                    }
                    output = new String(client.readToEnd(), StandardCharsets.ISO_8859_1);
                } catch (SocketTimeoutException e) {
                    fail("no end of the exchange within 20 s (a hang) for " + Fuzz.printable(input));
                    return;
                }
                ParserFuzzTest.check(input, output, statuses);
                runs++;
            }
        } finally {
            server.stop(0);
        }
        System.out.printf("socket fuzz: %d connections (seed %x), responses by status: %s%n", runs, SEED, statuses);
        assertTrue(runs >= 300, "only " + runs + " connections ran");
        assertNull(statuses.get(500));
    }
}
