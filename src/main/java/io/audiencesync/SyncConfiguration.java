package io.audiencesync;

import io.audiencesync.config.JdbcSettings;
import io.audiencesync.config.SyncSettings;
import io.audiencesync.identity.Normalizer;
import io.audiencesync.observe.ConvergenceCheck;
import io.audiencesync.observe.MetricsPush;
import io.audiencesync.observe.ReadyCheck;
import io.audiencesync.observe.SyncMetrics;
import io.audiencesync.pinterest.PinterestClient;
import io.audiencesync.report.DeadLetterWriter;
import io.audiencesync.source.CsvFormat;
import io.audiencesync.source.CsvSource;
import io.audiencesync.source.JdbcSource;
import io.audiencesync.source.SourceDatabase;
import io.audiencesync.state.DesiredState;
import io.audiencesync.state.StateCorruptedException;
import io.audiencesync.state.StateFormat;
import io.audiencesync.state.StateStore;
import io.audiencesync.sync.BatchSender;
import io.audiencesync.sync.BindingFile;
import io.audiencesync.sync.SyncBinding;
import io.audiencesync.sync.DeadLetters;
import io.audiencesync.sync.IdentifierStage;
import io.audiencesync.sync.Inbox;
import io.audiencesync.sync.PlanStage;
import io.audiencesync.sync.Progress;
import io.audiencesync.sync.Provisioner;
import io.audiencesync.sync.RunLedger;
import io.audiencesync.sync.RunLifecycle;
import io.audiencesync.sync.StateStores;
import io.audiencesync.sync.StopSignal;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.component.micrometer.MicrometerConstants;
import org.apache.camel.spi.Registry;
import org.apache.camel.support.LifecycleStrategySupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.sql.DataSource;
import java.time.Clock;

/**
 * Makes every bean the routes name, from settings read and validated once through Camel's property
 * resolution (application.properties, then environment variables and system properties).
 */
