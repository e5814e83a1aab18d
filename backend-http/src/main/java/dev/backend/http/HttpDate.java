package dev.backend.http;

import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.TextStyle;
import java.util.Locale;

/**
 * The {@code Date} field line of the current second in IMF-fixdate, always UTC (RFC 9110 §5.6.7, §6.6.1),
 * formatted once per second by whichever response first needs it: no timer thread.
 */
final class HttpDate {

    /** A second since the epoch and its field line. */
    private record Stamp(long second, byte[] line) {}

    private static volatile Stamp current = new Stamp(-1, new byte[0]);

    private HttpDate() {
    }

    /** "Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n" for now. */
    static byte[] line() {
        long second = System.currentTimeMillis() / 1000;
        Stamp stamp = current;
        if (stamp.second != second) {
            stamp = new Stamp(second, format(second));
            current = stamp;
        }
        return stamp.line;
    }

    static byte[] format(long epochSecond) {
        LocalDateTime t = LocalDateTime.ofEpochSecond(epochSecond, 0, ZoneOffset.UTC);
        String text = String.format(Locale.ROOT, "Date: %s, %02d %s %04d %02d:%02d:%02d GMT\r\n",
                t.getDayOfWeek().getDisplayName(TextStyle.SHORT, Locale.ROOT),
                t.getDayOfMonth(),
                t.getMonth().getDisplayName(TextStyle.SHORT, Locale.ROOT),
                t.getYear(), t.getHour(), t.getMinute(), t.getSecond());
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
