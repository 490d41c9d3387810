package io.audiencesync.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.util.List;
import java.util.Map;

/** {@code java -jar pinterest-audience-sync.jar <command>}. */
@Command(name = "pinterest-audience-sync",
        mixinStandardHelpOptions = true,
        versionProvider = Cli.Version.class,
        description = "Keeps a Pinterest Ads customer list audience equal to a model (CSV files dropped in a directory, or a SQL"
                + " query on a schedule).",
        subcommands = {RunCommand.class, CheckCommand.class, PlanCommand.class, RunsCommand.class, AuthCommand.class, AudiencesCommand.class,
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
        CommandLine cli = new CommandLine(new Cli()).setCaseInsensitiveEnumValuesAllowed(true);
        keepNamesWhole(cli);
        everyCommandHasTheVersion(cli);
        return cli;
    }

    /**
     * A subcommand's standard -V/--version prints its own command's version, which picocli leaves empty unless the
     * subcommand names a provider: without this, {@code run -V} printed nothing although its help lists it.
     */
    private static void everyCommandHasTheVersion(CommandLine cli) {
        for (CommandLine sub : cli.getSubcommands().values()) {
            if (sub.getCommandSpec().mixinStandardHelpOptions()) {
                sub.getCommandSpec().versionProvider(new Version());
            }
            everyCommandHasTheVersion(sub);
        }
    }

    /** A dot or hyphen inside a name such as source.jdbc.query or max-removal-fraction. */
    private static final java.util.regex.Pattern INSIDE_A_NAME = java.util.regex.Pattern.compile("(?<=\\w)([.-])(?=\\w)");
    /** Stand-ins for them that line breaking takes for letters (private-use characters), put back once written. */
    private static final char DOT = '\uE000';
    private static final char HYPHEN = '\uE001';

    private static void keepNamesWhole(CommandLine cli) {
        CommandLine.Model.CommandSpec spec = cli.getCommandSpec();
        spec.usageMessage().description(joined(spec.usageMessage().description()));
        for (CommandLine.Model.OptionSpec option : List.copyOf(spec.options())) {
            spec.remove(option);
            spec.addOption(CommandLine.Model.OptionSpec.builder(option).description(joined(option.description())).build());
        }
        for (CommandLine.Model.PositionalParamSpec parameter : List.copyOf(spec.positionalParameters())) {
            spec.remove(parameter);
            spec.addPositional(CommandLine.Model.PositionalParamSpec.builder(parameter)
                    .description(joined(parameter.description())).build());
        }
        Map<String, CommandLine.IHelpSectionRenderer> sections = new java.util.LinkedHashMap<>();
        cli.getHelpSectionMap().forEach((key, renderer) -> sections.put(key,
                help -> renderer.render(help).replace(DOT, '.').replace(HYPHEN, '-')));
        cli.setHelpSectionMap(sections);
        cli.getSubcommands().values().forEach(Cli::keepNamesWhole);
    }

    private static String[] joined(String[] lines) {
        return java.util.Arrays.stream(lines).map(line -> INSIDE_A_NAME.matcher(line)
                .replaceAll(m -> String.valueOf(m.group(1).equals(".") ? DOT : HYPHEN))).toArray(String[]::new);
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** The version of the pom this build came from (a resource filtered at build time). */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() throws java.io.IOException {
            java.util.Properties build = new java.util.Properties();
            try (java.io.InputStream in = Cli.class.getResourceAsStream("/io/audiencesync/version.properties")) {
                if (in != null) {
                    build.load(in);
                }
            }
            return new String[] {"pinterest-audience-sync " + build.getProperty("version", "(version unknown)")
                    + " (Java " + Runtime.version() + ")"};
        }
    }
}
