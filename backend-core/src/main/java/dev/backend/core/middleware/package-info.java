/**
 * The production middleware set, the counterpart of the tower-http layers a Rust service stacks: {@link
 * dev.backend.core.middleware.Trace} (request ids, access log), {@link
 * dev.backend.core.middleware.SecurityHeaders}, {@link dev.backend.core.middleware.Cors}, {@link
 * dev.backend.core.middleware.CatchPanic}, {@link dev.backend.core.middleware.ConcurrencyLimit} (load
 * shedding), {@link dev.backend.core.middleware.Timeout}, {@link dev.backend.core.middleware.BodyLimit} and
 * {@link dev.backend.core.middleware.Compression}.
 *
 * <p>Each is an ordinary {@link dev.backend.core.Middleware} with validated settings; compose them with
 * {@link dev.backend.core.Middleware#stack(dev.backend.core.Middleware...)}, the first outermost. This is
 * the order backend-server uses, and why:
 *
 * {@snippet :
 * Handler app = Middleware.stack(
 *         Trace.create(),                          // first in, last out: times and logs every answer below
 *         SecurityHeaders.create(),                // on every answer, rejections included
 *         Cors.of(Cors.Config.origins("https://app.example.com")), // so browsers can read 503/413/500
 *         CatchPanic.create(),                     // failures below become a logged 500 that still gets CORS
 *         ConcurrencyLimit.of(1024),               // shed before doing any work
 *         Timeout.of(Duration.ofSeconds(30)),      // the deadline covers reading the body and the handler
 *         BodyLimit.of(10L * 1024 * 1024),         // before the handler reads the body
 *         Compression.create())                    // compresses what the handler produced
 *         .wrap(router.build());
 * }
 */
package dev.backend.core.middleware;
