package dev.backend.reference;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

/**
 * Debian's PgBouncer in front of a test database, started for a test class and stopped after it. Two names lead
 * to the same database: {@code <database>} pooled in transaction mode with {@value #SERVER_CONNECTIONS} server
 * connections, so client connections share backends, and {@code <database>_session} in session mode.
 * Installed by {@link DebianPackage} when missing.
 */
final class PgBouncer implements AutoCloseable {

    static final int SERVER_CONNECTIONS = 3;
    private static final Path BINARY = Path.of("/usr/sbin/pgbouncer");

    private final Process process;
    private final Path dir;
    private final int port;

    private PgBouncer(Process process, Path dir, int port) {
        this.process = process;
        this.dir = dir;
        this.port = port;
    }

    /** PgBouncer for {@code database} on PostgreSQL at {@code host:pgPort}, reached as {@code user} (trusted). */
    static PgBouncer start(String host, int pgPort, String database, String user) throws IOException, InterruptedException {
        DebianPackage.require(BINARY, "pgbouncer");
        Path dir = Files.createTempDirectory("pgbouncer");
        // PgBouncer, run as postgres, writes its log and pid file here.
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
        int port = LocalProgram.freePort();
        String target = "host=" + host + " port=" + pgPort + " dbname=" + database;
        Files.writeString(dir.resolve("userlist.txt"), "\"" + user + "\" \"\"\n");
        Files.writeString(dir.resolve("pgbouncer.ini"), String.join("\n",
                "[databases]",
                database + " = " + target + " pool_mode=transaction",
                // In session mode every client connection holds a server connection for its whole life.
                database + "_session = " + target + " pool_mode=session pool_size=20",
                "[pgbouncer]",
                "listen_addr = 127.0.0.1",
                "listen_port = " + port,
                "unix_socket_dir =",
                "auth_type = trust",
                "auth_file = " + dir.resolve("userlist.txt"),
                "default_pool_size = " + SERVER_CONNECTIONS,
                "max_client_conn = 500",
                // pgJDBC sends it at start-up; PgBouncer 1.18 refuses start-up parameters it does not track.
                "ignore_startup_parameters = extra_float_digits",
                "logfile = " + dir.resolve("pgbouncer.log"),
                "pidfile = " + dir.resolve("pgbouncer.pid"),
                ""));
        List<String> command = new ArrayList<>();
        if (DebianPackage.isRoot()) {
            // PgBouncer refuses to run as root; Debian's package runs it as postgres.
            command.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        command.addAll(List.of(BINARY.toString(), dir.resolve("pgbouncer.ini").toString()));
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve("stdout.log").toFile()).start();
        PgBouncer bouncer = new PgBouncer(process, dir, port);
        LocalProgram.awaitListening("pgbouncer", process, port, bouncer::log);
        return bouncer;
    }

    int port() {
        return port;
    }

    /** What PgBouncer logged so far, for failure messages. */
    String log() {
        try {
            Path log = dir.resolve("pgbouncer.log");
            return (Files.exists(log) ? Files.readString(log) : "") + Files.readString(dir.resolve("stdout.log"));
        } catch (IOException e) {
            return e.toString();
        }
    }

    @Override
    public void close() throws IOException {
        LocalProgram.stop(process, dir);
    }
}
