package io.audiencesync;

import io.audiencesync.config.JdbcSettings;
import io.audiencesync.config.SyncSettings;
import io.audiencesync.identity.Normalizer;
import io.audiencesync.pinterest.PinterestClient;
import io.audiencesync.report.DeadLetterWriter;
import io.audiencesync.source.CsvSource;
import io.audiencesync.source.JdbcSource;
import io.audiencesync.source.SourceDatabase;
import io.audiencesync.sync.BatchSender;
import io.audiencesync.sync.DeadLetters;
import io.audiencesync.sync.IdentifierStage;
import io.audiencesync.sync.PlanStage;
import io.audiencesync.sync.Provisioner;
import io.audiencesync.sync.RunLedger;
import io.audiencesync.sync.RunLifecycle;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.spi.Registry;

import javax.sql.DataSource;

/**
 * Makes every bean the routes name, from settings read and validated once through Camel's property
 * resolution (application.properties, then environment variables and system properties).
 */
public class SyncConfiguration implements CamelConfiguration {

    @Override
    public void configure(CamelContext context) {
        SyncSettings settings = SyncSettings.load(context.getPropertiesComponent()::resolveProperty);
        Registry registry = context.getRegistry();
        RunLedger ledger = registry.lookupByNameAndType("ledger", RunLedger.class);
        if (ledger == null) {
            ledger = new RunLedger();
            registry.bind("ledger", ledger);
        }
        PinterestClient pinterest = new PinterestClient(settings.apiUrl(), settings.adAccountId(), settings::accessToken,
                settings.connectTimeout(), settings.requestTimeout());
        Provisioner provisioner = new Provisioner(settings, pinterest);

        registry.bind("settings", settings);
        registry.bind("runs", new RunLifecycle(settings, ledger));
        registry.bind("target", provisioner);
        registry.bind("csv", new CsvSource(settings.identifiers(), settings.chunkSize()));
        registry.bind("identifiers", new IdentifierStage(settings.identifiers(),
                new Normalizer(settings.piiHashing(), settings.hashEmails())));
        registry.bind("planner", new PlanStage(settings));
        registry.bind("sender", new BatchSender(settings, pinterest, provisioner));
        registry.bind("deadLetters", new DeadLetters(new DeadLetterWriter(settings.dataDir().resolve("dead-letter"))));
        if (settings.jdbcEnabled()) {
            JdbcSettings jdbc = settings.jdbc();
            SourceDatabase database = SourceDatabase.open(jdbc);
            // The pool is closed by the registry when Camel stops, so that no connection outlives the process's work.
            registry.bind("queryConnection", SourceDatabase.class, database, null, "close");
            registry.bind("sourceDatabase", DataSource.class, database.dataSource());
            registry.bind("query", new JdbcSource(settings.identifiers(), settings.chunkSize(), jdbc.query(),
                    "query on " + jdbc.safeUrl(), SourceDatabase.redactor(jdbc), database::endQuery));
        }
    }
}
