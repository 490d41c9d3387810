package io.audiencesync;

import io.audiencesync.config.SyncSettings;
import io.audiencesync.identity.Normalizer;
import io.audiencesync.pinterest.PinterestClient;
import io.audiencesync.plan.StateStore;
import io.audiencesync.report.DeadLetterWriter;
import io.audiencesync.source.CsvSource;
import io.audiencesync.sync.BatchSender;
import io.audiencesync.sync.DeadLetters;
import io.audiencesync.sync.IdentifierStage;
import io.audiencesync.sync.PlanStage;
import io.audiencesync.sync.Provisioner;
import io.audiencesync.sync.RunLedger;
import io.audiencesync.sync.RunLifecycle;
import io.audiencesync.sync.StateStores;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.spi.Registry;
import org.apache.camel.support.LifecycleStrategySupport;

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
                settings.connectTimeout(), settings.requestTimeout(), settings.retry());
        StateStore store = StateStores.open(settings);
        context.addLifecycleStrategy(new LifecycleStrategySupport() {
            @Override
            public void onContextStopped(CamelContext stopped) {
                store.close();
            }
        });
        Provisioner provisioner = new Provisioner(settings, pinterest, store);

        registry.bind("settings", settings);
        registry.bind("stateStore", store);
        registry.bind("runs", new RunLifecycle(settings, ledger));
        registry.bind("target", provisioner);
        registry.bind("csv", new CsvSource(settings.identifiers(), settings.chunkSize()));
        registry.bind("identifiers", new IdentifierStage(settings.identifiers(),
                new Normalizer(settings.piiHashing(), settings.hashEmails())));
        registry.bind("planner", new PlanStage(settings));
        DeadLetters deadLetters = new DeadLetters(new DeadLetterWriter(settings.dataDir().resolve("dead-letter")));
        registry.bind("deadLetters", deadLetters);
        registry.bind("sender", new BatchSender(settings, pinterest, provisioner, deadLetters));
    }
}
