package dev.backend.core.internal;

import dev.backend.core.Response;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Objects;

/**
 * The body stream of a streamed response that declared its length ({@code Content-Length}, RFC 9112 §6.2), as its
 * writer sees it: a write that goes past the declared length fails before any of it is passed on, and {@link
 * #finish()}, called once the writer returned, fails if it wrote less. Either failure is the writer's bug, thrown as
 * an {@link IllegalStateException} that names both lengths, so that it is logged as a server failure rather than
 * taken for a client that went away.
 *
 * <p>The last declared byte is held back until {@link #finish()}: a writer that fails after writing every byte it
 * declared still leaves the message one byte short, so the client sees it cut off (RFC 9112 §8) instead of taking
 * it for complete.
 *
 * <p>{@link #close()} does nothing, as {@link NonClosing#close()}: the caller owns the stream beneath, and ends the
 * body after {@link #finish()}.
 */
public final class DeclaredLength extends OutputStream {

    private final OutputStream out;
    private final long declared;
    private long written;
    /** The last declared byte, once written: held back until {@link #finish()}. */
    private byte last;

    private DeclaredLength(OutputStream out, long declared) {
        this.out = out;
        this.declared = declared;
    }

    /**
     * Runs {@code writer} as the body of a stream of {@code length} ({@code -1} when unknown) into {@code out}: a
     * declared length is checked and its last byte held back as above, and the writer's {@code close()} does
     * nothing either way ({@link NonClosing}). The body ends when this returns; ending it is the caller's.
     *
     * @param writer the stream's writer
     * @param length the stream's declared length in bytes, or {@code -1}
     * @param out the stream the body goes to
     * @throws IOException as the writer or {@code out} throws it
     * @throws IllegalStateException if the writer does not keep the declared length
     */
    public static void writeBody(Response.BodyWriter writer, long length, OutputStream out) throws IOException {
        if (length > 0) {
            DeclaredLength checked = of(out, length);
            writer.writeTo(checked);
            checked.finish();
        } else {
            writer.writeTo(new NonClosing(out));
        }
    }

    /**
     * Checks what is written to {@code out} against {@code declared}.
     *
     * @param out the stream the body goes to
     * @param declared the declared length in bytes, 1 or more
     * @return the checking stream
     * @throws IllegalArgumentException if {@code declared} is below 1 (an empty body has no writer to check)
     */
    public static DeclaredLength of(OutputStream out, long declared) {
        if (declared < 1) {
            throw new IllegalArgumentException("declared length must be at least 1, was " + declared);
        }
        return new DeclaredLength(Objects.requireNonNull(out, "out"), declared);
    }

    @Override
    public void write(int b) throws IOException {
        admit(1);
        if (written == declared) {
            last = (byte) b;
        } else {
            out.write(b);
        }
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, bytes.length);
        if (length == 0) {
            return;
        }
        admit(length);
        if (written == declared) {
            out.write(bytes, offset, length - 1);
            last = bytes[offset + length - 1];
        } else {
            out.write(bytes, offset, length);
        }
    }

    private void admit(int length) {
        if (length > declared - written) {
            throw new IllegalStateException("the response declared " + declared + " body bytes and its writer wrote "
                    + "more (at least " + (written + length) + ")");
        }
        written += length;
    }

    /**
     * Ends the body: checks that the writer wrote every declared byte, then sends the one held back. Called once.
     *
     * @throws IllegalStateException if the writer wrote fewer bytes than declared
     * @throws IOException if sending the last byte fails
     */
    public void finish() throws IOException {
        if (written < declared) {
            throw new IllegalStateException("the response declared " + declared + " body bytes and its writer wrote "
                    + written);
        }
        out.write(last);
    }

    @Override
    public void flush() throws IOException {
        out.flush();
    }

    @Override
    public void close() {
        // The body is ended by whoever called the writer, after finish().
    }
}
