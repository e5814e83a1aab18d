package dev.backend.server;

import dev.backend.core.Handler;
import dev.backend.core.Request;
import dev.backend.core.Response;
import dev.backend.core.Router;
import dev.backend.core.middleware.Compression;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.expositionformats.OpenMetricsTextFormatWriter;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Locale;

/**
 * {@code GET /metrics}: the registry in the Prometheus text format 0.0.4, or in OpenMetrics 1.0 when the
 * scraper's {@code Accept} names {@code application/openmetrics-text} (as Prometheus does by default); gzip
 * when the scraper accepts it, since a scrape with histograms runs to tens of kilobytes.
 */
final class MetricsEndpoint {

    static final String PATH = "/metrics";

    private final PrometheusMeterRegistry registry;

    private MetricsEndpoint(PrometheusMeterRegistry registry) {
        this.registry = registry;
    }

    /** A router answering {@value #PATH} only. */
    static Router routes(PrometheusMeterRegistry registry) {
        MetricsEndpoint endpoint = new MetricsEndpoint(registry);
        Handler compressed = Compression.of(Compression.Config.defaults()).wrap(endpoint::scrape);
        return Router.create().get(PATH, compressed);
    }

    private Response scrape(Request request) {
        String contentType = wantsOpenMetrics(request.header("Accept").orElse(""))
                ? OpenMetricsTextFormatWriter.CONTENT_TYPE
                : PrometheusTextFormatWriter.CONTENT_TYPE;
        ByteArrayOutputStream body = new ByteArrayOutputStream(16 * 1024);
        try {
            registry.scrape(body, contentType);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Response.bytes(200, contentType, body.toByteArray()).withHeader("Cache-Control", "no-store");
    }

    /** True when {@code accept} lists OpenMetrics text with a weight above zero. */
    static boolean wantsOpenMetrics(String accept) {
        for (String range : accept.split(",")) {
            String[] parts = range.split(";");
            if (!parts[0].strip().toLowerCase(Locale.ROOT).equals("application/openmetrics-text")) {
                continue;
            }
            boolean refused = false;
            for (int i = 1; i < parts.length; i++) {
                String parameter = parts[i].strip().toLowerCase(Locale.ROOT);
                if (parameter.startsWith("q=")) {
                    try {
                        refused = Double.parseDouble(parameter.substring(2)) <= 0;
                    } catch (NumberFormatException e) {
                        refused = true;
                    }
                }
            }
            if (!refused) {
                return true;
            }
        }
        return false;
    }
}
