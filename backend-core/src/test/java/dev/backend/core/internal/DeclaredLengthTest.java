package dev.backend.core.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class DeclaredLengthTest {

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void passesTheDeclaredBytesOnAndTheLastOneOnlyAtFinish() throws IOException {
        ByteArrayOutputStream sent = new ByteArrayOutputStream();
        DeclaredLength body = DeclaredLength.of(sent, 6);

        body.write(ascii("abc"));
        body.write('d');
        body.write(ascii("xefx"), 1, 2);
        assertArrayEquals(ascii("abcde"), sent.toByteArray(), "the last byte waits for the writer to return");

        body.finish();
        assertArrayEquals(ascii("abcdef"), sent.toByteArray());
    }

    @Test
    void holdsBackTheLastByteWrittenOnItsOwnToo() throws IOException {
        ByteArrayOutputStream sent = new ByteArrayOutputStream();
        DeclaredLength body = DeclaredLength.of(sent, 2);

        body.write('a');
        body.write('b');
        assertArrayEquals(ascii("a"), sent.toByteArray());
        body.finish();
        assertArrayEquals(ascii("ab"), sent.toByteArray());
    }

    @Test
    void refusesTheWriteThatGoesPastTheDeclaredLengthBeforePassingAnyOfItOn() throws IOException {
        ByteArrayOutputStream sent = new ByteArrayOutputStream();
        DeclaredLength body = DeclaredLength.of(sent, 5);
        body.write(ascii("123"));

        IllegalStateException tooMany = assertThrows(IllegalStateException.class, () -> body.write(ascii("456")));

        assertEquals("the response declared 5 body bytes and its writer wrote more (at least 6)", tooMany.getMessage());
        assertArrayEquals(ascii("123"), sent.toByteArray());
        assertThrows(IllegalStateException.class, () -> DeclaredLength.of(new ByteArrayOutputStream(), 1).write(ascii("ab")));
    }

    @Test
    void failsAtFinishWhenTheWriterWroteLess() throws IOException {
        DeclaredLength body = DeclaredLength.of(new ByteArrayOutputStream(), 10);
        body.write(ascii("12345"));

        IllegalStateException tooFew = assertThrows(IllegalStateException.class, body::finish);

        assertEquals("the response declared 10 body bytes and its writer wrote 5", tooFew.getMessage());
    }

    /** Records what the writer's view passes on besides bytes. */
    private static final class Beneath extends ByteArrayOutputStream {
        int flushes;
        boolean closed;

        @Override
        public void flush() {
            flushes++;
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    @Test
    void closeNeitherClosesNorFlushesTheStreamBeneathWhichItsOwnerEnds() throws IOException {
        Beneath declared = new Beneath();
        DeclaredLength body = DeclaredLength.of(declared, 1);
        body.write('x');
        body.close();
        body.finish();

        Beneath chunked = new Beneath();
        NonClosing view = new NonClosing(chunked);
        view.write(ascii("ab"));
        view.close();
        view.write('c');

        assertEquals(0, declared.flushes + chunked.flushes, "a flush would send the body's end as a second write");
        assertEquals(false, declared.closed || chunked.closed);
        assertArrayEquals(ascii("x"), declared.toByteArray());
        assertArrayEquals(ascii("abc"), chunked.toByteArray());
        assertThrows(IllegalArgumentException.class, () -> DeclaredLength.of(declared, 0));
    }
}
