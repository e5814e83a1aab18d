package dev.backend.http;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Objects;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;

/**
 * A TLS connection: the accepted socket layered under an {@link SSLSocket} in {@link #open()}, on the connection's
 * thread, which then blocks in its reads and writes (a virtual thread, without holding a carrier). Plain
 * connections are read by the engine's selectors instead ({@link SelectorTransport}). Reads have no socket
 * timeout: a timed read parks its virtual thread with a scheduled wake-up and registers it with the poller each
 * time, which costs more than the rest of a small request; the engine's watchdog ends overdue reads instead
 * ({@link #interruptRead()}).
 */
final class TlsTransport extends SocketTransport {

    private final HttpsConfigurator tls;
    private volatile Socket socket;
    private InputStream in;
    private OutputStream out;

    TlsTransport(Socket raw, boolean noDelay, HttpsConfigurator tls) {
        super(raw, noDelay);
        this.socket = raw;
        this.tls = Objects.requireNonNull(tls, "tls");
    }

    @Override
    public void open() throws IOException {
        openSocket();
        InetSocketAddress remote = remoteAddress();
        SSLSocket ssl = (SSLSocket) tls.getSSLContext().getSocketFactory()
                .createSocket(raw, remote.getHostString(), remote.getPort(), true);
        ssl.setUseClientMode(false);
        Parameters parameters = new Parameters(ssl);
        tls.configure(parameters);
        parameters.applyLegacy();
        socket = ssl;
        ssl.startHandshake();
        in = ssl.getInputStream();
        out = ssl.getOutputStream();
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        return in.read(buffer, offset, length);
    }

    @Override
    public void write(byte[] buffer, int offset, int length) throws IOException {
        out.write(buffer, offset, length);
    }

    @Override
    public void interruptRead() {
        try {
            // On the TCP socket: the TLS layer then sees end of stream and fails its read.
            raw.shutdownInput();
        } catch (IOException | RuntimeException e) {
            close();
        }
    }

    @Override
    public void shutdownOutput() throws IOException {
        // On the SSLSocket: close_notify, then the TCP half-close; the read side stays open for the brief drain.
        socket.shutdownOutput();
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException | RuntimeException e) {
            // Closing a socket that is already broken has nothing left to report.
        }
        if (socket != raw) {
            try {
                raw.close();
            } catch (IOException e) {
                // As above.
            }
        }
    }

    @Override
    public SSLSession sslSession() {
        return socket instanceof SSLSocket ssl ? ssl.getSession() : null;
    }

    /** What the configurator sees of one connection. */
    private final class Parameters extends HttpsParameters {
        private final SSLSocket ssl;
        private boolean parametersSet;

        Parameters(SSLSocket ssl) {
            this.ssl = ssl;
        }

        @Override
        public HttpsConfigurator getHttpsConfigurator() {
            return tls;
        }

        @Override
        public InetSocketAddress getClientAddress() {
            return remoteAddress();
        }

        @Override
        public void setSSLParameters(SSLParameters params) {
            ssl.setSSLParameters(params);
            parametersSet = true;
        }

        /** The deprecated setters' values, applied when the configurator did not set whole parameters. */
        @SuppressWarnings("deprecation")
        void applyLegacy() {
            if (parametersSet) {
                return;
            }
            if (getCipherSuites() != null) {
                ssl.setEnabledCipherSuites(getCipherSuites());
            }
            if (getProtocols() != null) {
                ssl.setEnabledProtocols(getProtocols());
            }
            if (getNeedClientAuth()) {
                ssl.setNeedClientAuth(true);
            } else if (getWantClientAuth()) {
                ssl.setWantClientAuth(true);
            }
        }
    }
}
