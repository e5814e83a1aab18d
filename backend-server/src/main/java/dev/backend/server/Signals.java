package dev.backend.server;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SIGTERM and SIGINT handling: the first signal starts a graceful stop, a second forces exit.
 *
 * <p>Why not a shutdown hook: a JVM that stops through hooks after a signal exits with 143 or 130, not
 * the 0 a clean drain deserves, and it ignores further signals while the hooks run, so an operator could
 * not force a stuck stop. The only JDK API that sees individual signals is {@code sun.misc.Signal} (module
 * {@code jdk.unsupported}). javac flags it as internal under {@code -Werror} with no way to suppress the
 * warning, so it is reached through reflection, here and nowhere else. Where it is missing, a shutdown
 * hook runs the same stop.
 */
final class Signals {

    private static final Logger LOG = LoggerFactory.getLogger(Signals.class);

    private Signals() {}

    /**
     * On the first SIGTERM or SIGINT runs {@code stop} on a new thread; on the next, runs {@code force}.
     */
    static void install(Runnable stop, Runnable force) {
        AtomicInteger received = new AtomicInteger();
        Runnable onSignal = () -> {
            if (received.incrementAndGet() == 1) {
                Thread.ofPlatform().name("graceful-stop").start(stop);
            } else {
                force.run();
            }
        };
        try {
            Class<?> signalType = Class.forName("sun.misc.Signal");
            Class<?> handlerType = Class.forName("sun.misc.SignalHandler");
            Constructor<?> newSignal = signalType.getConstructor(String.class);
            Method handle = signalType.getMethod("handle", signalType, handlerType);
            Object handler = Proxy.newProxyInstance(Signals.class.getClassLoader(), new Class<?>[] {handlerType},
                    (proxy, method, args) -> switch (method.getName()) {
                        case "handle" -> {
                            // A sun.misc.Signal prints as its full name, SIGTERM or SIGINT.
                            LOG.info("Received {}", args[0]);
                            onSignal.run();
                            yield null;
                        }
                        case "hashCode" -> System.identityHashCode(proxy);
                        case "equals" -> proxy == args[0];
                        case "toString" -> "Signals.handler";
                        default -> throw new UnsupportedOperationException(method.getName());
                    });
            for (String name : new String[] {"TERM", "INT"}) {
                handle.invoke(null, newSignal.newInstance(name), handler);
            }
        } catch (ClassNotFoundException | NoSuchMethodException | IllegalAccessException | InstantiationException
                | InvocationTargetException e) {
            LOG.warn("Signal handling unavailable ({}); stopping through a shutdown hook instead", e.toString());
            Runtime.getRuntime().addShutdownHook(new Thread(stop, "graceful-stop"));
        }
    }
}
