package dev.backend.server.logback;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.PatternLayout;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.status.Status;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/** {@code %mdcField}: a name and value while the MDC holds one, nothing otherwise. */
class MdcFieldConverterTest {

    private final LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();

    @AfterEach
    void clearMdc() {
        MDC.clear();
    }

    private PatternLayout layout(String pattern) {
        PatternLayout layout = new PatternLayout();
        layout.getInstanceConverterMap().put("mdcField", MdcFieldConverter::new);
        layout.setContext(context);
        layout.setPattern(pattern);
        layout.start();
        return layout;
    }

    private String line(PatternLayout layout, String message) {
        LoggingEvent event = new LoggingEvent(getClass().getName(), context.getLogger("test"), Level.INFO, message, null,
                null);
        return layout.doLayout(event);
    }

    @Test
    void printsTheNameAndValueOnlyWhenTheKeyHasANonEmptyValue() {
        PatternLayout layout = layout("%msg%mdcField{request_id, req}%mdcField{trace_id}.");

        assertEquals("none.", line(layout, "none"));
        MDC.put("request_id", "r-1");
        assertEquals("id req=r-1.", line(layout, "id"));
        MDC.put("trace_id", "t-1");
        assertEquals("both req=r-1 trace_id=t-1.", line(layout, "both"));
        MDC.put("request_id", "");
        assertEquals("empty trace_id=t-1.", line(layout, "empty"));
    }

    @Test
    void withoutAKeyItPrintsNothingAndReportsAnError() {
        PatternLayout layout = layout("%msg%mdcField.");
        MDC.put("request_id", "r-1");

        assertEquals("line.", line(layout, "line"));
        assertTrue(context.getStatusManager().getCopyOfStatusList().stream()
                .anyMatch(s -> s.getLevel() == Status.ERROR && s.getMessage().contains("%mdcField needs the MDC key")));
    }
}
