package io.audiencesync;

import io.audiencesync.config.SettingsFiles;
import io.audiencesync.config.SyncSettings;
import io.audiencesync.config.Workspace;
import io.audiencesync.observe.ConvergenceCheck;
import io.audiencesync.observe.MetricsPush;
import io.audiencesync.observe.ReadyCheck;
import io.audiencesync.source.CsvFormat;
import io.audiencesync.state.StateFormat;
import io.audiencesync.sync.RunLedger;
import io.audiencesync.sync.SyncLeader;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.component.micrometer.MicrometerConstants;
import org.apache.camel.component.properties.PropertiesComponent;
import org.apache.camel.spi.Registry;
import org.apache.camel.support.LifecycleStrategySupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Makes the workspace from settings read and validated once through Camel's property resolution
 * (application.properties, then environment variables and system properties, and the sync files of
 * {@code sync.definitions-dir}): the services every sync shares ({@link WorkspaceServices}), then each sync's own
 * beans ({@link SyncBeans}) and routes ({@link SyncRoutes}, from the route templates).
 */
public class SyncConfiguration implements CamelConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(SyncConfiguration.class);

    @Override
    public void configure(CamelContext context) throws Exception {
        SettingsFiles.anchorRelativePaths((PropertiesComponent) context.getPropertiesComponent());
        Workspace workspace = Workspace.load(context.getPropertiesComponent()::resolveProperty);
        Registry registry = context.getRegistry();
        RunLedger ledger = registry.lookupByNameAndType("ledger", RunLedger.class);
        if (ledger == null) {
            // Not started by SyncApp (camel run): a run-once process ends by stopping the context, which ends Camel
            // main; the stop runs on a thread of its own, as the route that completes is one the stop waits for.
            ledger = new RunLedger();
            ledger.onCompletion(() -> new Thread(context::stop, "run-once-stop").start());
            registry.bind("ledger", ledger);
        }
        workspace.syncs().forEach(Directories::check);
        SyncSettings first = workspace.syncs().get(0);
        // A state directory of an earlier release is sealed once, in place, before anything reads it.
        StateFormat.upgrade(first.stateDir());
        // With camel.metrics.enabled, Camel's Micrometer support has bound its registry by now: the syncs' meters
        // join it, so one scrape of /observe/metrics has them, Camel's route and exchange meters and the JVM's.
        PrometheusMeterRegistry camelMeters = registry.lookupByNameAndType(MicrometerConstants.METRICS_REGISTRY_NAME,
                PrometheusMeterRegistry.class);
        WorkspaceServices shared = WorkspaceServices.open(context, workspace, ledger, this, camelMeters);
        List<SyncBeans> syncs;
        try {
            syncs = workspace.syncs().stream().map(settings -> SyncBeans.create(settings, shared)).toList();
        } catch (RuntimeException e) {
            shared.close();
            throw e;
        }
        if (shared.leaders().values().stream().anyMatch(SyncLeader::elected)) {
            // The cluster service is one of the context's services: it stops with it, giving up every lease.
            SyncLeadership.start(context, workspace.cluster(), List.copyOf(shared.leaders().values()));
        } else if (workspace.cluster().enabled()) {
            LOG.info("cluster.service={} leads the daemon's syncs; {} runs the syncs it is given here",
                    workspace.cluster().service().name().toLowerCase(Locale.ROOT), first.dryRun() ? "plan" : "run --once");
        }
        ledger.dataDir(first.stateDir().getParent());
        ledger.expect(syncs.stream().map(s -> s.settings().id()).collect(Collectors.toSet()));
        context.addLifecycleStrategy(new LifecycleStrategySupport() {
            @Override
            public void onContextStarted(CamelContext started) {
                if (!first.once()) {
                    banner(started, workspace, syncs);
                }
            }

            @Override
            public void onContextStopped(CamelContext stopped) {
                shared.close();
                syncs.forEach(SyncBeans::close);
                if (first.once() && first.pushgateway() != null) {
                    syncs.forEach(sync -> new MetricsPush(first.pushgateway().url(), first.pushgateway().job(),
                            sync.settings().id()).push(sync.metrics()));
                }
                if (!first.once()) {
                    LOG.info("Stopped: {} no longer {}", workspace.single() ? "the sync '" + first.name() + "'"
                            : "the " + syncs.size() + " syncs of " + workspace.definitionsDir(),
                            workspace.single() ? "watches " + first.inboxDir().toAbsolutePath().normalize() : "run");
                }
            }
        });
        syncs.forEach(sync -> sync.registryBeans().forEach(registry::bind));
        registry.bind("syncRoutes", new SyncRoutes(syncs));
        // Camel's health-check registry finds checks bound as beans: readiness says whether the syncs can work, the
        // convergence check (in /observe/health only) whether their lists equal their last complete snapshots.
        registry.bind("convergence", new ConvergenceCheck(syncs.stream().map(SyncBeans::metrics).toList()));
        registry.bind("canWork", new ReadyCheck(syncs.stream()
                .map(s -> new ReadyCheck.Sync(s.settings().id(), s.metrics(), s.settings().inboxDir())).toList(),
                first.stateDir().getParent()));
    }

    /** What the daemon does, said once at its start: where each sync reads, what it maps, where it reports. */
    private static void banner(CamelContext context, Workspace workspace, List<SyncBeans> syncs) {
        if (!workspace.single()) {
            LOG.info("Workspace {}: {} syncs ({}), at most {} runs at once (sync.max-concurrent-runs)",
                    workspace.definitionsDir().toAbsolutePath().normalize(), syncs.size(),
                    syncs.stream().map(s -> s.settings().id()).collect(Collectors.joining(", ")), workspace.maxConcurrentRuns());
        }
        for (SyncBeans sync : syncs) {
            SyncSettings settings = sync.settings();
            String who = workspace.single() ? "" : "Sync '" + settings.id() + "': ";
            LOG.info("{}Watching {} for CSV snapshots (*.csv, *.csv.gz; delimiter '{}', {}), polled every {} ms", who,
                    settings.inboxDir().toAbsolutePath().normalize(), CsvFormat.name(settings.fileSource().format().delimiter()),
                    settings.fileSource().format().encoding(), settings.fileSource().pollDelay().toMillis());
            LOG.info("{}Mapping {} ({} mode) to the customer list '{}' of ad account {}", who, settings.identifiers(),
                    settings.mode().key(), settings.customerListName(), settings.adAccountId());
            if (settings.jdbcEnabled()) {
                LOG.info("{}Query on {} on the schedule '{}' (source.jdbc.cron)", who, settings.jdbc().safeUrl(),
                        settings.jdbc().cron());
            }
        }
        var properties = context.getPropertiesComponent();
        if ("true".equals(properties.resolveProperty("camel.management.enabled").orElse("false").strip())) {
            String host = properties.resolveProperty("camel.management.host").orElse("0.0.0.0").strip();
            LOG.info("Health at http://{}:{}/observe/health, metrics at /observe/metrics", host.equals("0.0.0.0")
                    ? "localhost" : host, properties.resolveProperty("camel.management.port").orElse("9876").strip());
        }
    }
}
