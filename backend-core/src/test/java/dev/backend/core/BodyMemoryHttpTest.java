package dev.backend.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.backend.core.middleware.BodyLimit;
import java.io.IOException;
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
}
