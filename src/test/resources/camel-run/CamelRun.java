import org.apache.camel.main.KameletMain;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;

/**
 * Run with Java's source launcher ({@code java -cp RUNTIME CamelRun.java ARGS}), as jbang runs a script: what
 * {@code camel run FILE... --dep=GAV --prop=K=V} of Camel JBang 4.18 hands to Camel's KameletMain (its class
 * {@code org.apache.camel.dsl.jbang.core.commands.Run}), for the options the README's command uses: Camel JBang
 * itself is not in the registry this project builds from, its runtime is. Route files become
 * {@code camel.main.routesIncludePattern}, properties files (then the working directory's application.properties,
 * the "profile") {@code camel.component.properties.location}, {@code --dep} {@code camel.jbang.dependencies},
 * resolved by KameletMain's Maven downloader; {@code --prop} settings win over every file.
 */
public final class CamelRun {

    private CamelRun() {
    }

    public static void main(String[] args) throws Exception {
        KameletMain main = new KameletMain("camel.jbang");
        main.setDownload(true);
        main.setAppName("Apache Camel (JBang)");
        List<String> properties = new ArrayList<>();
        StringJoiner routes = new StringJoiner(",");
        String name = null;
        String dependencies = null;
        String kameletsVersion = null;
        List<String[]> props = new ArrayList<>();
        for (String arg : args) {
            if (arg.startsWith("--dep=")) {
                dependencies = arg.substring("--dep=".length());
            } else if (arg.startsWith("--kamelets-version=")) {
                kameletsVersion = arg.substring("--kamelets-version=".length());
            } else if (arg.startsWith("--prop=")) {
                String prop = arg.substring("--prop=".length());
                props.add(new String[] {prop.substring(0, prop.indexOf('=')), prop.substring(prop.indexOf('=') + 1)});
            } else if (arg.endsWith(".properties")) {
                properties.add("file://" + Path.of(arg).toAbsolutePath());
            } else {
                if (!Files.isRegularFile(Path.of(arg))) {
                    System.err.println("File does not exist: file:" + arg);
                    System.exit(1);
                }
                routes.add("file:" + arg);
                if (name == null) {
                    String file = Path.of(arg).getFileName().toString();
                    name = file.substring(0, file.indexOf('.'));
                }
            }
        }
        if (Files.isRegularFile(Path.of("application.properties"))) {
            properties.add("file:application.properties");
        }
        main.addInitialProperty("camel.main.sourceLocationEnabled", "true");
        main.addInitialProperty("camel.main.modeline", "true");
        main.addInitialProperty("camel.main.name", name);
        main.addInitialProperty("camel.main.routesIncludePattern", routes.toString());
        main.addInitialProperty("camel.component.properties.location", String.join(",", properties));
        if (kameletsVersion != null) {
            main.addInitialProperty("camel.jbang.kameletsVersion", kameletsVersion);
        }
        if (dependencies != null) {
            main.addInitialProperty("camel.jbang.dependencies", dependencies);
        }
        for (String[] prop : props) {
            main.addArgumentProperty(prop[0], prop[1]);
        }
        main.start();
        main.run();
        System.exit(main.getExitCode());
    }
}
