package dev.backend.reference;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Debian's nginx as a reverse proxy in front of instances on loopback, as the docs tell operators to set it
 * up: an upstream with {@code keepalive 32} and a {@code keepalive_timeout} shorter than the instances'
 * {@code SHUTDOWN_DELAY}, {@code proxy_next_upstream error timeout} (so a POST it has sent is never retried).
 * {@link #upstream} rewrites the server list and reloads nginx, as an orchestrator takes an instance out.
 * Installed by {@link DebianPackage} when missing.
 */
final class Nginx implements AutoCloseable {

    private static final Path BINARY = Path.of("/usr/sbin/nginx");

    private final Process process;
    private final Path dir;
    private final int port;

    private Nginx(Process process, Path dir, int port) {
        this.process = process;
        this.dir = dir;
        this.port = port;
    }

    static Nginx start(List<Integer> upstreams, String keepaliveTimeout) throws IOException, InterruptedException {
        DebianPackage.require(BINARY, "nginx");
        Path dir = Files.createTempDirectory("nginx");
        int port = LocalProgram.freePort();
        Files.writeString(dir.resolve("nginx.conf"), String.join("\n",
                "worker_processes 2;",
                "pid " + dir.resolve("nginx.pid") + ";",
                "error_log " + dir.resolve("error.log") + " warn;",
                "events { worker_connections 1024; }",
                "http {",
                "  access_log off;",
                "  upstream app {",
                "    include " + dir.resolve("upstream.conf") + ";",
                "    keepalive 32; keepalive_timeout " + keepaliveTimeout + ";",
                "  }",
                "  server {",
                "    listen 127.0.0.1:" + port + ";",
                // A reload retires nginx's old workers, which close their idle client connections under any
                // client about to reuse one: clients here connect per request, the upstream side is under test.
                "    keepalive_timeout 0;",
                "    location / {",
                "      proxy_pass http://app; proxy_http_version 1.1; proxy_set_header Connection \"\";",
                "      proxy_next_upstream error timeout;",
                "    }",
                "  }",
                "}",
                ""));
        writeUpstream(dir, upstreams, List.of());
        Process process = new ProcessBuilder(BINARY.toString(), "-p", dir.toString(), "-e", dir.resolve("error.log").toString(),
                "-c", dir.resolve("nginx.conf").toString(), "-g", "daemon off;")
                .redirectErrorStream(true).redirectOutput(dir.resolve("stdout.log").toFile()).start();
        Nginx started = new Nginx(process, dir, port);
        LocalProgram.awaitListening("nginx", process, port, started::diagnostics);
        return started;
    }

    int port() {
        return port;
    }

    /** Routes to {@code ports} except those in {@code down}, and reloads. */
    void upstream(List<Integer> ports, List<Integer> down) throws IOException, InterruptedException {
        writeUpstream(dir, ports, down);
        Process reload = new ProcessBuilder("kill", "-HUP", Long.toString(process.pid())).start();
        if (!reload.waitFor(10, TimeUnit.SECONDS) || reload.exitValue() != 0) {
            throw new IllegalStateException("could not signal nginx to reload");
        }
    }

    /** nginx's error log so far. */
    String errorLog() throws IOException {
        return Files.exists(dir.resolve("error.log")) ? Files.readString(dir.resolve("error.log")) : "";
    }

    private String diagnostics() {
        try {
            return Files.readString(dir.resolve("stdout.log")) + errorLog();
        } catch (IOException e) {
            return e.toString();
        }
    }

    private static void writeUpstream(Path dir, List<Integer> ports, List<Integer> down) throws IOException {
        Files.writeString(dir.resolve("upstream.conf"), ports.stream()
                .map(p -> "server 127.0.0.1:" + p + " max_fails=0" + (down.contains(p) ? " down" : "") + ";")
                .collect(Collectors.joining("\n", "", "\n")));
    }

    @Override
    public void close() throws IOException {
        LocalProgram.stop(process, dir);
    }
}
