package dev.backend.reference;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * What the fixtures running a real program beside the tests share ({@link Nginx}, {@link PgBouncer}): a free
 * loopback port for it, waiting until it listens, and stopping it and removing its working directory.
 */
final class LocalProgram {

    private LocalProgram() {
    }

    /** A loopback port free at the time of the call, for a program that cannot be told to pick its own. */
    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Returns once {@code process} accepts connections on {@code port}; fails with {@code diagnostics} (its logs)
     * if it exits first or does not listen within 30 s.
     */
    static void awaitListening(String name, Process process, int port, Supplier<String> diagnostics)
            throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with " + process.exitValue() + ":\n"
                        + diagnostics.get());
            }
            try {
                new Socket(InetAddress.getLoopbackAddress(), port).close();
                return;
            } catch (IOException notYet) {
                Thread.sleep(50);
            }
        }
        throw new IllegalStateException(name + " did not listen on " + port + " within 30 s:\n" + diagnostics.get());
    }

    /** Stops {@code process} (SIGTERM, then SIGKILL after 30 s) and deletes its working directory {@code dir}. */
    static void stop(Process process, Path dir) throws IOException {
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        try (var files = Files.walk(dir)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(file);
            }
        }
    }
}
