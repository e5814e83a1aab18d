/**
 * backend-server: the runtime around backend-core's pipeline, as a library.
 *
 * <p>An application on the module path requires this module (backend-core comes with it) and opens the
 * packages of the records it reads or writes as JSON to Jackson, such as {@code opens com.example.app to
 * tools.jackson.databind;}, and, when its migrations are packaged under that package (as in {@code
 * MigrationSource.classpath("com/example/app/migrations")}), nothing more: migration directories are found
 * as resources, which stay readable.
 */
module dev.backend.server {
    requires transitive dev.backend.core;
    requires dev.backend.http;
    requires transitive java.sql;
    requires com.zaxxer.hikari;
    requires org.postgresql.jdbc;
    requires org.slf4j;
    // Metrics (METRICS=true by default) and the embedder's own MeterRegistry in the builder's signature.
    requires transitive micrometer.core;
    requires micrometer.registry.prometheus;
    requires io.prometheus.writer.text;
    // The JVM meters read MXBeans: process CPU (com.sun.management) and the virtual-thread scheduler (jdk.management),
    // which a module-path application or a jlink image would otherwise leave out; so does the open-files limit
    // MAX_HTTP_CONNECTIONS is derived from (com.sun.management).
    requires java.management;
    requires jdk.management;
    // Optional at run time: with the OpenTelemetry API present (the Java agent bridges it), spans get the route.
    requires static io.opentelemetry.api;
    requires static io.opentelemetry.context;
    // Optional at run time: applied only when the application's SLF4J backend is logback (LogbackSettings), and
    // the supertype of AsyncConsoleAppender. Not transitive: a consumer without logback must still compile.
    requires static ch.qos.logback.classic;
    requires static ch.qos.logback.core;

    exports dev.backend.server;
    exports dev.backend.server.migration;
    exports dev.backend.server.spi;
    // Classes a logback.xml names (logback instantiates them); loaded only when an application uses logback.
    exports dev.backend.server.logback;
    // The socket factory pgJDBC instantiates by name for the pool's and the migrations' connections.
    exports dev.backend.server.pgjdbc to org.postgresql.jdbc;

    // The development database (backend-embedded-postgres) is found as a service.
    uses dev.backend.server.spi.EmbeddedDatabaseProvider;
}
