package dev.backend.server;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class MetricsEndpointTest {

    @Test
    void openMetricsIsChosenWhenTheAcceptHeaderListsItWithAWeightAboveZero() {
        assertTrue(MetricsEndpoint.wantsOpenMetrics("application/openmetrics-text;version=1.0.0;q=0.5,text/plain;q=0.4"));
        assertTrue(MetricsEndpoint.wantsOpenMetrics("text/plain, Application/OpenMetrics-Text"));
        assertFalse(MetricsEndpoint.wantsOpenMetrics(""));
        assertFalse(MetricsEndpoint.wantsOpenMetrics("text/plain;version=0.0.4"));
        assertFalse(MetricsEndpoint.wantsOpenMetrics("application/openmetrics-text;q=0"));
        assertFalse(MetricsEndpoint.wantsOpenMetrics("application/openmetrics-text;q=x"));
        assertFalse(MetricsEndpoint.wantsOpenMetrics("*/*"), "a scraper that takes anything gets the classic format");
    }
}
