/**
 * backend-http: a strict, fast HTTP/1.1 engine for the JDK's {@code com.sun.net.httpserver} API, with no
 * dependency but the JDK. See {@link dev.backend.http}.
 *
 * @provides com.sun.net.httpserver.spi.HttpServerProvider {@link dev.backend.http.BackendHttpServerProvider}
 */
module dev.backend.http {
    requires transitive jdk.httpserver;

    exports dev.backend.http;

    provides com.sun.net.httpserver.spi.HttpServerProvider with dev.backend.http.BackendHttpServerProvider;
}
