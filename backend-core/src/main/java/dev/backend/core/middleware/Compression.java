package dev.backend.core.middleware;

import dev.backend.core.Handler;
import dev.backend.core.Middleware;
import dev.backend.core.Request;
import dev.backend.core.Response;
import dev.backend.core.internal.DeclaredLength;
import dev.backend.core.internal.MediaTypes;
import dev.backend.core.internal.NonClosing;
import dev.backend.core.internal.StatusCodes;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.Objects;
import java.util.zip.GZIPOutputStream;

/**
 * Gzip response compression, like tower-http's {@code CompressionLayer}, with {@code java.util.zip}.
 *
 * <p>A response is compressed when all of these hold: the client prefers {@code gzip} to the plain body
 * by its {@code Accept-Encoding} (RFC 9110 §12.5.3, q-values and {@code *} honoured; see {@link
 * AcceptEncoding} for the exact rules); the status carries a body (not 1xx, 204, 205, 206 or 304); the body has
 * no {@code Content-Encoding} yet and no {@code Cache-Control: no-transform}; its type is text-like (text,
 * JSON, XML, JavaScript, SVG, OpenMetrics; not {@code text/event-stream}); and it is not empty and at least {@code minSize}
 * bytes, or a stream of unknown length. A client that refuses identity ({@code identity;q=0}) still gets a plain
 * body where these rules say not to compress, which RFC 9110 §12.5.3 allows instead of a 406.
 *
 * <p>{@code HEAD} is answered as the {@code GET} would be (RFC 9110 §9.3.2): the same {@code
 * Content-Encoding}, {@code Vary}, {@code ETag} and, for a body held in memory, the {@code Content-Length}
 * of the compressed bytes, which are produced to be counted and then dropped.
 *
 * <p>Every response that would have been compressed for another {@code Accept-Encoding} gets {@code
 * Vary: Accept-Encoding}, so caches keep both versions apart. A strong {@code ETag} is weakened on the
 * compressed copy, because the bytes differ; a handler answering {@code If-None-Match} must therefore
 * compare weakly, as RFC 9110 §13.1.2 requires anyway. Byte bodies are compressed at once and keep an
 * exact {@code Content-Length}; streams are compressed as they are written and sent chunked.
 *
 * {@snippet :
 * Middleware gzip = Compression.of(Compression.Config.defaults().withMinSize(512));
 * }
 */
public final class Compression implements Middleware {

    /**
     * Compression settings.
     *
     * @param minSize smallest body, in bytes, worth compressing: below about 1 KB the gzip header and the CPU
     *     cost outweigh the saving
     * @param level the deflate level, 1 (fastest) to 9 (smallest)
     */
    public record Config(int minSize, int level) {
        /**
         * Checks the ranges.
         *
         * @throws IllegalArgumentException if {@code minSize} is negative or {@code level} is not from 1 to 9
         */
        public Config {
            if (minSize < 0) {
                throw new IllegalArgumentException("minSize must not be negative, was " + minSize);
            }
            if (level < 1 || level > 9) {
                throw new IllegalArgumentException("level must be from 1 to 9, was " + level);
            }
        }

        /**
         * 1 KiB minimum, level 6 (zlib's default balance).
         *
         * @return the settings
         */
        public static Config defaults() {
            return new Config(1024, 6);
        }

        /**
         * A copy with another minimum size.
         *
         * @param minSize smallest body worth compressing, in bytes; 0 or more
         * @return the copy
         * @throws IllegalArgumentException if {@code minSize} is negative
         */
        public Config withMinSize(int minSize) {
            return new Config(minSize, level);
        }

        /**
         * A copy with another level.
         *
         * @param level the deflate level, 1 (fastest) to 9 (smallest)
         * @return the copy
         * @throws IllegalArgumentException if {@code level} is out of range
         */
        public Config withLevel(int level) {
            return new Config(minSize, level);
        }
    }

    private final int minSize;
    private final int level;

    private Compression(Config config) {
        this.minSize = config.minSize();
        this.level = config.level();
    }

    /**
     * Compression with {@link Config#defaults()}.
     *
     * @return the middleware
     */
    public static Compression create() {
        return of(Config.defaults());
    }

    /**
     * Compression with these settings.
     *
     * @param config the minimum size and level
     * @return the middleware
     */
    public static Compression of(Config config) {
        return new Compression(Objects.requireNonNull(config, "config"));
    }

    @Override
    public Handler wrap(Handler next) {
        Objects.requireNonNull(next, "next");
        return request -> {
            Response response = next.handle(request);
            if (!eligible(response)) {
                return response;
            }
            Response varied = response.withAddedHeader("Vary", "Accept-Encoding");
            return AcceptEncoding.prefersGzip(request.headers("Accept-Encoding")) ? compress(varied) : varied;
        };
    }

    /** Everything but the client's consent: the cases where {@code Accept-Encoding} changes the answer. */
    private boolean eligible(Response response) {
        int status = response.status();
        if (StatusCodes.carriesNoContent(status) || status == 206) {
            return false;
        }
        long length = response.body().knownLength();
        // An empty body stays empty even with a minimum of 0: gzip would turn nothing into 20 bytes, and a stream
        // declared empty would have its writer called, which the adapter never does.
        if (length == 0 || (length > 0 && length < minSize)) {
            return false;
        }
        String contentType = response.header("Content-Type").orElse(null);
        if (contentType == null || !MediaTypes.isCompressible(contentType)
                || response.header("Content-Encoding").isPresent()) {
            return false;
        }
        String cacheControl = response.header("Cache-Control").orElse(null);
        return cacheControl == null || !HttpText.lower(cacheControl).contains("no-transform");
    }

    private Response compress(Response response) {
        String contentType = response.header("Content-Type").orElseThrow();
        Response.Body body = switch (response.body()) {
            case Response.Body.Bytes bytes -> new Response.Body.Bytes(gzip(bytes.bytes()));
            case Response.Body.Stream stream -> new Response.Body.Stream(-1, out -> {
                LevelledGzip gzip = new LevelledGzip(new NonClosing(out), level);
                try {
                    // Sent chunked, the declared length is checked here or nowhere (a short or long body must fail
                    // as it would uncompressed), and the writer's close must not write the gzip trailer.
                    DeclaredLength.writeBody(stream.writer(), stream.length(), gzip);
                } catch (IOException | RuntimeException | Error e) {
                    // No gzip trailer: a client must not take the part written so far for the whole body.
                    gzip.abandon();
                    throw e;
                }
                gzip.close();
            });
            case Response.Body.Empty empty -> empty;
        };
        Response compressed = response.withBody(contentType, body).withHeader("Content-Encoding", "gzip");
        String etag = response.header("ETag").orElse(null);
        return etag != null && !etag.startsWith("W/") ? compressed.withHeader("ETag", "W/" + etag) : compressed;
    }

    private byte[] gzip(byte[] bytes) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(64, bytes.length / 4));
        try (GZIPOutputStream gzip = new LevelledGzip(out, level)) {
            gzip.write(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException("gzip into memory failed", e);
        }
        return out.toByteArray();
    }

    /** {@link GZIPOutputStream} at a chosen level; its deflater is released on close or abandon. */
    private static final class LevelledGzip extends GZIPOutputStream {
        LevelledGzip(OutputStream out, int level) throws IOException {
            super(out, 8192);
            def.setLevel(level);
        }

        /** Releases the deflater without finishing the stream: no last block, no trailer. */
        void abandon() {
            def.end();
        }
    }
}
