package dev.backend.core.middleware;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class TraceContextTest {

    private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String PARENT = "00-" + TRACE_ID + "-00f067aa0ba902b7-01";

    private static TraceContext continued(String traceparent) {
        return TraceContext.continueOrStart(List.of(traceparent), List.of());
    }

    @Test
    void aValidVersion00TraceparentContinuesTheCallersTraceWithASpanOfItsOwn() {
        TraceContext context = TraceContext.continueOrStart(List.of(PARENT), List.of("congo=t61rcWkgMzE"));

        assertEquals(TRACE_ID, context.traceId());
        assertNotEquals("00f067aa0ba902b7", context.spanId());
        assertTrue(context.spanId().matches("[0-9a-f]{16}"), context.spanId());
        assertTrue(context.sampled());
        assertEquals("congo=t61rcWkgMzE", context.traceState());
        assertEquals("00-" + TRACE_ID + "-" + context.spanId() + "-01", context.traceparent());
    }

    @Test
    void theSampledFlagIsTheLowestBitAndOtherFlagsAreNotPassedOn() {
        assertFalse(continued("00-" + TRACE_ID + "-00f067aa0ba902b7-00").sampled());
        assertTrue(continued("00-" + TRACE_ID + "-00f067aa0ba902b7-03").sampled());
        assertTrue(continued("00-" + TRACE_ID + "-00f067aa0ba902b7-03").traceparent().endsWith("-01"));
        assertFalse(continued("00-" + TRACE_ID + "-00f067aa0ba902b7-fe").sampled());
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = {
        "",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",              // no flags
        "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",           // uppercase trace id
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00F067AA0BA902B7-01",           // uppercase parent id
        "00-00000000000000000000000000000000-00f067aa0ba902b7-01",           // all-zero trace id
        "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",           // all-zero parent id
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0g",           // flags not hex
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra",     // version 00 is exactly 55
        "00-4bf92f3577b34da6a3ce929d0e0e473-600f067aa0ba902b7-01",           // dashes in the wrong place
        "00_4bf92f3577b34da6a3ce929d0e0e4736_00f067aa0ba902b7_01",           // wrong separators
        "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",           // version ff is invalid
        "0g-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",           // version not hex
        "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01extra",      // later version: a dash must follow
        " 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",          // leading space
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01\u0000",     // trailing garbage
    })
    void aMalformedTraceparentStartsANewTraceAndDropsTheTracestate(String malformed) {
        TraceContext context = TraceContext.continueOrStart(List.of(malformed), List.of("congo=t61rcWkgMzE"));

        assertNotEquals(TRACE_ID, context.traceId());
        assertTrue(context.traceId().matches("[0-9a-f]{32}"), context.traceId());
        assertTrue(context.sampled());
        assertEquals("", context.traceState());
    }

    @Test
    void aLaterVersionIsReadAsVersion00AndWhatFollowsIsIgnored() {
        for (String later : List.of("01-" + TRACE_ID + "-00f067aa0ba902b7-01", "cc-" + TRACE_ID
                + "-00f067aa0ba902b7-01-what-the-future-holds", "fe-" + TRACE_ID + "-00f067aa0ba902b7-00-")) {
            TraceContext context = continued(later);
            assertEquals(TRACE_ID, context.traceId(), later);
            assertTrue(context.traceparent().startsWith("00-"), "we answer in the version we know");
        }
    }

    @Test
    void twoTraceparentHeadersAreAmbiguousAndStartANewTrace() {
        TraceContext context = TraceContext.continueOrStart(List.of(PARENT, PARENT), List.of());

        assertNotEquals(TRACE_ID, context.traceId());
    }

    @Test
    void noTraceparentStartsANewSampledTraceWithRandomIds() {
        Set<String> traces = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            TraceContext context = TraceContext.continueOrStart(List.of(), List.of("congo=t61rcWkgMzE"));
            assertTrue(context.traceId().matches("[0-9a-f]{32}") && !context.traceId().matches("0+"));
            assertTrue(context.spanId().matches("[0-9a-f]{16}") && !context.spanId().matches("0+"));
            assertEquals("", context.traceState(), "a tracestate without its traceparent means nothing");
            traces.add(context.traceId());
        }
        assertEquals(1000, traces.size());
    }

    @Test
    void tracestateFieldsAreJoinedInOrderWithoutEmptyMembersOrWhitespace() {
        TraceContext context = TraceContext.continueOrStart(List.of(PARENT),
                List.of("rojo=00f067aa0ba902b7, ,congo=t61rcWkgMzE", "\tvendor@tenant=a b c "));

        assertEquals("rojo=00f067aa0ba902b7,congo=t61rcWkgMzE,vendor@tenant=a b c", context.traceState());
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = {
        "novalue",                         // not key=value
        "Upper=1",                         // keys are lowercase
        "1abc=1",                          // a simple key starts with a letter
        "a=b=c",                           // '=' is not allowed in a value
        "a=",                              // a value has at least one character
        "a=caf\u00e9",                     // values are printable ASCII
        "rojo=1,rojo=2",                   // a key twice
        "tenant@=1",                       // a multi-tenant key needs its system id
        "@system=1",                       // and its tenant id
        "tenant@systemidfartoolong=1",     // a system id has at most 14 characters
    })
    void aMalformedTracestateIsDroppedWhileTheTraceContinues(String tracestate) {
        TraceContext context = TraceContext.continueOrStart(List.of(PARENT), List.of(tracestate));

        assertEquals(TRACE_ID, context.traceId());
        assertEquals("", context.traceState());
    }

    @Test
    void aTracestateOfMoreThan32MembersIsDropped() {
        String members = IntStream.range(0, 33).mapToObj(i -> "k" + i + "=v").collect(Collectors.joining(","));
        String thirtyTwo = IntStream.range(0, 32).mapToObj(i -> "k" + i + "=v").collect(Collectors.joining(","));

        assertEquals("", TraceContext.continueOrStart(List.of(PARENT), List.of(members)).traceState());
        assertEquals(thirtyTwo, TraceContext.continueOrStart(List.of(PARENT), List.of(thirtyTwo)).traceState());
    }

    @Test
    void aContextBuiltInCodeIsCheckedLikeAHeader() {
        assertThrows(IllegalArgumentException.class, () -> new TraceContext("0".repeat(32), "00f067aa0ba902b7", true, ""));
        assertThrows(IllegalArgumentException.class, () -> new TraceContext(TRACE_ID, "00F067AA0BA902B7", true, ""));
        assertThrows(IllegalArgumentException.class, () -> new TraceContext(TRACE_ID, "00f067aa0ba902b7", true, "a=\n"));
        // Only spaces and tabs are optional white space around a member: a line break, a vertical tab, a separator
        // control or a Unicode space is part of the member, and no member may hold one.
        for (String state : List.of("a=1\r\n", "a=1\u000b", "\u001ca=1", "a=1\u2003", "a=1,\nb=2")) {
            assertThrows(IllegalArgumentException.class, () -> new TraceContext(TRACE_ID, "00f067aa0ba902b7", true, state),
                    state);
        }
        assertEquals(" a=1 ,\tb=2\t", new TraceContext(TRACE_ID, "00f067aa0ba902b7", true, " a=1 ,\tb=2\t").traceState());
        // The words start() passes, by identity, to have ids drawn are no way around the check when a caller writes them.
        assertThrows(IllegalArgumentException.class, () -> new TraceContext("new trace id", "00f067aa0ba902b7", true, ""));
        assertThrows(IllegalArgumentException.class, () -> new TraceContext(TRACE_ID, "new span id", true, ""));
        assertEquals("00-" + TRACE_ID + "-00f067aa0ba902b7-00",
                new TraceContext(TRACE_ID, "00f067aa0ba902b7", false, "").traceparent());
    }
}
