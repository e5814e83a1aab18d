/**
 * backend-core: the Handler/Middleware/Router pipeline on {@code com.sun.net.httpserver}.
 */
module dev.backend.core {
    requires transitive jdk.httpserver;
    requires transitive tools.jackson.databind;
    requires transitive java.sql;
    requires org.slf4j;

    exports dev.backend.core;
    exports dev.backend.core.middleware;
    exports dev.backend.core.testing;
}
