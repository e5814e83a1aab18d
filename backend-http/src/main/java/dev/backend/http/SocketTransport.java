package dev.backend.http;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;

/**
 * What the two transports of an accepted TCP socket share: the socket, its {@code TCP_NODELAY} setting and its
 * addresses, taken once when the connection's thread opens it.
 */
abstract sealed class SocketTransport implements Transport permits SelectorTransport, TlsTransport {

    /** The accepted socket; under TLS, the layer beneath the {@code SSLSocket}. */
    final Socket raw;
    private final boolean noDelay;
    private InetSocketAddress remote;
    private InetSocketAddress local;

    SocketTransport(Socket raw, boolean noDelay) {
        this.raw = raw;
        this.noDelay = noDelay;
    }

    /** Sets the socket's options and takes its addresses: the first step of {@link #open()}. */
    final void openSocket() throws IOException {
        if (noDelay) {
            raw.setTcpNoDelay(true);
        }
        remote = (InetSocketAddress) raw.getRemoteSocketAddress();
        local = (InetSocketAddress) raw.getLocalSocketAddress();
    }

    @Override
    public final InetSocketAddress remoteAddress() {
        return remote;
    }

    @Override
    public final InetSocketAddress localAddress() {
        return local;
    }
}