public class SyncConfiguration implements CamelConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(SyncConfiguration.class);

    @Override
    public void configure(CamelContext context) throws Exception {
        SyncSettings settings = SyncSettings.load(context.getPropertiesComponent()::resolveProperty);
        Registry registry = context.getRegistry();
        RunLedger ledger = registry.lookupByNameAndType("ledger", RunLedger.class);
        if (ledger == null) {
            // Not started by SyncApp (camel run): a run-once process ends by stopping the context, which ends Camel
            // main; the stop runs on a thread of its own, as the route that completes is one the stop waits for.
            ledger = new RunLedger();
            ledger.onCompletion(() -> new Thread(context::stop, "run-once-stop").start());
            registry.bind("ledger", ledger);
        }
        Directories.check(settings);
        // A state directory of an earlier release is sealed once, in place, before anything reads it.
        StateFormat.upgrade(settings.stateDir());
        // With camel.metrics.enabled, Camel's Micrometer support has bound its registry by now: the sync's meters
        // join it, so one scrape of /observe/metrics has them, Camel's route and exchange meters and the JVM's.
        PrometheusMeterRegistry camelMeters = registry.lookupByNameAndType(MicrometerConstants.METRICS_REGISTRY_NAME,
                PrometheusMeterRegistry.class);
        SyncMetrics metrics = camelMeters == null ? new SyncMetrics() : new SyncMetrics(camelMeters);
        StopSignal stop = new StopSignal();
        // Camel starts stopping routes right after this event: no new batch, no retry wait from here on.
        context.getManagementStrategy().addEventNotifier(stop.notifier());
        PinterestConnection connection = PinterestConnection.open(settings.pinterest(), context, metrics::httpStatus,
                stop::requested);
        PinterestClient pinterest = connection.client();
        StateStore store = StateStores.open(settings);
        context.addLifecycleStrategy(new LifecycleStrategySupport() {
            @Override
            public void onContextStarted(CamelContext started) {
                if (!settings.once()) {
                    banner(started, settings);
                }
            }

            @Override
            public void onContextStopped(CamelContext stopped) {
                store.close();
                connection.close();
                if (settings.once() && settings.pushgateway() != null) {
                    new MetricsPush(settings.pushgateway().url(), settings.pushgateway().job(), settings.name()).push(metrics);
                }
                if (!settings.once()) {
                    LOG.info("Stopped: the sync '{}' no longer watches {}", settings.name(), settings.inboxDir().toAbsolutePath().normalize());
                }
            }
        });
        DesiredState desired = DesiredState.of(settings.stateDir(), settings.listKey());
        BindingFile bindingFile = new BindingFile(settings.stateDir(), settings.name());
        Provisioner provisioner = new Provisioner(settings, pinterest, store, bindingFile, desired);

        registry.bind("settings", settings);
        registry.bind("stateStore", store);
        registry.bind("metrics", metrics);
        // Camel's health-check registry finds checks bound as beans: readiness says whether the sync can work, the
        // convergence check (in /observe/health only) whether the list equals the last complete snapshot.
        registry.bind("convergence", new ConvergenceCheck(metrics));
        registry.bind("canWork", new ReadyCheck(metrics, settings.inboxDir(), settings.dataDir()));
        try {
            desired.status().ifPresent(metrics::desiredState);
            SyncBinding binding = bindingFile.load();
            metrics.adoptedWithoutState(binding != null && binding.adoptedWithoutState() != null);
        } catch (StateCorruptedException e) {
            // The first run reports it, with its report and exit code; the daemon starts so that health shows it.
            LOG.error("{}", e.getMessage());
        }

        registry.bind("runLifecycle", new RunLifecycle(settings, ledger, connection.tokens(), desired, bindingFile, metrics,
                Progress.forThisProcess(settings.progressInterval())));
        registry.bind("provisioner", provisioner);
        registry.bind("inbox", new Inbox(settings.inboxDir(), settings.fileSource().marker(),
                settings.fileSource().followSymlinks(), settings.fileSource().everyFile(), settings.dryRun(),
                Clock.systemDefaultZone()));
        registry.bind("csvSource", new CsvSource(settings.identifiers(), settings.chunkSize(), settings.fileSource().requireLineEnd(),
                settings.fileSource().format(), settings.fileSource().marker()));
        // Normalizing and hashing use every core while the source route reads on (Camel stops the pool).
        int cores = Runtime.getRuntime().availableProcessors();
        registry.bind("identifierStage", new IdentifierStage(settings.identifiers(),
                new Normalizer(settings.piiHashing(), settings.hashEmails(), settings.deviceIdDigits()),
                context.getExecutorServiceManager().newFixedThreadPool(this, "normalize", cores), cores));
        registry.bind("planStage", new PlanStage(settings, desired, provisioner, stop,
                context.getExecutorServiceManager().newSingleThreadExecutor(this, "plan-read-ahead")));
        DeadLetters deadLetters = new DeadLetters(new DeadLetterWriter(settings.dataDir().resolve("dead-letter")));
        registry.bind("deadLetters", deadLetters);
        registry.bind("batchSender", new BatchSender(settings, pinterest, provisioner, metrics));
        if (settings.jdbcEnabled()) {
            JdbcSettings jdbc = settings.jdbc();
            SourceDatabase database = SourceDatabase.open(jdbc);
            // The pool is closed by the registry when Camel stops, so that no connection outlives the process's work.
            registry.bind("queryConnection", SourceDatabase.class, database, null, "close");
            registry.bind("sourceDatabase", DataSource.class, database.dataSource());
            registry.bind("jdbcSource", new JdbcSource(settings.identifiers(), settings.chunkSize(), jdbc.query(),
                    JdbcSource.NAME_PREFIX + jdbc.safeUrl(), SourceDatabase.redactor(jdbc), database::endQuery));
        }
    }

    /** What the daemon does, said once at its start: where it reads, what it maps, where it writes, where it reports. */
    private static void banner(CamelContext context, SyncSettings settings) {
        LOG.info("Watching {} for CSV snapshots (*.csv, *.csv.gz; delimiter '{}', {}), polled every {} ms",
                settings.inboxDir().toAbsolutePath().normalize(), CsvFormat.name(settings.fileSource().format().delimiter()),
                settings.fileSource().format().encoding(), context.getPropertiesComponent()
                        .resolveProperty("source.file.poll-delay-ms").orElse("?"));
        LOG.info("Mapping {} ({} mode) to the customer list '{}' of ad account {}", settings.identifiers(),
                settings.mode().key(), settings.customerListName(), settings.pinterest().adAccountId());
        if (settings.jdbcEnabled()) {
            LOG.info("Query on {} on the schedule '{}' (source.jdbc.cron)", settings.jdbc().safeUrl(), settings.jdbc().cron());
        }
        var properties = context.getPropertiesComponent();
        if ("true".equals(properties.resolveProperty("camel.management.enabled").orElse("false").strip())) {
            String host = properties.resolveProperty("camel.management.host").orElse("0.0.0.0").strip();
            LOG.info("Health at http://{}:{}/observe/health, metrics at /observe/metrics", host.equals("0.0.0.0")
                    ? "localhost" : host, properties.resolveProperty("camel.management.port").orElse("9876").strip());
        }
    }
}
