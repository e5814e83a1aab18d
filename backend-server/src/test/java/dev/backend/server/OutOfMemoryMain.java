package dev.backend.server;

import dev.backend.core.Router;

/**
 * An application's main in a separate JVM whose {@code GET /out-of-memory} throws {@link OutOfMemoryError} as the
 * JVM would when the heap runs out, so the process tests see what the server makes of it.
 */
public final class OutOfMemoryMain {

    private OutOfMemoryMain() {}

    /** Serves until a signal stops it or memory runs out. */
    public static void main(String[] args) throws InterruptedException {
        BackendServer.builder()
                .routes(dataSource -> Router.create().get("/out-of-memory", request -> {
                    throw new OutOfMemoryError("Java heap space (thrown by the test)");
                }))
                .start()
                .stopOnSignals()
                .awaitStop();
        System.exit(0);
    }
}
