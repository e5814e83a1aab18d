package dev.backend.server;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP relay on a local port to a server, which a test can {@link #cut()} like a failing network (every
 * connection through it dies, new ones are refused), {@link #blackhole()} like a network that drops packets (every
 * connection stays open and hears nothing more) and {@link #restore()}.
 */
final class TcpProxy implements AutoCloseable {

    private final InetSocketAddress target;
    private final int port;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    /** Connections that get nothing more through: what either side sends is dropped, and neither is closed. */
    private final Set<Socket> silenced = ConcurrentHashMap.newKeySet();
    private final AtomicInteger accepted = new AtomicInteger();
    private volatile ServerSocket listener;
    private volatile boolean blackholed;

    private TcpProxy(InetSocketAddress target) throws IOException {
        this.target = target;
        this.listener = listen(0);
        this.port = listener.getLocalPort();
        accept(listener);
    }

    static TcpProxy to(String host, int port) throws IOException {
        return new TcpProxy(new InetSocketAddress(host, port));
    }

    int port() {
        return port;
    }

    /** Closes every connection through the relay and stops listening: connecting is refused until restored. */
    void cut() throws IOException {
        listener.close();
        for (Socket socket : sockets) {
            socket.close();
        }
        sockets.clear();
        silenced.clear();
    }

    /**
     * Drops everything from now on, as a lost route or a failed-over address does: every connection stays open and
     * hears nothing more, for good; new ones are accepted and never answered, until {@link #restore()}.
     */
    void blackhole() throws IOException {
        blackholed = true;
        silenced.addAll(sockets);
        if (listener.isClosed()) {
            listener = listen(port);
            accept(listener);
        }
    }

    /** Relays new connections again; those cut or silenced stay so. */
    void restore() throws IOException {
        blackholed = false;
        if (listener.isClosed()) {
            listener = listen(port);
            accept(listener);
        }
    }

    /** {@return how many connections the relay has accepted} */
    int accepted() {
        return accepted.get();
    }

    @Override
    public void close() throws IOException {
        cut();
    }

    private static ServerSocket listen(int port) throws IOException {
        ServerSocket socket = new ServerSocket();
        socket.setReuseAddress(true);
        socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        return socket;
    }

    private void accept(ServerSocket server) {
        Thread.ofVirtual().name("tcp-proxy-accept").start(() -> {
            while (!server.isClosed()) {
                try {
                    Socket client = server.accept();
                    accepted.incrementAndGet();
                    sockets.add(client);
                    if (blackholed) {
                        silenced.add(client);
                        pump(client, client);
                        continue;
                    }
                    Socket upstream = new Socket(target.getAddress(), target.getPort());
                    sockets.add(upstream);
                    pump(client, upstream);
                    pump(upstream, client);
                } catch (IOException e) {
                    if (!server.isClosed()) {
                        throw new UncheckedIOException(e);
                    }
                }
            }
        });
    }

    private void pump(Socket from, Socket to) {
        Thread.ofVirtual().name("tcp-proxy-pump").start(() -> {
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                byte[] buffer = new byte[8192];
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    if (!silenced.contains(from) && !silenced.contains(to)) {
                        out.write(buffer, 0, n);
                        out.flush();
                    }
                }
            } catch (IOException e) {
                // The other side went away, or the relay was cut: either way this direction is over.
            } finally {
                try {
                    from.close();
                    to.close();
                } catch (IOException ignored) {
                    // already closed
                }
            }
        });
    }
}
