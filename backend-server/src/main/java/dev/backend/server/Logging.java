package dev.backend.server;

import org.slf4j.bridge.SLF4JBridgeHandler;

/**
 * Hands {@code LOG_LEVEL} and {@code LOG_FORMAT} to {@code logback.xml} as system properties, and sends
 * {@code java.util.logging} through slf4j.
 *
 * <p>{@link #configure} must run before the first logger is created, because logback reads its
 * configuration then and only then.
 */
final class Logging {

    private Logging() {}

    /** Configures the logs; {@code toStderr} keeps standard output clean for CLI verbs that print results. */
    static void configure(Config.Log log, boolean toStderr) {
        System.setProperty("backend.log.level", log.level());
        System.setProperty("backend.log.format", log.format() == Config.LogFormat.JSON ? "json" : "text");
        System.setProperty("backend.log.target", toStderr ? "System.err" : "System.out");
        routeJavaUtilLogging();
    }

    /**
     * Replaces the JUL console handler with the slf4j bridge, once per JVM. The robaho provider (through
     * {@code System.Logger}), the JDK's HttpServer and pgJDBC log through JUL; without this their records
     * are printed as two-line plain text on stderr, outside our format. logback.xml's {@code
     * LevelChangePropagator} keeps JUL's levels equal to logback's, so disabled records cost a level check.
     */
    static synchronized void routeJavaUtilLogging() {
        if (!SLF4JBridgeHandler.isInstalled()) {
            SLF4JBridgeHandler.removeHandlersForRootLogger();
            SLF4JBridgeHandler.install();
        }
    }
}
