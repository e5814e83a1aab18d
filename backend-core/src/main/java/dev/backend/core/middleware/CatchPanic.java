package dev.backend.core.middleware;

import dev.backend.core.AppException;
import dev.backend.core.Handler;
import dev.backend.core.Middleware;
import dev.backend.core.Response;
import dev.backend.core.internal.DeclaredLength;
import dev.backend.core.internal.Failures;
import java.io.IOException;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns any failure below it into the generic 500 JSON answer, logged once, like tower-http's {@code
 * CatchPanicLayer}.
 *
 * <p>Exactly once: the conversion is {@link Handler#respond}, whose {@code AppError.toResponse()} is the
 * one place a failure is logged. A failure that a {@code Router} already converted arrives here as an
 * ordinary 500 response and is not logged again; what this layer catches is what the router cannot see:
 * failures in middleware between it and the router, or in a plain handler without a router. Placed
 * inside {@link Trace}, the logged line carries the request id.
 *
 * <p>A streamed body that fails after its headers went out cannot become a 500 any more: the failure is
 * logged here, once, with the request id, and handed to the adapter as an I/O failure, which ends the
 * exchange without logging it a second time.
 *
 * {@snippet :
 * Handler app = Middleware.stack(Trace.create(), CatchPanic.create(), apiKeyCheck).wrap(router.build());
 * }
 */
public final class CatchPanic implements Middleware {

    private static final Logger LOG = LoggerFactory.getLogger(CatchPanic.class);
    private static final CatchPanic INSTANCE = new CatchPanic();

    private CatchPanic() {}

    /**
     * The middleware; it holds no state, so one instance serves every stack.
     *
     * @return the shared instance
     */
    public static CatchPanic create() {
        return INSTANCE;
    }

    @Override
    public Handler wrap(Handler next) {
        Objects.requireNonNull(next, "next");
        return request -> {
            Response response = Handler.respond(next, request);
            return response.body() instanceof Response.Body.Stream stream
                    ? StreamedBodies.wrapWriter(response, writer -> guarded(writer, stream.length()))
                    : response;
        };
    }

    /**
     * {@code writer}, with its failures logged here, where the request id is still known; a writer that does not
     * keep the length it declared has failed too.
     */
    private static Response.BodyWriter guarded(Response.BodyWriter writer, long length) {
        return out -> {
            try {
                DeclaredLength.writeBody(writer, length, out);
            } catch (IOException e) {
                throw e; // most often the client went away: not the server's failure, and the adapter knows it
            } catch (Throwable e) {
                Failures.throwIfFatal(e); // as Handler.respond
                if (e instanceof AppException client && client.error().status() < 500) {
                    // The client's fault, found while streaming (a body the writer reads arrived too slowly, say):
                    // not the server's failure, and no answer can say so any more.
                    LOG.info("The response body was cut off: {}", Failures.summary(e));
                } else {
                    LOG.error("Failed while streaming the response body", e);
                }
                // The adapter logs an IOException at debug only (it usually means a lost client), so the
                // failure stays logged once.
                throw new IOException("response body writer failed (logged above)", e);
            }
        };
    }
}
