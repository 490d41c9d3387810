package io.audiencesync;

import io.audiencesync.config.CamelKLayout;
import io.audiencesync.config.SettingsFiles;
import io.audiencesync.config.SettingsSources;
import io.audiencesync.pinterest.PinterestApiException;
import io.audiencesync.sync.RunLedger;
import io.audiencesync.sync.RunLifecycle;
import org.apache.camel.component.properties.PropertiesComponent;
import org.apache.camel.impl.DefaultCamelContext;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.Main;
import org.apache.camel.main.MainListenerSupport;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.function.Function;

/**
 * Runs the sync on Camel main: the embedded application.properties, overridden key by key by a
 * properties file of the user's, then by environment variables and system properties.
 */
public final class SyncApp {

    /** The routes in the jar. */
    static final String ROUTES = "classpath:routes/*.camel.yaml";

    /** Exit code for a configuration or authorization error. */
    public static final int CONFIG_ERROR = 2;

    private SyncApp() {
    }

    /**
     * Runs until stopped, or with {@code sync.once=true} until the inbox is drained.
     *
     * @param config    a properties file layered over the embedded defaults (it may not exist)
     * @param overrides settings that win over both files (the command line's)
     * @return 0 when every run succeeded, 1 when a batch or snapshot failed, 2 on a configuration or
     *         authorization error
     */
    public static int run(Path config, Map<String, String> overrides) {
        return run(config, overrides, false).exitCode();
    }

    /** Like {@link #run(Path, Map)}, and says which runs there were and where their files are. */
    public static Result runWithSettings(Path config, Map<String, String> overrides) {
        return run(config, overrides, false);
    }

    /**
     * What a run of the application left: its exit code, the ids of its runs, the reports (and plans) they wrote in
     * the order they ended, the workspace's data directory (null if it never started).
     */
    /** @param unfinished the syncs a run-once process ended before (a token refused, a failure at start) */
    public record Result(int exitCode, List<String> runIds, List<RunLedger.Reported> reports, Path dataDir,
                         Set<String> unfinished) {
    }

    /**
     * Runs with exactly the embedded defaults and {@code settings}: no properties file, environment variable
     * or system property can redirect it (the demo and the tests must never reach a real ad account).
     */
    public static int runIsolated(Map<String, String> settings) {
        return run(null, settings, true).exitCode();
    }

    /**
     * Reads settings exactly as {@link #run} resolves them (overrides, environment variables, system properties,
     * {@code config}, the embedded defaults, with {@code {{...}}} placeholders) without starting Camel: for the
     * commands that talk to Pinterest but run no sync.
     */
    public static <T> T readSettings(Path config, Map<String, String> overrides,
                                     Function<Function<String, Optional<String>>, T> read) {
        DefaultCamelContext context = new DefaultCamelContext();
        try {
            PropertiesComponent properties = (PropertiesComponent) context.getPropertiesComponent();
            properties.setLocation(locations(config));
            Properties override = new Properties();
            CamelKLayout.of(System.getenv()).ifPresent(layout ->
                    override.putAll(layout.settingFiles(SettingsSources.embeddedDefaults().stringPropertyNames())));
            override.putAll(overrides);
            properties.setOverrideProperties(override);
            SettingsFiles.anchorRelativePaths(properties);
            return read.apply(properties::resolveProperty);
        } finally {
            context.stop();
        }
    }

    /** 2 for what a person must fix (a setting, a grant, access); 1 when Pinterest could not be reached or refused otherwise. */
    public static int exitCode(Throwable failure) {
        if (RunLifecycle.stopsEveryRun(failure)) {
            return CONFIG_ERROR;
        }
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof PinterestApiException) {
                return 1;
            }
        }
        return CONFIG_ERROR;
    }

    private static String locations(Path config) {
        // The first location that has a key wins: the user's file overrides the embedded defaults key by key.
        StringBuilder locations = new StringBuilder("file:" + config.toAbsolutePath() + ";optional=true");
        CamelKLayout.of(System.getenv()).ifPresent(layout -> layout.propertyFiles()
                .forEach(file -> locations.append(",file:").append(file.toAbsolutePath()).append(";optional=true")));
        return locations.append(",classpath:application.properties;optional=true").toString();
    }

    private static Result run(Path config, Map<String, String> overrides, boolean isolated) {
        Main main = new Main();
        // The jar's routes, unless camel.main.routes-include-pattern says otherwise (a setting, or Camel K's sources).
        main.configure().setRoutesIncludePattern(ROUTES);
        if (isolated) {
            main.setPropertyPlaceholderLocations("classpath:application.properties");
            main.addMainListener(new MainListenerSupport() {
                @Override
                public void beforeConfigure(BaseMainSupport support) {
                    var properties = (PropertiesComponent) support.getCamelContext().getPropertiesComponent();
                    properties.setEnvironmentVariableMode(PropertiesComponent.ENVIRONMENT_VARIABLES_MODE_NEVER);
                    properties.setSystemPropertiesMode(PropertiesComponent.SYSTEM_PROPERTIES_MODE_NEVER);
                }
            });
        } else {
            main.setPropertyPlaceholderLocations(locations(config));
        }
        overrides.forEach(main::addOverrideProperty);
        // Under Camel K the routes are the Integration's sources, mounted as files: never the jar's copies as well.
        CamelKLayout.of(System.getenv()).ifPresent(layout -> {
            main.addOverrideProperty("camel.main.routes-include-pattern", layout.routesIncludePattern());
            layout.settingFiles(SettingsSources.embeddedDefaults().stringPropertyNames()).forEach((key, value) -> {
                if (!overrides.containsKey(key)) {
                    main.addOverrideProperty(key, value);
                }
            });
        });
        if ("true".equals(overrides.get("sync.once"))) {
            // A run that ends by itself serves no probes, and must not take the port of a daemon on the same host;
            // nothing scrapes its Camel meters either, so Camel's metrics are not set up for it.
            main.addOverrideProperty("camel.management.enabled", "false");
            main.addOverrideProperty("camel.metrics.enabled", "false");
        }
        RunLedger ledger = new RunLedger();
        ledger.onCompletion(main::completed);
        main.bind("ledger", ledger);
        try {
            main.run();
        } catch (Exception e) {
            System.err.println("pinterest-audience-sync: " + RunLifecycle.explain(e));
            return new Result(exitCode(e), ledger.runIds(), ledger.reports(), ledger.dataDir(), ledger.unfinished());
        }
        return new Result(ledger.exitCode(), ledger.runIds(), ledger.reports(), ledger.dataDir(), ledger.unfinished());
    }
}
