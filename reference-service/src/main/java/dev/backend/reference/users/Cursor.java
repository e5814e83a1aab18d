package dev.backend.reference.users;

import dev.backend.core.AppError;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.Optional;
import java.util.UUID;

/**
 * A position in the newest-first list of users: the sort key {@code (created_at, id)} of the last user
 * on a page. The next page is every user strictly before it in that order, which stays correct while
 * rows are inserted or deleted, unlike an offset.
 *
 * <p>Sent to clients as an opaque base64url token; a token that does not decode is a 400.
 */
record Cursor(OffsetDateTime createdAt, UUID id) {

    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DECODER = Base64.getUrlDecoder();
    /** Years 1 to 9999: what a token of ours can hold, and well inside PostgreSQL's timestamptz range. */
    private static final Instant MIN = Instant.parse("0001-01-01T00:00:00Z");
    private static final Instant MAX = Instant.parse("9999-12-31T23:59:59.999999Z");

    /** The cursor after {@code user}. */
    static Cursor after(User user) {
        return new Cursor(user.createdAt(), user.id());
    }

    /** {@code <epoch microseconds>.<uuid>}, base64url: PostgreSQL timestamps have microsecond precision. */
    String encode() {
        Instant instant = createdAt.toInstant();
        long micros = ChronoUnit.MICROS.between(Instant.EPOCH, instant);
        return ENCODER.encodeToString((micros + "." + id).getBytes(StandardCharsets.US_ASCII));
    }

    /**
     * Decodes a token from {@link #encode()}; anything else is a 400 naming the parameter. Only the token {@code
     * encode} makes is taken: the parsers below also read {@code +5}, {@code 0005}, an upper-case UUID, base64
     * padding and non-zero spare bits, which would give one position many tokens.
     */
    static Cursor decode(String token) {
        return parse(token).filter(cursor -> cursor.encode().equals(token)).orElseThrow(() -> AppError.validation(
                "Invalid query parameter 'cursor': use the cursor from the previous page's Link header").toException());
    }

    private static Optional<Cursor> parse(String token) {
        if (token.isEmpty() || token.length() > 100) {
            return Optional.empty();
        }
        String text;
        try {
            text = new String(DECODER.decode(token), StandardCharsets.US_ASCII);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        int dot = text.indexOf('.');
        if (dot <= 0 || text.length() - dot - 1 != 36) {
            return Optional.empty();
        }
        try {
            long micros = Long.parseLong(text, 0, dot, 10);
            UUID id = UUID.fromString(text.substring(dot + 1));
            Instant instant = Instant.EPOCH.plus(micros, ChronoUnit.MICROS);
            if (instant.isBefore(MIN) || instant.isAfter(MAX)) {
                return Optional.empty();
            }
            return Optional.of(new Cursor(instant.atOffset(ZoneOffset.UTC), id));
        } catch (RuntimeException e) { // NumberFormatException, DateTimeException, ArithmeticException
            return Optional.empty();
        }
    }
}
