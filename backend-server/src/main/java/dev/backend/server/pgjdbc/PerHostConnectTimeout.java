package dev.backend.server.pgjdbc;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.util.Properties;
import javax.net.SocketFactory;

/**
 * pgJDBC's {@code socketFactory} for backend-server's connections: plain sockets whose TCP connect waits at most
 * {@code socketFactoryArg} milliseconds (0: as long as pgJDBC allows), whatever pgJDBC asks.
 *
 * <p>pgJDBC (since 42.7) spends its {@code connectTimeout} over all the hosts of a URL together: a first host whose
 * network drops the connection request used all of it, and the next host got a millisecond. libpq bounds each host
 * by {@code connect_timeout}; this factory brings that bound back to each host's connect, while pgJDBC's total still
 * bounds them all. Only backend-server sets it, through its own connection properties.
 */
public final class PerHostConnectTimeout extends SocketFactory {

    private final int perHostMillis;

    /**
     * The factory pgJDBC makes for one connection attempt.
     *
     * @param info the attempt's connection properties; {@code socketFactoryArg} is the bound in milliseconds
     * @throws NumberFormatException if {@code socketFactoryArg} is not a whole number
     */
    public PerHostConnectTimeout(Properties info) {
        String bound = info.getProperty("socketFactoryArg");
        this.perHostMillis = bound == null ? 0 : Math.max(0, Integer.parseInt(bound));
    }

    @Override
    public Socket createSocket() {
        return new Socket() {
            @Override
            public void connect(SocketAddress endpoint, int timeout) throws IOException {
                super.connect(endpoint, perHostMillis == 0 ? timeout
                        : timeout == 0 ? perHostMillis : Math.min(timeout, perHostMillis));
            }
        };
    }

    // pgJDBC creates an unconnected socket and connects it (above); these connect at once, as the default would.

    @Override
    public Socket createSocket(String host, int port) throws IOException {
        return SocketFactory.getDefault().createSocket(host, port);
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
        return SocketFactory.getDefault().createSocket(host, port, localHost, localPort);
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
        return SocketFactory.getDefault().createSocket(host, port);
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
            throws IOException {
        return SocketFactory.getDefault().createSocket(address, port, localAddress, localPort);
    }
}
