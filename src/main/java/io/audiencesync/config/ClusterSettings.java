package io.audiencesync.config;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Which replica runs each sync ({@code cluster.*}): none (this process runs every sync, as one replica always did),
 * the holder of a file lock on a directory the replicas share, or the holder of a Kubernetes Lease. Settings of the
 * workspace: a sync file cannot hold them.
 *
 * @param service     who decides which replica leads a sync
 * @param member      this replica's name among the others (the host name, on Kubernetes the pod's name)
 * @param lease       how long a replica that stopped renewing keeps its syncs before another takes them over
 * @param fileRoot    the shared directory of the file locks ({@code cluster.service=file})
 * @param namespace   the Kubernetes namespace of the leases and pods (empty: the pod's own)
 * @param masterUrl   the Kubernetes API server (null: the one the pod's service account finds)
 * @param podLabels   the labels of the workspace's pods: Camel's Kubernetes cluster service counts a replica among
 *                    the candidates only while its pod, found by these labels, is running and ready
 */
public record ClusterSettings(Service service, String member, Duration lease, Path fileRoot, String namespace,
                              URI masterUrl, Map<String, String> podLabels) {

    public static final String SERVICE = "cluster.service";

    /** Who leads the syncs. */
    public enum Service {
        /** No replicas: this process runs every sync. */
        NONE,
        /** Replicas that share a directory: a lock file per sync there ({@code FileLockClusterService}). */
        FILE,
        /** Pods of a Deployment: a Lease per sync in the namespace ({@code KubernetesClusterService}). */
        KUBERNETES
    }

    public boolean enabled() {
        return service != Service.NONE;
    }

    /** Reads {@code cluster.*}; {@code dataDir} is the workspace's, where the file locks go by default. */
    static ClusterSettings load(Function<String, Optional<String>> lookup, Path dataDir) {
        SettingsReader r = new SettingsReader(lookup);
        String name = Optional.ofNullable(r.optional(SERVICE)).orElse("none").toLowerCase(Locale.ROOT);
        Service service = switch (name) {
            case "none" -> Service.NONE;
            case "file" -> Service.FILE;
            case "kubernetes" -> Service.KUBERNETES;
            default -> throw new ConfigException(SERVICE, "is '" + name + "'; use none (one replica runs every sync), file"
                    + " (replicas that share sync.data-dir or cluster.file.root) or kubernetes (a Lease per sync)");
        };
        String member = r.optional("cluster.member");
        String root = r.optional("cluster.file.root");
        // A pod's name is what Camel's Kubernetes service looks for among the ready pods; replicas that share a
        // directory may run on one machine, so there the process id tells them apart.
        String defaultMember = service == Service.KUBERNETES ? hostName() : hostName() + "-" + ProcessHandle.current().pid();
        return new ClusterSettings(service, member == null ? defaultMember : member,
                Duration.ofSeconds(r.integer("cluster.lease-seconds", 3, 3600)),
                root == null ? dataDir.resolve("cluster") : Path.of(root),
                Optional.ofNullable(r.optional("cluster.kubernetes.namespace")).orElse(""),
                r.optionalUrl("cluster.kubernetes.master-url"), labels(r.optional("cluster.kubernetes.pod-labels")));
    }

    private static Map<String, String> labels(String value) {
        Map<String, String> labels = new LinkedHashMap<>();
        if (value != null) {
            for (String pair : value.split(",")) {
                String[] kv = pair.split("=", 2);
                if (kv.length != 2 || kv[0].isBlank() || kv[1].isBlank()) {
                    throw new ConfigException("cluster.kubernetes.pod-labels", "'" + pair.strip() + "' is no label; write"
                            + " name=value pairs separated by commas, e.g. app.kubernetes.io/name=pinterest-audience-sync");
                }
                labels.put(kv[0].strip(), kv[1].strip());
            }
        }
        return labels;
    }

    /** The pod's name on Kubernetes (its host name), else this machine's. */
    private static String hostName() {
        String env = System.getenv("HOSTNAME");
        if (env != null && !env.isBlank()) {
            return env;
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "replica-" + ProcessHandle.current().pid();
        }
    }
}
