package io.audiencesync;

import io.audiencesync.config.JdbcSettings;
import io.audiencesync.config.SyncSettings;
import io.audiencesync.identity.Normalizer;
import io.audiencesync.observe.SyncMetrics;
import io.audiencesync.pinterest.PinterestClient;
import io.audiencesync.source.CsvSource;
import io.audiencesync.source.JdbcSource;
import io.audiencesync.source.SourceDatabase;
import io.audiencesync.state.DesiredState;
import io.audiencesync.state.StateCorruptedException;
import io.audiencesync.state.StateFiles;
import io.audiencesync.sync.AudienceHealthFile;
import io.audiencesync.sync.AudienceHealthReader;
import io.audiencesync.sync.BatchSender;
import io.audiencesync.sync.BindingFile;
import io.audiencesync.sync.DeadLetters;
import io.audiencesync.sync.IdentifierStage;
import io.audiencesync.sync.Inbox;
import io.audiencesync.sync.LeaderRecord;
import io.audiencesync.sync.PlanStage;
import io.audiencesync.sync.Provisioner;
import io.audiencesync.sync.RunLifecycle;
import io.audiencesync.sync.SyncBinding;
import io.audiencesync.sync.SyncLeader;

import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What belongs to one sync, made in one place: its settings, its meters and the stages its routes name (the file's
 * inbox and reader, the identifier and plan stages, the batch sender, the query's source...). Its routes are made
 * from the route templates of {@code routes/}, one set per sync, with these stages as the templates' local beans
 * and its settings as their parameters, so that two syncs never share a stage, a directory or a route.
 */
record SyncBeans(SyncSettings settings, SyncMetrics metrics, Map<String, Object> locals) {

    /** The templates every sync's routes are made from; the others as its sources and the mode ask. */
    private static final List<String> ALWAYS = List.of("file-source", "snapshot", "send-batch", "write-batch",
            "dead-letter", "isolate-refused");

    static SyncBeans create(SyncSettings settings, WorkspaceServices shared) {
        SyncMetrics metrics = shared.meters() == null ? new SyncMetrics(settings.id())
                : new SyncMetrics(shared.meters(), settings.id());
        StateFiles files = shared.store().files(settings.workspaceDir());
        SyncLeader leader = shared.leaders().get(settings.id());
        metrics.leader(leader::leads);
        leader.onChange(leads -> {
            if (leads) {
                try {
                    LeaderRecord.write(files, settings.stateDir(), settings.id(), leader.member());
                } catch (RuntimeException e) {
                    LoggerFactory.getLogger(SyncBeans.class).warn("Sync '{}': cannot record this replica as its leader"
                            + " for status: {}", settings.id(), e.getMessage());
                }
            }
        });
        metrics.tokens(shared.tokens());
        DesiredState desired = DesiredState.of(files, settings.stateDir(), settings.listKey());
        AudienceHealthFile health = new AudienceHealthFile(files, settings.stateDir(), settings.name());
        BindingFile binding = new BindingFile(files, settings.stateDir(), settings.name());
        try {
            desired.status().ifPresent(metrics::desiredState);
            SyncBinding bound = binding.load();
            metrics.adoptedWithoutState(bound != null && bound.adoptedWithoutState() != null);
            // The reading its last run kept, so that the daemon shows it before a run of its own.
            if (bound != null && bound.customerListId() != null) {
                metrics.audienceHealth(health.load(bound.customerListId()).orElse(null));
            }
        } catch (StateCorruptedException e) {
            // The sync's first run reports it, with its report and exit code; the process starts so that health shows it.
            LoggerFactory.getLogger(SyncBeans.class).error("Sync '{}': {}", settings.id(), e.getMessage());
        }
        PinterestClient pinterest = new PinterestClient(shared.pinterest(), settings.adAccountId());
        Provisioner provisioner = new Provisioner(settings, pinterest, shared.store(), binding, desired);
        Map<String, Object> locals = new LinkedHashMap<>();
        locals.put("runLifecycle", new RunLifecycle(settings, shared.ledger(), shared.slots(), shared.tokens(), files, desired,
                binding, metrics, shared.progress(), leader.member()));
        locals.put("provisioner", provisioner);
        locals.put("inbox", new Inbox(settings.inboxDir(), settings.fileSource().marker(), settings.fileSource().followSymlinks(),
                settings.fileSource().everyFile(), settings.dryRun(), Clock.systemDefaultZone()));
        locals.put("csvSource", new CsvSource(settings.identifiers(), settings.chunkSize(), settings.fileSource().requireLineEnd(),
                settings.fileSource().format(), settings.fileSource().marker()));
        int cores = Runtime.getRuntime().availableProcessors();
        locals.put("identifierStage", new IdentifierStage(settings.identifiers(),
                new Normalizer(settings.piiHashing(), settings.hashEmails(), settings.deviceIdDigits()), shared.normalize(), cores));
        locals.put("planStage", new PlanStage(settings, desired, provisioner, shared.stop(), leader, shared.readAhead()));
        locals.put("deadLetters", new DeadLetters(files, settings.dataDir().resolve("dead-letter")));
        locals.put("audienceHealth", new AudienceHealthReader(pinterest, health, metrics));
        locals.put("batchSender", new BatchSender(settings, pinterest, provisioner, metrics));
        if (settings.jdbcEnabled()) {
            JdbcSettings jdbc = settings.jdbc();
            SourceDatabase database = SourceDatabase.open(jdbc);
            locals.put("queryConnection", database);
            locals.put("jdbcSource", new JdbcSource(settings.identifiers(), settings.chunkSize(), jdbc.query(),
                    JdbcSource.NAME_PREFIX + jdbc.safeUrl(), SourceDatabase.redactor(jdbc), database::endQuery));
        }
        return new SyncBeans(settings, metrics, locals);
    }

    /**
     * The sync's beans that a component looks up in Camel's registry when its route has started, where a template's
     * local beans are not seen: camel-jdbc's data source, named after the sync ({@code sourceDatabase-<id>}).
     */
    Map<String, Object> registryBeans() {
        if (locals.get("queryConnection") instanceof SourceDatabase database) {
            return Map.of("sourceDatabase-" + settings.id(), database.dataSource());
        }
        return Map.of();
    }

    /** The route templates this sync's routes are made from. */
    List<String> templates() {
        List<String> templates = new ArrayList<>(ALWAYS);
        if (!settings.once() && !settings.dryRun()) {
            templates.add("resume");
        }
        if (settings.jdbcEnabled()) {
            templates.add(settings.once() ? "jdbc-once" : "jdbc-schedule");
            templates.add("jdbc-source");
        }
        return templates;
    }

    /** The templates' parameters: the sync's id, and the settings its routes read, by the settings' own names. */
    Map<String, String> parameters() {
        Map<String, String> parameters = new LinkedHashMap<>();
        parameters.put("syncId", settings.id());
        parameters.put("source.file.dir", settings.inboxDir().toAbsolutePath().toString());
        parameters.put("source.file.stable-seconds", Long.toString(settings.fileSource().stable().toSeconds()));
        parameters.put("source.file.read-lock-check-interval-ms", Long.toString(settings.fileSource().stableCheck().toMillis()));
        parameters.put("source.file.poll-delay-ms", Long.toString(settings.fileSource().pollDelay().toMillis()));
        if (settings.jdbcEnabled()) {
            parameters.put("source.jdbc.cron", settings.jdbc().cron());
            parameters.put("source.jdbc.fetch-size", Integer.toString(settings.jdbc().fetchSize()));
        }
        return parameters;
    }

    /** Closes what the sync opened outside Camel: its source database's pool. */
    void close() {
        if (locals.get("queryConnection") instanceof SourceDatabase database) {
            database.close();
        }
    }
}
