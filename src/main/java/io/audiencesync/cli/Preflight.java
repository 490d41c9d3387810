package io.audiencesync.cli;

import io.audiencesync.SyncApp;
import io.audiencesync.config.ConfigException;
import io.audiencesync.config.ConfigProblems;
import io.audiencesync.config.SettingsSources;
import io.audiencesync.config.SyncSettings;
import io.audiencesync.config.Workspace;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Collection;

/**
 * The offline part of {@code check}, which {@code run} and {@code plan} do too before they start: every problem of
 * the configuration at once (a {@code --config} file that is not there, keys that are no setting, values that are
 * invalid), so that a misspelled key stops the command before it reads a file or calls Pinterest.
 */
final class Preflight {

    /** What the configuration holds: the problems (each stops a run), the warnings, and the workspace when valid. */
    record Result(SettingsSources sources, List<ConfigException> problems, List<String> warnings, Workspace workspace) {

        boolean ok() {
            return problems.isEmpty();
        }

        /** The settings of the workspace's first sync: the one sync of a configuration without sync.definitions-dir. */
        SyncSettings settings() {
            return workspace == null ? null : workspace.syncs().get(0);
        }

        /** Prints the problems and warnings, with what to do when no properties file was read. */
        void print(PrintWriter err) {
            warnings.forEach(w -> err.println("pinterest-audience-sync: warning: " + w));
            if (problems.isEmpty()) {
                return;
            }
            err.println("pinterest-audience-sync: " + (problems.size() == 1 ? "a problem" : problems.size() + " problems")
                    + " in the configuration; nothing was read or sent:");
            problems.forEach(p -> err.println("  - " + p.getMessage()));
            if (!sources.fileRead()) {
                err.println("  (no properties file was read: " + sources.file().toAbsolutePath() + " does not exist;"
                        + " write one, or give it with --config FILE)");
            }
            err.flush();
        }
    }

    private Preflight() {
    }

    /** What a command does once the configuration is right. */
    interface Command {
        int run(Result preflight) throws IOException;
    }

    /**
     * Runs {@code command} once the configuration is right (else prints its problems: exit 2), with {@code file}
     * (when not null) as the only snapshot, from an inbox of its own ({@link SingleFile}).
     */
    static int thenRun(ConfigOption config, Map<String, String> overrides, Path file, PrintWriter err, Command command)
            throws IOException {
        Result preflight = offline(config, overrides);
        preflight.print(err);
        if (!preflight.ok()) {
            return SyncApp.CONFIG_ERROR;
        }
        Map<String, String> before = Map.copyOf(overrides);
        if (file != null && preflight.workspace().syncs().size() > 1) {
            err.println("pinterest-audience-sync: a FILE is the model of one sync: name it with --sync (the syncs are "
                    + preflight.workspace().syncs().stream().map(SyncSettings::id).toList() + ")");
            err.flush();
            return SyncApp.CONFIG_ERROR;
        }
        try (SingleFile single = file == null ? null : SingleFile.inbox(file, preflight.settings(), overrides, err)) {
            if (file != null && single == null) {
                return SyncApp.CONFIG_ERROR;
            }
            // The one file's own inbox must not be overridden either (SOURCE_FILE_DIR in the environment, say).
            List<ConfigException> overridden = overridden(preflight.sources(), overrides.keySet().stream()
                    .filter(key -> !before.containsKey(key)).toList());
            if (!overridden.isEmpty()) {
                new Result(preflight.sources(), overridden, List.of(), null).print(err);
                return SyncApp.CONFIG_ERROR;
            }
            return command.run(preflight);
        }
    }

    /** Checks the configuration the way the command would read it, without starting anything. */
    static Result offline(ConfigOption config, Map<String, String> overrides) {
        return offline(config, overrides, true);
    }

    /** @param daemon whether the command starts the daemon, which needs camel.management.port free */
    static Result offline(ConfigOption config, Map<String, String> overrides, boolean daemon) {
        SettingsSources sources = SettingsSources.ofThisProcess(config.file(), config.named(), overrides);
        List<ConfigException> problems = new ArrayList<>(sources.problems());
        problems.addAll(overridden(sources, overrides.keySet()));
        Workspace settings = null;
        Map<String, String> management = Map.of();
        try {
            // One read: the settings, and where the daemon would serve health and metrics.
            Loaded loaded = SyncApp.readSettings(config.file(), overrides, lookup -> new Loaded(Workspace.load(lookup),
                    Map.of("enabled", lookup.apply("camel.management.enabled").orElse("false"),
                            "host", lookup.apply("camel.management.host").orElse("0.0.0.0"),
                            "port", lookup.apply("camel.management.port").orElse("9876"))));
            settings = loaded.settings();
            management = loaded.management();
        } catch (ConfigProblems e) {
            problems.addAll(e.problems());
        } catch (ConfigException e) {
            problems.add(e);
        }
        // Only a daemon about to start serves on the port; check, run on the same host as one, must not fault it.
        if (settings != null && !settings.syncs().get(0).once() && daemon) {
            managementPortProblem(management).ifPresent(problems::add);
        }
        return new Result(sources, problems, sources.warnings(), problems.isEmpty() ? settings : null);
    }

    /**
     * The command's own settings that an environment variable or -D would override: Camel reads those before the
     * command line, so the command would silently do something else.
     */
    static List<ConfigException> overridden(SettingsSources sources, Collection<String> keys) {
        List<ConfigException> problems = new ArrayList<>();
        for (String key : keys) {
            SettingsSources.Origin origin = sources.origin(key);
            if (origin == SettingsSources.Origin.ENVIRONMENT || origin == SettingsSources.Origin.SYSTEM_PROPERTY) {
                String where = origin == SettingsSources.Origin.ENVIRONMENT
                        ? "the environment variable " + SettingsSources.environmentName(key) : "-D" + key;
                problems.add(new ConfigException(key, "the command line sets it, but " + where + " sets it too and"
                        + " would win (Camel reads the environment and -D first); unset " + where));
            }
        }
        return problems;
    }

    private record Loaded(Workspace settings, Map<String, String> management) {
    }

    /** The daemon serves health and metrics on camel.management.port: one already taken would fail its start. */
    private static Optional<ConfigException> managementPortProblem(Map<String, String> management) {
        if (!"true".equalsIgnoreCase(management.get("enabled").strip())) {
            return Optional.empty();
        }
        String host = management.get("host").strip();
        int port;
        try {
            port = Integer.parseInt(management.get("port").strip());
        } catch (NumberFormatException e) {
            return Optional.of(new ConfigException("camel.management.port", "must be a port number, got '"
                    + management.get("port") + "'"));
        }
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getByName(host), port));
            return Optional.empty();
        } catch (IOException e) {
            return Optional.of(new ConfigException("camel.management.port", "port " + port + " on " + host
                    + " is in use (is another sync running?), so health and metrics cannot be served; set"
                    + " camel.management.port to a free port (" + e.getMessage() + ")"));
        }
    }
}
