package dev.backend.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * With an executor, each exchange runs on another thread than its connection's: the connection must not touch
 * its buffers again before the exchange has completely let go of them. Many small exchanges, pipelined and not,
 * on several connections at once, each response checked whole.
 */
class ExecutorStressTest {

    @Test
    void responsesStayIntactWhenExchangesRunOnAnExecutor() throws Exception {
        HttpServer server = TestServers.backend(HttpServerOptions.defaults());
        server.createContext("/", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            InMemory.answer(exchange, 200, exchange.getRequestURI().getQuery() + ":" + body.length);
        });
        ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
        server.setExecutor(executor);
        server.start();
        ExecutorService clients = Executors.newVirtualThreadPerTaskExecutor();
        try {
            List<Future<Integer>> done = new ArrayList<>();
            for (int c = 0; c < 8; c++) {
                int client = c;
                done.add(clients.submit(() -> exchanges(TestServers.port(server), client)));
            }
            for (Future<Integer> future : done) {
                assertEquals(300, future.get());
            }
        } finally {
            clients.shutdownNow();
            server.stop(0);
            executor.shutdownNow();
        }
    }

    private static int exchanges(int port, int client) throws IOException {
        int count = 0;
        try (RawClient raw = new RawClient(port)) {
            for (int i = 0; i < 100; i++) {
                String id = client + "-" + i;
                // One request alone, then two pipelined, the second with a body.
                assertEquals(id + "a:0", raw.exchange("GET /?" + id + "a HTTP/1.1\r\nHost: x\r\n\r\n").text());
                raw.send("GET /?" + id + "b HTTP/1.1\r\nHost: x\r\n\r\n"
                        + "POST /?" + id + "c HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc");
                assertEquals(id + "b:0", raw.read(false).text());
                assertEquals(id + "c:3", raw.read(false).text());
                count += 3;
            }
        }
        return count;
    }
}
