package dev.backend.server;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Real PostgreSQL run from the jar (zonky binaries), the development default when no {@code DATABASE_URL}
 * is set. Its data stays in a directory across restarts; a lock file beside that directory keeps a second
 * instance from starting on the same data.
 */
final class EmbeddedDatabase implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedDatabase.class);

    private final EmbeddedPostgres postgres;
    private final FileChannel lockChannel;
    private final Path directory;

    private EmbeddedDatabase(EmbeddedPostgres postgres, FileChannel lockChannel, Path directory) {
        this.postgres = postgres;
        this.lockChannel = lockChannel;
        this.directory = directory;
    }

    /** Starts PostgreSQL on {@code directory}, creating the cluster on first use. */
    static EmbeddedDatabase start(Path directory) {
        Path dir = directory.toAbsolutePath().normalize();
        FileChannel lock = lock(dir);
        try {
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
            LOG.warn("No DATABASE_URL set: using embedded PostgreSQL (development default) with data in {}{}",
                    dir, fresh ? " (new cluster)" : "");
            return new EmbeddedDatabase(postgres, lock, dir);
        } catch (IOException | RuntimeException e) {
            release(lock);
            throw new IllegalStateException("Could not start embedded PostgreSQL in " + dir + ": " + e.getMessage()
                    + missingBinariesHint(e), e);
        }
    }

    /** Where clients connect: the {@code postgres} superuser, trusted on localhost. */
    DatabaseUrl url() {
        return new DatabaseUrl("jdbc:postgresql://localhost:" + postgres.getPort() + "/postgres",
                Optional.of("postgres"), Optional.empty());
    }

    Path directory() {
        return directory;
    }

    /** Stops PostgreSQL (fast mode: sessions are cut, a checkpoint is written) and releases the lock. */
    @Override
    public void close() {
        try {
            postgres.close();
        } catch (IOException e) {
            LOG.warn("Stopping embedded PostgreSQL failed", e);
        } finally {
            release(lockChannel);
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
                ? ". This jar carries PostgreSQL binaries for Linux (x86_64, arm64) only; set DATABASE_URL to use "
                        + "another server."
                : "";
    }
}
