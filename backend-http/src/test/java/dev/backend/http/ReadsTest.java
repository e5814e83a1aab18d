package dev.backend.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The engine's selectors ({@link Reads}) over real loopback sockets. */
class ReadsTest {

    @Test
    void aConnectionWhoseReadFailsEvenWithAnErrorIsClosedAndTheOthersAreStillRead() throws Exception {
        Reads reads = new Reads(1);
        reads.start();
        try (ServerSocket listener = ServerSocketChannel.open().socket()) {
            listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            try (Socket failingClient = new Socket(InetAddress.getLoopbackAddress(), listener.getLocalPort());
                    Socket failing = listener.accept();
                    Socket client = new Socket(InetAddress.getLoopbackAddress(), listener.getLocalPort());
                    Socket served = listener.accept()) {
                CountDownLatch closed = new CountDownLatch(1);
                failing.getChannel().configureBlocking(false);
                reads.register(failing.getChannel(), new Reads.Served() {
                    @Override
                    public void ready(SelectionKey key, ByteBuffer buffer) {
                        // What an allocation can throw on the selector's thread when the heap is full.
                        throw new OutOfMemoryError("simulated");
                    }

                    @Override
                    public void close() {
                        closed.countDown();
                    }
                });
                SelectorTransport transport = new SelectorTransport(served, true, reads);
                transport.open();

                failingClient.getOutputStream().write('x');
                assertTrue(closed.await(10, TimeUnit.SECONDS), "the failing connection is closed");
                client.getOutputStream().write("still read".getBytes(StandardCharsets.US_ASCII));
                byte[] read = new byte[10];
                int n = 0;
                while (n < read.length) {
                    int count = transport.read(read, n, read.length - n);
                    assertTrue(count > 0);
                    n += count;
                }

                assertArrayEquals("still read".getBytes(StandardCharsets.US_ASCII), read);
                transport.close();
            }
        } finally {
            reads.close();
        }
    }

    @Test
    void selectsOnAVirtualThreadOnlyWhereABlockedSelectionReleasesItsCarrier() throws Exception {
        Reads reads = new Reads(1);
        reads.start();
        try (ServerSocket listener = ServerSocketChannel.open().socket()) {
            listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            try (Socket client = new Socket(InetAddress.getLoopbackAddress(), listener.getLocalPort());
                    Socket accepted = listener.accept()) {
                java.util.concurrent.CompletableFuture<Boolean> virtual = new java.util.concurrent.CompletableFuture<>();
                accepted.getChannel().configureBlocking(false);
                reads.register(accepted.getChannel(), new Reads.Served() {
                    @Override
                    public void ready(SelectionKey key, ByteBuffer buffer) {
                        key.interestOps(0);
                        virtual.complete(Thread.currentThread().isVirtual());
                    }

                    @Override
                    public void close() {
                    }
                });
                client.getOutputStream().write('x');

                // JEP 491 (JDK 24) made a blocking epoll selection unmount a virtual thread; before, it pins one.
                assertEquals(Runtime.version().feature() >= 24, virtual.get(10, TimeUnit.SECONDS));
            }
        } finally {
            reads.close();
        }
    }

    @Test
    void aSelectorNeverStartedOrClosedRefusesRegistrationsAsAStoppedServer() throws IOException {
        Reads reads = new Reads(1);
        reads.close();
        try (ServerSocket listener = ServerSocketChannel.open().socket()) {
            listener.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            try (Socket client = new Socket(InetAddress.getLoopbackAddress(), listener.getLocalPort());
                    Socket accepted = listener.accept()) {
                assertTrue(client.isConnected());
                SelectorTransport transport = new SelectorTransport(accepted, true, reads);
                IOException refused = assertThrows(IOException.class, transport::open);
                assertEquals("server stopped", refused.getMessage());
            }
        }
    }
}
