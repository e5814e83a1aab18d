package dev.backend.server;

/**
 * Hands {@code LOG_LEVEL} and {@code LOG_FORMAT} to {@code logback.xml} as system properties. Must run
 * before the first logger is created, because logback reads its configuration then and only then.
 */
final class Logging {

    private Logging() {}

    /** Configures the logs; {@code toStderr} keeps standard output clean for CLI verbs that print results. */
    static void configure(Config.Log log, boolean toStderr) {
        System.setProperty("backend.log.level", log.level());
        System.setProperty("backend.log.format", log.format() == Config.LogFormat.JSON ? "json" : "text");
        System.setProperty("backend.log.target", toStderr ? "System.err" : "System.out");
    }
}
