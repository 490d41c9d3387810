package io.audiencesync.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The files the Camel K operator mounts into an Integration's pod, which this tool reads as Camel K's own runtime
 * would: the operator sets {@code CAMEL_K_CONF} (its generated application.properties, under /etc/camel) and
 * {@code CAMEL_K_CONF_D} (/etc/camel/conf.d, where each key of a {@code mount.configs} ConfigMap or Secret is a file
 * parsed as properties: {@code _configmaps/<name>/<key>}, {@code _secrets/<name>/<key>}), and mounts the
 * Integration's sources under /etc/camel/sources. A mounted key named as a setting holds that setting's value.
 */
public record CamelKLayout(Path conf, Path confD) {

    /** The layout, when the environment is an Integration's pod. */
    public static Optional<CamelKLayout> of(Map<String, String> environment) {
        String conf = environment.get("CAMEL_K_CONF");
        String confD = environment.get("CAMEL_K_CONF_D");
        return conf == null || confD == null ? Optional.empty() : Optional.of(new CamelKLayout(Path.of(conf), Path.of(confD)));
    }

    /** The properties files, in the order their keys win: the mounted configs (sorted), then the operator's own. */
    public List<Path> propertyFiles() {
        List<Path> files = new ArrayList<>();
        if (Files.isDirectory(confD)) {
            try (Stream<Path> mounted = Files.walk(confD)) {
                // A Secret or ConfigMap key is a file; Kubernetes' ..data links and dot-files are its bookkeeping.
                mounted.filter(Files::isRegularFile).filter(this::notBookkeeping).sorted().forEach(files::add);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read Camel K's mounted configuration in " + confD, e);
            }
        }
        files.add(conf);
        return files;
    }

    /**
     * The mounted keys named as a setting ({@code pinterest.access-token}): the file holds the value itself, as
     * {@code kubectl create secret generic x --from-literal=pinterest.access-token=...} writes it. Any other file is
     * a properties file ({@link #propertyFiles()}).
     */
    public Map<String, String> settingFiles(java.util.Set<String> settings) {
        Map<String, String> values = new java.util.TreeMap<>();
        for (Path file : propertyFiles()) {
            if (!file.equals(conf) && settings.contains(file.getFileName().toString())) {
                try {
                    values.putIfAbsent(file.getFileName().toString(), Files.readString(file).strip());
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot read " + file, e);
                }
            }
        }
        return values;
    }

    /** Kubernetes mounts a ConfigMap's or Secret's keys as links into {@code ..data}; only the links are keys. */
    private boolean notBookkeeping(Path file) {
        for (Path segment : confD.relativize(file)) {
            if (segment.toString().startsWith(".")) {
                return false;
            }
        }
        return true;
    }

    /** The Integration's sources: every route file under the operator's sources directory. */
    public String routesIncludePattern() {
        return "file:" + conf.toAbsolutePath().getParent().resolve("sources") + "/*.camel.yaml";
    }
}
