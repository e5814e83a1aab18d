package dev.backend.reference;

import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * The reference service's logging, beyond its {@code logback.xml}: where lines go, and {@code
 * java.util.logging} sent through slf4j. {@code LOG_LEVEL} and {@code LOG_FORMAT} are applied by
 * backend-server itself, as for any application on logback.
 *
 * <p>{@link #configure} must run before the first logger is created, because logback reads its
 * configuration then and only then.
 */
final class Logging {

    private Logging() {}

    /** {@code toStderr} keeps standard output clean for the migration verbs, which print results there. */
    static void configure(boolean toStderr) {
        System.setProperty("backend.log.target", toStderr ? "System.err" : "System.out");
        routeJavaUtilLogging();
    }

    /**
     * Replaces the JUL console handler with the slf4j bridge, once per JVM. backend-http (through {@code
     * System.Logger}, logger {@code dev.backend.http}), the JDK's HttpServer and pgJDBC log through JUL; without
     * this their records are printed as two-line plain text on stderr, outside our format. logback.xml's {@code
     * LevelChangePropagator} keeps JUL's levels equal to logback's, so disabled records cost a level check.
     * An application, unlike this service, decides this for itself: the library never touches JUL.
     */
    static synchronized void routeJavaUtilLogging() {
        if (!SLF4JBridgeHandler.isInstalled()) {
            SLF4JBridgeHandler.removeHandlersForRootLogger();
            SLF4JBridgeHandler.install();
        }
    }
}
