package dev.backend.examples.techempower;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The benchmark's rules that need no database. */
class TechEmpowerRulesTest {

    @Test
    void readsQueriesAsTheRulesSay() {
        assertEquals(1, TechEmpowerApi.queryCount(""));
        assertEquals(1, TechEmpowerApi.queryCount("foo"));
        assertEquals(1, TechEmpowerApi.queryCount("0"));
        assertEquals(1, TechEmpowerApi.queryCount("-5"));
        assertEquals(20, TechEmpowerApi.queryCount("20"));
        assertEquals(500, TechEmpowerApi.queryCount("501"));
        assertEquals(500, TechEmpowerApi.queryCount("99999999999"));
    }

    @Test
    void takesOnlyAsciiDigitsAsAnIntegerAsRequestQueryIntDoes() {
        // BigInteger reads these as 5, 20 and 500; they are not integers as this project reads a client's.
        assertEquals(1, TechEmpowerApi.queryCount("\u0665"));
        assertEquals(1, TechEmpowerApi.queryCount("\uFF12\uFF10"));
        assertEquals(1, TechEmpowerApi.queryCount("+501"));
        assertEquals(1, TechEmpowerApi.queryCount("-"));
        assertEquals(1, TechEmpowerApi.queryCount("--5"));
        assertEquals(20, TechEmpowerApi.queryCount("020"));
    }

    @Test
    void escapesWhatHtmlTreatsSpecially() {
        StringBuilder out = new StringBuilder();
        TechEmpowerApi.escapeHtml("<script>alert(\"x\" & 'y');</script> フレームワーク", out);

        assertEquals("&lt;script&gt;alert(&quot;x&quot; &amp; &#39;y&#39;);&lt;/script&gt; フレームワーク", out.toString());
    }
}
