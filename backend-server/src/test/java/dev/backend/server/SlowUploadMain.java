package dev.backend.server;

import dev.backend.core.Response;
import dev.backend.core.Router;
import org.slf4j.LoggerFactory;

/**
 * The server's own {@link Main} serve path in a separate JVM, plus {@code POST /upload}, a route that reads
 * its whole body: a client that sends the body slowly keeps a request in flight for as long as it likes,
 * which the process tests use to signal the server mid-request; it logs when its handler starts, which the
 * jar's routes do not, so the tests know the request is in flight without guessing.
 */
public final class SlowUploadMain {

    private SlowUploadMain() {}

    /** Runs like {@code java -jar backend-server.jar}. */
    public static void main(String[] args) throws InterruptedException {
        System.exit(Main.run(args, System.getenv(), System.out, System.err, dataSource -> Router.create()
                .post("/upload", request -> {
                    LoggerFactory.getLogger(SlowUploadMain.class).info("Upload started");
                    return Response.text(request.bodyBytes().length + " bytes");
                })));
    }
}
