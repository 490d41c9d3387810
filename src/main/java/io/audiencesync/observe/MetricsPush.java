package io.audiencesync.observe;

import io.prometheus.metrics.exporter.pushgateway.PushGateway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;

/**
 * Pushes the sync's meters to a Prometheus Pushgateway once a {@code run --once} process is done, so that a
 * CronJob's runs show in the same dashboards as the daemon's scrapes. Grouped by job and sync name: each sync's
 * last run replaces its own metrics, and no other's.
 */
public final class MetricsPush {

    private static final Logger LOG = LoggerFactory.getLogger(MetricsPush.class);

    private final URI url;
    private final String job;
    private final String syncName;

    /** @param url the Pushgateway, e.g. http://pushgateway.monitoring:9091 */
    public MetricsPush(URI url, String job, String syncName) {
        this.url = url;
        this.job = job;
        this.syncName = syncName;
    }

    /** Pushes; a Pushgateway that cannot be reached is said in the log and does not change the run's outcome. */
    public void push(SyncMetrics metrics) {
        String shown = Secrets.withoutUserInfo(url.toString());
        try {
            PushGateway.builder()
                    .address(url.getHost() + ":" + (url.getPort() > 0 ? url.getPort() : "https".equals(url.getScheme()) ? 443 : 80))
                    .scheme("https".equals(url.getScheme()) ? io.prometheus.metrics.exporter.pushgateway.Scheme.HTTPS
                            : io.prometheus.metrics.exporter.pushgateway.Scheme.HTTP)
                    .format(io.prometheus.metrics.exporter.pushgateway.Format.PROMETHEUS_TEXT)
                    .job(job)
                    .groupingKey("sync", syncName)
                    .registry(metrics.registry().getPrometheusRegistry())
                    .build()
                    .push();
            LOG.info("Metrics pushed to the Pushgateway at {} (job {}, sync {})", shown, job, syncName);
        } catch (IOException | RuntimeException e) {
            LOG.warn("Cannot push the metrics to the Pushgateway at {} ({}); check sync.pushgateway-url", shown, e.getMessage());
        }
    }
}
