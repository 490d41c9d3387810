package io.audiencesync.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.util.Map;

/** {@code java -jar pinterest-audience-sync.jar <command>}. */
@Command(name = "pinterest-audience-sync",
        mixinStandardHelpOptions = true,
        versionProvider = Cli.Version.class,
        description = "Keeps a Pinterest Ads customer list audience equal to a model (CSV files dropped in a directory, or a SQL"
                + " query on a schedule).",
        subcommands = {RunCommand.class, PlanCommand.class, RunsCommand.class, AuthCommand.class, AudiencesCommand.class,
            StatusCommand.class, EmulatorCommand.class, DemoCommand.class, BenchCommand.class, CommandLine.HelpCommand.class})
public final class Cli implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        String format = LogFormat.choose(args);
        if (format == null) {
            System.exit(2);
        }
        System.setProperty("logging.format", format);
        Map<String, String> levels = LogFormat.levels(args);
        if (levels == null) {
            System.exit(2);
        }
        LogFormat.apply(levels);
        System.exit(commandLine().execute(args));
    }

    public static CommandLine commandLine() {
        return new CommandLine(new Cli()).setCaseInsensitiveEnumValuesAllowed(true);
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = Cli.class.getPackage().getImplementationVersion();
            return new String[] {"pinterest-audience-sync " + (version == null ? "(development build)" : version)};
        }
    }
}
