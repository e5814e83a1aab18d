package dev.backend.server;

import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ends the process when an {@link OutOfMemoryError} reaches the top of any thread: one log line, then exit code
 * {@value #EXIT_CODE}, so an orchestrator restarts it. A JVM out of memory is in no state to serve: a thread of
 * the HTTP engine, of the pool or of the JDK's server may have died half-way, and what is left can hang at full
 * CPU and ignore SIGTERM while it still looks alive.
 *
 * <p>Installed once per JVM by {@link BackendServer.Builder#start()}, as the default uncaught-exception handler,
 * keeping the one that was there before for every other failure. The exit runs shutdown hooks (embedded
 * PostgreSQL stops in one), and halts if they take longer than {@value #HOOKS_SECONDS} seconds. An error that a
 * library catches and swallows never reaches it: {@code -XX:+ExitOnOutOfMemoryError} ends the JVM at the first one,
 * caught or not, and is what {@code ./serve} and the container image use.
 */
final class OutOfMemoryExit implements Thread.UncaughtExceptionHandler {

    static final int EXIT_CODE = 3;
    private static final int HOOKS_SECONDS = 10;
    private static final Logger LOG = LoggerFactory.getLogger(OutOfMemoryExit.class);
    private static boolean installed;

    private final Thread.UncaughtExceptionHandler previous;

    private OutOfMemoryExit(Thread.UncaughtExceptionHandler previous) {
        this.previous = previous;
    }

    static synchronized void install() {
        if (!installed) {
            Thread.setDefaultUncaughtExceptionHandler(new OutOfMemoryExit(Thread.getDefaultUncaughtExceptionHandler()));
            installed = true;
        }
    }

    @Override
    public void uncaughtException(Thread thread, Throwable failure) {
        if (failure instanceof OutOfMemoryError) {
            exit(thread, failure);
        } else if (previous != null) {
            previous.uncaughtException(thread, failure);
        } else {
            // What the JVM prints when no handler is set.
            System.err.print("Exception in thread \"" + thread.getName() + "\" ");
            failure.printStackTrace(System.err);
        }
    }

    private static void exit(Thread thread, Throwable failure) {
        try {
            LOG.error("Out of memory in thread {} ({}): exiting with code {} so the process is restarted", thread.getName(),
                    failure.getMessage(), EXIT_CODE);
        } catch (Throwable logging) {
            System.err.println("Out of memory: exiting with code " + EXIT_CODE + " so the process is restarted");
        }
        try {
            Thread.ofPlatform().daemon().start(() -> {
                try {
                    Thread.sleep(TimeUnit.SECONDS.toMillis(HOOKS_SECONDS));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                Runtime.getRuntime().halt(EXIT_CODE);
            });
        } catch (Throwable noThread) {
            Runtime.getRuntime().halt(EXIT_CODE);
        }
        System.exit(EXIT_CODE);
    }
}
