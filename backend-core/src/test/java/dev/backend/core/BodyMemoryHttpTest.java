package dev.backend.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backend.core.middleware.BodyLimit;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The memory budget for request bodies over a socket, on both engines: chunked bodies, and 100-continue. */
class BodyMemoryHttpTest {

    private final CountDownLatch held = new CountDownLatch(1);
    private final CountDownLatch release = new CountDownLatch(1);
    private HttpEngine.Served server;
    private RawHttp holder;

    @AfterEach
    void stop() throws IOException {
        release.countDown();
        holder.close();
        server.close();
    }

    /** Serves with every byte of the budget held by one request in /hold. */
    private int startHoldingTheWholeBudget(HttpEngine engine) throws Exception {
        server = engine.serve(BodyLimit.of(1000).withMemoryLimit(1000).wrap(Router.create()
                .post("/hold", request -> {
                    request.bodyBytes();
                    held.countDown();
                    release.await();
                    return Response.noContent();
                })
                .post("/echo", request -> Response.text(request.bodyText()))
                .build()));
        holder = new RawHttp(server.port());
        holder.sendRaw("POST /hold HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n" + "h".repeat(1000));
        assertTrue(held.await(30, TimeUnit.SECONDS));
        return server.port();
    }

    @ParameterizedTest
    @EnumSource(HttpEngine.class)
    void aChunkedBodyIsRefusedWith503WhenItsFirstStepFindsTheBudgetSpent(HttpEngine engine) throws Exception {
        int port = startHoldingTheWholeBudget(engine);
        try (RawHttp http = new RawHttp(port)) {
            http.sendRaw("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n");
            RawHttp.Reply reply = http.read(false);

            assertEquals(503, reply.status());
            assertEquals("1", reply.header("Retry-After"));
        }
        release.countDown();
        assertEquals(204, holder.read(false).status());
        try (RawHttp http = new RawHttp(port)) {
            http.sendRaw("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n");
            assertEquals("hello", http.read(false).text(), "the budget came back with the held request");
        }
    }

    /**
     * A client that asks before sending its body ({@code Expect: 100-continue}, as curl does for large ones) is
     * refused without sending it on backend-http. Pinned for the JDK's provider: it sends {@code 100 Continue}
     * before any handler runs, so the client sends the body that is then refused.
     */
    @ParameterizedTest
    @EnumSource(HttpEngine.class)
    void aClientThatAsksFirstIsRefusedBeforeItSendsItsBody(HttpEngine engine) throws Exception {
        int port = startHoldingTheWholeBudget(engine);
        try (RawHttp http = new RawHttp(port)) {
            http.sendRaw("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 500\r\nExpect: 100-continue\r\n\r\n");
            RawHttp.Reply reply = http.read(false);

            if (engine == HttpEngine.BACKEND) {
                assertEquals(503, reply.status());
                assertEquals("close", reply.header("Connection"), "the body was never asked for");
            } else {
                assertEquals(100, reply.status());
                http.sendRaw("b".repeat(500));
                assertEquals(503, http.read(false).status());
            }
        }
    }

    /**
     * Memory is reserved as body bytes arrive, not for the declared length: clients that send a head declaring a
     * large body and then nothing hold none of the budget, so other requests' bodies are still read.
     */
    @ParameterizedTest
    @EnumSource(HttpEngine.class)
    void clientsThatDeclareABodyButSendNothingHoldNoneOfTheBudget(HttpEngine engine) throws Exception {
        CountDownLatch waiting = new CountDownLatch(3);
        BodyLimit limit = BodyLimit.of(200_000).withMemoryLimit(300_000);
        server = engine.serve(limit.wrap(Router.create()
                .post("/hold", request -> {
                    waiting.countDown();
                    request.bodyBytes();
                    return Response.noContent();
                })
                .post("/echo", request -> Response.text(Integer.toString(request.bodyBytes().length)))
                .build()));
        holder = new RawHttp(server.port());
        List<RawHttp> idle = new ArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                RawHttp http = new RawHttp(server.port());
                idle.add(http);
                http.sendRaw("POST /hold HTTP/1.1\r\nHost: x\r\nContent-Length: 200000\r\n\r\n");
            }
            assertTrue(waiting.await(30, TimeUnit.SECONDS));
            try (RawHttp http = new RawHttp(server.port())) {
                http.sendRaw("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 150000\r\n\r\n" + "e".repeat(150_000));
                RawHttp.Reply reply = http.read(false);

                assertEquals(200, reply.status());
                assertEquals("150000", reply.text());
            }
            assertEquals(0, limit.memory().orElseThrow().inUse(), "the idle bodies hold nothing");
        } finally {
            for (RawHttp http : idle) {
                http.close();
            }
        }
    }

    /**
     * A body whose next step finds the budget spent mid-way is answered 503 with {@code Retry-After}, and gives
     * back what it had reserved; the body that holds its share keeps it.
     */
    @ParameterizedTest
    @EnumSource(HttpEngine.class)
    void aBodyWhoseNextStepFindsTheBudgetSpentIs503AndGivesBackItsShare(HttpEngine engine) throws Exception {
        BodyLimit limit = BodyLimit.of(200_000).withMemoryLimit(200_000);
        BodyMemory memory = limit.memory().orElseThrow();
        server = engine.serve(limit.wrap(Router.create()
                .post("/echo", request -> Response.text(Integer.toString(request.bodyBytes().length)))
                .build()));
        holder = new RawHttp(server.port());
        // 70,000 bytes sent: past the first 64 KiB step, so the second is reserved, 128 KiB in all.
        holder.sendRaw("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 150000\r\n\r\n" + "h".repeat(70_000));
        awaitInUse(memory, 128 << 10);
        try (RawHttp http = new RawHttp(server.port())) {
            http.sendRaw("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 150000\r\n\r\n" + "e".repeat(150_000));
            RawHttp.Reply reply = http.read(false);

            assertEquals(503, reply.status());
            assertEquals("1", reply.header("Retry-After"));
        }
        awaitInUse(memory, 128 << 10);
        holder.sendRaw("h".repeat(80_000));
        assertEquals("150000", holder.read(false).text());
    }

    private static void awaitInUse(BodyMemory memory, long bytes) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (memory.inUse() != bytes && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertEquals(bytes, memory.inUse());
    }
}
