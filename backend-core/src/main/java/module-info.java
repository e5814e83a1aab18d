/**
 * backend-core: the Handler/Middleware/Router pipeline on {@code com.sun.net.httpserver}.
 *
 * <p>An application on the module path opens the packages of the records it reads or writes as JSON to
 * Jackson, as this module does for its error bodies: {@code opens com.example.app to tools.jackson.databind;}.
 */
module dev.backend.core {
    requires transitive jdk.httpserver;
    requires transitive tools.jackson.databind;
    requires transitive java.sql;
    requires org.slf4j;

    exports dev.backend.core;
    exports dev.backend.core.middleware;
    exports dev.backend.core.testing;

    // Error bodies ({"error": "..."}) are records of this package, written by Jackson through reflection:
    // without this every error response on the module path was an empty reply.
    opens dev.backend.core to tools.jackson.databind;
}
