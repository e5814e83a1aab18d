package dev.backend.server;

import dev.backend.core.Response;
import dev.backend.core.Router;
import org.slf4j.LoggerFactory;

/**
 * An application's main in a separate JVM, configured the way an embedder's is by default (from the
 * environment), serving {@code POST /upload}, a route that reads its whole body: a client that sends the
 * body slowly keeps a request in flight for as long as it likes, which the process tests use to signal the
 * server mid-request; it logs when its handler starts, so the tests know the request is in flight without
 * guessing.
 */
public final class SlowUploadMain {

    private SlowUploadMain() {}

    /** Serves until a signal stops it; exits 0 after a graceful stop. */
    public static void main(String[] args) throws InterruptedException {
        BackendServer.builder()
                .routes(dataSource -> Router.create().post("/upload", request -> {
                    LoggerFactory.getLogger(SlowUploadMain.class).info("Upload started");
                    return Response.text(request.bodyBytes().length + " bytes");
                }))
                .start()
                .stopOnSignals()
                .awaitStop();
        System.exit(0);
    }
}
