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
    void escapesWhatHtmlTreatsSpecially() {
        StringBuilder out = new StringBuilder();
        TechEmpowerApi.escapeHtml("<script>alert(\"x\" & 'y');</script> フレームワーク", out);

        assertEquals("&lt;script&gt;alert(&quot;x&quot; &amp; &#39;y&#39;);&lt;/script&gt; フレームワーク", out.toString());
    }
}
