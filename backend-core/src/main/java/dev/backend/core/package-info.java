/**
 * The request pipeline: {@link dev.backend.core.Handler}, {@link dev.backend.core.Middleware}, {@link
 * dev.backend.core.Router}, {@link dev.backend.core.Request}, {@link dev.backend.core.Response} and the
 * error values of {@link dev.backend.core.AppError}, served by {@link dev.backend.core.HttpAdapter}.
 *
 * {@snippet :
 * Handler app = Router.create()
 *         .get("/hello/{name}", request -> Response.text("Hello, " + request.path("name")))
 *         .build();
 * HttpServer server = HttpServer.create(new InetSocketAddress(8080), 0);
 * server.createContext("/", HttpAdapter.of(app));
 * server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
 * server.start();
 * }
 */
package dev.backend.core;
