package dev.backend.core.middleware;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** RFC 9110 §12.5.3 and §12.4.2, element by element. */
class AcceptEncodingTest {

    @ParameterizedTest
    @ValueSource(strings = {"gzip", "GZIP", "x-gzip", "X-Gzip", "*", "deflate, gzip", "br;q=1.0, gzip;q=0.5",
            " gzip ; q=0.001", "gzip\t;\tq=0.5", "gzip;Q=0.5", "gzip;q=1", "gzip;q=1.", "gzip;q=1.000", "gzip;q=0.5",
            ", , gzip ,", "gzip, identity;q=0", "*, identity;q=0", "identity;q=0.5, gzip",
            "identity;q=0.5, gzip;q=0.5", "*;q=0.5", "gzip;q=0.5, *;q=0.5", "gzip;q=0.1, *;q=0",
            "gzip;q=0.5, identity;q=2"})
    void prefersGzip(String value) {
        assertTrue(AcceptEncoding.prefersGzip(List.of(value)), value);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "identity", "br", "deflate, br", "gzip;q=0", "gzip;q=0.", "gzip;q=0.000",
            "GZIP;Q=0", "*;q=0", "gzip;q=0.0, *", "*, gzip;q=0", "x-gzip;q=0, *", "identity;q=1, gzip;q=0.5",
            "gzip;q=0.5, *", "gzip;q=0.5, identity", "gzip, gzip;q=0",
            // An element that breaks the grammar is ignored as a whole, neither consent nor refusal:
            "gzip;q=2", "gzip;q=1.5", "gzip;q=1.001", "gzip;q=.5", "gzip;q=0.0001", "gzip;q=-1", "gzip;q=",
            "gzip;q = 0.5", "gzip;q=0.5x", "gzip;level=9", "gzip;q=0.5;level=9", "gzip q=1",
            // Identity refused but gzip never offered: nothing acceptable, so plain rather than a 406.
            "identity;q=0", "identity;q=0, br"})
    void keepsThePlainBody(String value) {
        assertFalse(AcceptEncoding.prefersGzip(List.of(value)), value);
    }

    @ParameterizedTest
    @ValueSource(strings = {"*;q=0, gzip;q=bogus", "identity;q=1, gzip;q=0.9, gzip;q=2"})
    void anIgnoredElementLeavesTheOthersInCharge(String value) {
        assertFalse(AcceptEncoding.prefersGzip(List.of(value)), value);
    }

    @org.junit.jupiter.api.Test
    void readsEveryFieldLineAsOneList() {
        assertTrue(AcceptEncoding.prefersGzip(List.of("br", "gzip")));
        assertFalse(AcceptEncoding.prefersGzip(List.of("gzip", "gzip;q=0")));
        assertFalse(AcceptEncoding.prefersGzip(List.of()));
    }
}
