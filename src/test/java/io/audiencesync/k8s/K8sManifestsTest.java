package io.audiencesync.k8s;

import io.audiencesync.cli.Cli;
import io.audiencesync.config.SettingsSources;
import io.audiencesync.emulator.PinterestEmulator;
import io.audiencesync.sync.ChildSync;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import picocli.CommandLine;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Every manifest under k8s/ is well-formed and consistent with itself, the tool and the repository. */
class K8sManifestsTest {

    private static final Path K8S = Path.of("k8s");
    private static final List<Map<String, Object>> DOCS = new ArrayList<>();
    private static final Map<String, Map<String, Object>> CONFIG_MAPS = new HashMap<>();
    private static final Set<String> SECRETS = new HashSet<>();
    private static final Set<String> CLAIMS = new HashSet<>();

    @BeforeAll
    static void load() throws IOException {
        try (Stream<Path> files = Files.walk(K8S)) {
            // kustomization.yaml is Kustomize's, not a Kubernetes object: theKustomizationDeploysTheWorkspace reads it
            for (Path file : files.filter(p -> p.toString().endsWith(".yaml"))
                    .filter(p -> !p.getFileName().toString().equals("kustomization.yaml")).sorted().toList()) {
                for (Object doc : new Load(LoadSettings.builder().build()).loadAllFromString(Files.readString(file))) {
                    assertThat(doc).as(file + " holds mappings").isInstanceOf(Map.class);
                    Map<String, Object> manifest = map(doc);
                    assertThat(manifest.get("apiVersion")).as(file + " apiVersion").isNotNull();
                    assertThat(manifest.get("kind")).as(file + " kind").isNotNull();
                    assertThat(map(manifest.get("metadata")).get("name")).as(file + " metadata.name").isNotNull();
                    DOCS.add(manifest);
                    String name = (String) map(manifest.get("metadata")).get("name");
                    switch ((String) manifest.get("kind")) {
                        case "ConfigMap" -> CONFIG_MAPS.put(name, map(manifest.get("data")));
                        case "Secret" -> SECRETS.add(name);
                        case "PersistentVolumeClaim" -> CLAIMS.add(name);
                        default -> { }
                    }
                }
            }
        }
        assertThat(DOCS).extracting(d -> d.get("kind"))
                .contains("ConfigMap", "Secret", "PersistentVolumeClaim", "CronJob", "Deployment", "Integration");
    }

    @Test
    void podsReferenceOnlyWhatExistsAndRunValidCommands() throws Exception {
        for (Map<String, Object> doc : workloads()) {
            Map<String, Object> pod = podSpec(doc);
            Map<String, Map<String, Object>> volumes = new HashMap<>();
            for (Object v : list(pod.get("volumes"))) {
                Map<String, Object> volume = map(v);
                volumes.put((String) volume.get("name"), volume);
                if (volume.containsKey("configMap")) {
                    assertThat(CONFIG_MAPS).containsKey((String) map(volume.get("configMap")).get("name"));
                }
                if (volume.containsKey("persistentVolumeClaim")) {
                    assertThat(CLAIMS).contains((String) map(volume.get("persistentVolumeClaim")).get("claimName"));
                }
            }
            for (Object c : list(pod.get("containers"))) {
                Map<String, Object> container = map(c);
                assertThat((String) container.get("image")).isEqualTo("pinterest-audience-sync:0.1.0");
                for (Object e : list(container.get("envFrom"))) {
                    assertThat(SECRETS).contains((String) map(map(e).get("secretRef")).get("name"));
                }
                Map<String, String> mounts = new HashMap<>();
                for (Object m : list(container.get("volumeMounts"))) {
                    Map<String, Object> mount = map(m);
                    assertThat(volumes).containsKey((String) mount.get("name"));
                    mounts.put((String) mount.get("mountPath"), (String) mount.get("name"));
                }
                List<String> args = list(container.get("args")).stream().map(String::valueOf).toList();
                CommandLine.ParseResult parsed = Cli.commandLine().parseArgs(args.toArray(String[]::new));
                assertThat(parsed.subcommand()).as("args %s name a command", args).isNotNull();
                assertThat(parsed.subcommand().commandSpec().name()).isEqualTo("run");
                Properties settings = settingsAt(args.get(args.indexOf("--config") + 1), mounts, volumes);
                assertThat(settings.getProperty("sync.data-dir")).as("state on the volume").isIn(mounts.keySet());
                String routes = settings.getProperty("camel.main.routes-include-pattern");
                assertThat(routes).startsWith("file:");
                String routesDir = routes.substring("file:".length(), routes.lastIndexOf('/'));
                assertThat(CONFIG_MAPS.get(configMapOf(mounts.get(routesDir), volumes))).containsKey("snapshot.camel.yaml");
                int grace = ((Number) pod.get("terminationGracePeriodSeconds")).intValue();
                assertThat(grace).as("the grace period covers Camel's shutdown timeout")
                        .isGreaterThan(Integer.parseInt(settings.getProperty("camel.main.shutdown-timeout")));
            }
        }
    }

    @Test
    void probesAnswerOnTheRealManagementEndpoints(@TempDir Path dir) throws Exception {
        Map<String, Object> deployment = kind("Deployment");
        Map<String, Object> container = map(list(podSpec(deployment).get("containers")).get(0));
        Map<String, Object> port = map(list(container.get("ports")).get(0));
        Properties settings = properties((String) CONFIG_MAPS.get("pinterest-audience-sync-config").get("application.properties"));
        assertThat(port.get("containerPort")).isEqualTo(Integer.parseInt(settings.getProperty("camel.management.port")));
        // The real daemon, with the ConfigMap's management settings, on a free loopback port.
        int free;
        try (ServerSocket socket = new ServerSocket(0)) {
            free = socket.getLocalPort();
        }
        try (PinterestEmulator emulator = PinterestEmulator.builder().port(0).start()) {
            ChildSync daemon = new ChildSync(emulator, dir);
            settings.stringPropertyNames().stream().filter(key -> key.startsWith("camel.management.")
                            || key.startsWith("camel.metrics.") || key.startsWith("camel.health."))
                    .forEach(key -> daemon.settings.put(key, settings.getProperty(key)));
            daemon.settings.put("camel.management.host", "127.0.0.1");
            daemon.settings.put("camel.management.port", Integer.toString(free));
            Process process = daemon.start("run");
            try {
                String base = "http://127.0.0.1:" + free;
                for (String probe : List.of("livenessProbe", "readinessProbe")) {
                    Map<String, Object> httpGet = map(map(container.get(probe)).get("httpGet"));
                    assertThat(httpGet.get("port")).isEqualTo(port.get("name"));
                    assertThat(answer(base + httpGet.get("path"), process, daemon).statusCode())
                            .as(probe + " " + httpGet.get("path")).isEqualTo(200);
                }
                String scrapePath = (String) map(map(map(map(deployment.get("spec")).get("template")).get("metadata"))
                        .get("annotations")).get("prometheus.io/path");
                assertThat(answer(base + scrapePath, process, daemon).body())
                        .contains("pinterest_sync_last_success_timestamp_seconds");
                assertThat(daemon.log()).as("the start banner names where health is served")
                        .contains("Health at http://127.0.0.1:" + free + "/observe/health");
            } finally {
                process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            }
        }
    }

    /**
     * The answer at {@code url} once the daemon has started: what the startup probe waits for (until then the
     * management server may answer 503 while Camel's context starts), or the last answer at the deadline.
     */
    private static HttpResponse<String> answer(String url, Process process, ChildSync daemon) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            try {
                HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url))
                        .build(), HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200 || !process.isAlive() || System.nanoTime() > deadline) {
                    return response;
                }
                Thread.sleep(100);
            } catch (IOException notYet) {
                if (!process.isAlive() || System.nanoTime() > deadline) {
                    throw new AssertionError("the daemon does not answer at " + url + ": " + daemon.log());
                }
                Thread.sleep(100);
            }
        }
    }

    @Test
    void theCronJobNeverOverlapsAndTheDaemonIsTwoReplicasThatEachLeadTheSyncsOfTheirLeases() throws IOException {
        Map<String, Object> cron = map(kind("CronJob").get("spec"));
        assertThat(cron.get("concurrencyPolicy")).isEqualTo("Forbid");
        assertThat(map(map(cron.get("jobTemplate")).get("spec")).get("activeDeadlineSeconds")).isNotNull();
        assertThat(list(map(list(podSpec(kind("CronJob")).get("containers")).get(0)).get("args"))).contains("--once");

        Map<String, Object> deployment = map(kind("Deployment").get("spec"));
        assertThat(deployment.get("replicas")).isEqualTo(2);
        assertThat(map(deployment.get("strategy")).get("type")).isEqualTo("RollingUpdate");
        assertThat(map(map(deployment.get("strategy")).get("rollingUpdate")).get("maxUnavailable")).isEqualTo(0);
        // The Deployment's pods only: the CronJob and the Camel K Integration share the ConfigMap and run one pod.
        Properties settings = properties((String) CONFIG_MAPS.get("pinterest-audience-sync-config").get("application.properties"));
        assertThat(settings.getProperty("cluster.service")).isNull();
        Map<String, Object> container = map(list(podSpec(kind("Deployment")).get("containers")).get(0));
        assertThat(list(container.get("env"))).contains(Map.of("name", SettingsSources.environmentName("cluster.service"),
                "value", "kubernetes"));
        // Camel's service finds the candidates by the pod labels the settings name (the default's): the pods have them.
        Map<String, Object> podLabels = map(map(map(deployment.get("template")).get("metadata")).get("labels"));
        String[] label = defaultSetting("cluster.kubernetes.pod-labels").split("=", 2);
        assertThat(podLabels).containsEntry(label[0], label[1]);
        // Both replicas mount the one data volume.
        assertThat(list(map(kind("PersistentVolumeClaim").get("spec")).get("accessModes"))).containsExactly("ReadWriteMany");

        // Least privilege: leases to keep, pods to read, in the namespace; bound to the pods' service account.
        String account = (String) podSpec(kind("Deployment")).get("serviceAccountName");
        assertThat(map(kind("ServiceAccount").get("metadata")).get("name")).isEqualTo(account);
        Map<String, Object> role = kind("Role");
        assertThat(list(role.get("rules"))).containsExactlyInAnyOrder(
                Map.of("apiGroups", List.of("coordination.k8s.io"), "resources", List.of("leases"),
                        "verbs", List.of("get", "list", "watch", "create", "update", "patch")),
                Map.of("apiGroups", List.of(""), "resources", List.of("pods"), "verbs", List.of("get", "list")));
        Map<String, Object> binding = kind("RoleBinding");
        assertThat(map(binding.get("roleRef"))).containsEntry("kind", "Role")
                .containsEntry("name", map(role.get("metadata")).get("name"));
        assertThat(list(binding.get("subjects"))).containsExactly(Map.of("kind", "ServiceAccount", "name", account));
        // A drain takes one replica at a time.
        Map<String, Object> budget = map(kind("PodDisruptionBudget").get("spec"));
        assertThat(budget.get("minAvailable")).isEqualTo(1);
        assertThat(map(map(budget.get("selector")).get("matchLabels"))).isEqualTo(
                map(map(deployment.get("selector")).get("matchLabels")));
    }

    /** A setting's value in the embedded defaults (application.properties at the top of the repository). */
    private static String defaultSetting(String key) {
        try {
            return properties(Files.readString(Path.of("application.properties"))).getProperty(key);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void theKustomizationDeploysTheWorkspaceFromFilesThatExist() throws IOException {
        Map<String, Object> kustomization = map(new Load(LoadSettings.builder().build())
                .loadFromString(Files.readString(K8S.resolve("kustomization.yaml"))));
        List<String> resources = list(kustomization.get("resources")).stream().map(String::valueOf).toList();
        assertThat(resources).contains("configmap.yaml", "syncs-configmap.yaml", "routes-configmap.yaml", "pvc.yaml",
                "deployment.yaml", "rbac.yaml", "pdb.yaml").doesNotContain("cronjob.yaml");
        assertThat(resources).allSatisfy(r -> assertThat(K8S.resolve(r)).exists());
    }

    @Test
    void everyWorkloadMountsTheSyncFilesWhereTheSettingsLookForThem() throws IOException {
        Properties settings = properties((String) CONFIG_MAPS.get("pinterest-audience-sync-config").get("application.properties"));
        String definitions = settings.getProperty("sync.definitions-dir");
        assertThat(definitions).isNotBlank();
        for (Map<String, Object> doc : workloads()) {
            Map<String, Object> pod = podSpec(doc);
            Map<String, String> volumeConfigMaps = new HashMap<>();
            for (Object v : list(pod.get("volumes"))) {
                Map<String, Object> volume = map(v);
                if (volume.containsKey("configMap")) {
                    volumeConfigMaps.put((String) volume.get("name"), (String) map(volume.get("configMap")).get("name"));
                }
            }
            Map<String, Object> container = map(list(pod.get("containers")).get(0));
            String mounted = list(container.get("volumeMounts")).stream().map(K8sManifestsTest::map)
                    .filter(m -> definitions.equals(m.get("mountPath"))).map(m -> volumeConfigMaps.get((String) m.get("name")))
                    .findFirst().orElse(null);
            assertThat(mounted).as("%s mounts the sync files at %s", map(doc.get("metadata")).get("name"), definitions)
                    .isEqualTo("pinterest-audience-sync-syncs");
        }
    }

    @Test
    void theSyncFilesAreAWorkspaceTheToolReads(@TempDir Path dir) throws IOException {
        Path syncs = Files.createDirectories(dir.resolve("syncs"));
        Map<String, Object> files = CONFIG_MAPS.get("pinterest-audience-sync-syncs");
        for (Map.Entry<String, Object> file : files.entrySet()) {
            Files.writeString(syncs.resolve(file.getKey()), (String) file.getValue());
        }
        Path config = dir.resolve("application.properties");
        Files.writeString(config, (String) CONFIG_MAPS.get("pinterest-audience-sync-config").get("application.properties"));
        io.audiencesync.config.Workspace workspace = io.audiencesync.SyncApp.readSettings(config, Map.of(
                "sync.definitions-dir", syncs.toString(), "sync.data-dir", dir.resolve("data").toString(),
                "pinterest.access-token", "token"), io.audiencesync.config.Workspace::load);
        assertThat(workspace.syncs()).extracting(io.audiencesync.config.SyncSettings::id)
                .containsExactlyInAnyOrderElementsOf(files.keySet().stream().map(k -> k.replace(".properties", "")).toList());
        assertThat(workspace.syncs()).anySatisfy(sync -> assertThat(sync.jdbcEnabled()).isTrue());
    }

    @Test
    void theSettingsAreKeysTheToolKnows() throws IOException {
        Properties known = new Properties();
        try (InputStream in = getClass().getResourceAsStream("/application.properties")) {
            known.load(in);
        }
        Properties settings = properties((String) CONFIG_MAPS.get("pinterest-audience-sync-config").get("application.properties"));
        assertThat(settings.stringPropertyNames()).allSatisfy(key ->
                assertThat(key.startsWith("camel.") || known.containsKey(key)).as("known key " + key).isTrue());
    }

    @Test
    void theRoutesConfigMapIsTheRepositoryRoutes() throws IOException {
        Map<String, Object> routes = CONFIG_MAPS.get("pinterest-audience-sync-routes");
        try (Stream<Path> files = Files.list(Path.of("routes"))) {
            List<Path> repo = files.filter(p -> p.toString().endsWith(".camel.yaml")).toList();
            assertThat(routes.keySet()).containsExactlyInAnyOrderElementsOf(repo.stream().map(p -> p.getFileName().toString()).toList());
            for (Path file : repo) {
                assertThat(((String) routes.get(file.getFileName().toString())).strip())
                        .as("k8s/routes-configmap.yaml is stale for %s: regenerate it (k8s/README.md)", file)
                        .isEqualTo(Files.readString(file).strip());
            }
        }
    }

    @Test
    void theCamelKIntegrationRunsTheImageWithTheRoutesConfigMapAsItsSources() throws IOException {
        Map<String, Object> spec = map(kind("Integration").get("spec"));
        // Self-managed: Camel K's runtime is Camel Quarkus; this image runs the tool on camel-main, as the Deployment.
        Map<String, Object> deploymentContainer = map(list(podSpec(kind("Deployment")).get("containers")).get(0));
        assertThat(map(map(spec.get("traits")).get("container")).get("image")).isEqualTo(deploymentContainer.get("image"));
        assertThat(spec).doesNotContainKey("dependencies");
        assertThat(Files.readString(K8S.resolve("Dockerfile"))).contains("CMD [\"run\"]");
        List<String> keys = new ArrayList<>();
        for (Object s : list(spec.get("sources"))) {
            Map<String, Object> source = map(s);
            assertThat(CONFIG_MAPS.get((String) source.get("contentRef"))).containsKey((String) source.get("contentKey"));
            keys.add((String) source.get("contentKey"));
        }
        assertThat(keys).as("every route runs under Camel K too")
                .containsExactlyInAnyOrderElementsOf(CONFIG_MAPS.get("pinterest-audience-sync-routes").keySet());
        for (Object config : list(map(map(spec.get("traits")).get("mount")).get("configs"))) {
            String[] ref = ((String) config).split(":");
            assertThat(ref[0].equals("configmap") ? CONFIG_MAPS.containsKey(ref[1]) : SECRETS.contains(ref[1])).as(String.valueOf(config)).isTrue();
        }
    }

    @Test
    void theImageRunsTheThinJarWithItsDeclaredDependencies() throws IOException {
        // the pom copies the runtime dependencies to target/lib; the image runs the CLI's class from the thin jar
        String pom = Files.readString(Path.of("pom.xml"));
        assertThat(pom).contains("<outputDirectory>${project.build.directory}/lib</outputDirectory>");
        String mainClass = pom.substring(pom.indexOf("<main.class>") + 12, pom.indexOf("</main.class>"));
        assertThat(Files.readString(K8S.resolve("Dockerfile"))).contains("COPY --from=build /build/target/lib ")
                .contains("/lib/*\", \"" + mainClass + "\"]").doesNotContain("\"-jar\"").contains("EXPOSE 9876");
    }

    @Test
    void everyKubernetesObjectIsValidForTheKubernetesApi() throws Exception {
        Map<String, Class<?>> models = new HashMap<>(Map.of(
                "apps/v1 Deployment", io.fabric8.kubernetes.api.model.apps.Deployment.class,
                "batch/v1 CronJob", io.fabric8.kubernetes.api.model.batch.v1.CronJob.class,
                "v1 Service", io.fabric8.kubernetes.api.model.Service.class,
                "v1 ConfigMap", io.fabric8.kubernetes.api.model.ConfigMap.class,
                "v1 Secret", io.fabric8.kubernetes.api.model.Secret.class,
                "v1 PersistentVolumeClaim", io.fabric8.kubernetes.api.model.PersistentVolumeClaim.class,
                "v1 Pod", io.fabric8.kubernetes.api.model.Pod.class,
                "monitoring.coreos.com/v1 ServiceMonitor", io.fabric8.openshift.api.model.monitoring.v1.ServiceMonitor.class));
        // Replicas: the service account, the Role on leases and pods, its binding, the disruption budget.
        models.putAll(Map.of(
                "v1 ServiceAccount", io.fabric8.kubernetes.api.model.ServiceAccount.class,
                "rbac.authorization.k8s.io/v1 Role", io.fabric8.kubernetes.api.model.rbac.Role.class,
                "rbac.authorization.k8s.io/v1 RoleBinding", io.fabric8.kubernetes.api.model.rbac.RoleBinding.class,
                "policy/v1 PodDisruptionBudget", io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget.class));
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper()
                .configure(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true);
        int checked = 0;
        for (Map<String, Object> doc : DOCS) {
            Class<?> model = models.get(doc.get("apiVersion") + " " + doc.get("kind"));
            if (model == null) {
                continue;
            }
            String where = doc.get("kind") + " " + map(doc.get("metadata")).get("name");
            Object object = json.convertValue(doc, model);
            // The models keep a field they do not know aside instead of failing: none may be there.
            assertThat(unknownFields(object, where)).as(where + ": fields the Kubernetes API does not have").isEmpty();
            checked++;
        }
        assertThat(checked).as("every core manifest has its model").isEqualTo(DOCS.stream()
                .filter(d -> models.containsKey(d.get("apiVersion") + " " + d.get("kind"))).count()).isGreaterThanOrEqualTo(12);
    }

    /** The {@code additionalProperties} of every object reachable from {@code object}, with their path. */
    private static List<String> unknownFields(Object object, String path) throws Exception {
        List<String> found = new ArrayList<>();
        if (object == null || object instanceof String || object instanceof Number || object instanceof Boolean
                || object instanceof Enum<?>) {
            return found;
        }
        if (object instanceof java.util.Collection<?> items) {
            int i = 0;
            for (Object item : items) {
                found.addAll(unknownFields(item, path + "[" + i++ + "]"));
            }
            return found;
        }
        if (object instanceof Map<?, ?> entries) {
            for (Map.Entry<?, ?> e : entries.entrySet()) {
                found.addAll(unknownFields(e.getValue(), path + "." + e.getKey()));
            }
            return found;
        }
        if (!object.getClass().getName().startsWith("io.fabric8.")) {
            return found;
        }
        for (java.lang.reflect.Method getter : object.getClass().getMethods()) {
            if (getter.getParameterCount() != 0 || !getter.getName().startsWith("get") || getter.getName().equals("getClass")) {
                continue;
            }
            Object value = getter.invoke(object);
            if (getter.getName().equals("getAdditionalProperties")) {
                ((Map<?, ?>) value).keySet().forEach(key -> found.add(path + "." + key));
            } else if (!(object instanceof io.fabric8.kubernetes.api.model.Quantity)
                    && !(object instanceof io.fabric8.kubernetes.api.model.IntOrString)) {
                found.addAll(unknownFields(value, path + "." + getter.getName().substring(3)));
            }
        }
        return found;
    }

    @Test
    void theCamelKIntegrationIsValidForTheCamelKOperatorsCrd() throws IOException {
        com.networknt.schema.Schema schema = integrationSchema();
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        Map<String, Object> integration = kind("Integration");
        assertThat(schema.validate(json.valueToTree(integration))).as("k8s/camel-k/integration.yaml against the CRD").isEmpty();
        Map<String, Object> traits = map(map(integration.get("spec")).get("traits"));
        assertThat(map(traits.get("deployment")).get("strategy")).isEqualTo("Recreate");
        assertThat(map(traits.get("health"))).containsEntry("livenessPort", 9876).containsEntry("readinessPort", 9876);

        // The schema knows the traits field by field: a misspelled one is refused, as the operator would drop it.
        com.fasterxml.jackson.databind.node.ObjectNode misspelled = json.valueToTree(integration);
        ((com.fasterxml.jackson.databind.node.ObjectNode) misspelled.at("/spec/traits/deployment")).put("stratgy", "Recreate");
        assertThat(schema.validate(misspelled)).isNotEmpty();
    }

    /**
     * The CRD's v1 schema, strict where Kubernetes prunes: an object with listed properties and no
     * x-kubernetes-preserve-unknown-fields takes no other field.
     */
    private static com.networknt.schema.Schema integrationSchema() throws IOException {
        Map<String, Object> crd;
        try (InputStream in = K8sManifestsTest.class.getResourceAsStream("/camel-k/camel.apache.org_integrations.yaml")) {
            crd = map(new Load(LoadSettings.builder().build()).loadAllFromInputStream(in).iterator().next());
        }
        Map<String, Object> version = list(map(crd.get("spec")).get("versions")).stream().map(K8sManifestsTest::map)
                .filter(v -> "v1".equals(v.get("name"))).findFirst().orElseThrow();
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        com.fasterxml.jackson.databind.JsonNode schema = json.valueToTree(map(version.get("schema")).get("openAPIV3Schema"));
        strict(schema);
        return com.networknt.schema.SchemaRegistry.withDefaultDialect(com.networknt.schema.SpecificationVersion.DRAFT_4)
                .getSchema(json.writeValueAsString(schema));
    }

    /** Walks a schema (not the maps of property names it holds, where a property may be called "properties"). */
    private static void strict(com.fasterxml.jackson.databind.JsonNode schema) {
        if (!(schema instanceof com.fasterxml.jackson.databind.node.ObjectNode object)) {
            return;
        }
        if (object.path("properties").isObject()) {
            if (!object.has("additionalProperties") && !object.path("x-kubernetes-preserve-unknown-fields").asBoolean(false)) {
                object.put("additionalProperties", false);
            }
            object.get("properties").elements().forEachRemaining(K8sManifestsTest::strict);
        }
        strict(object.get("items"));
        strict(object.get("additionalProperties"));
        for (String combinator : List.of("allOf", "anyOf", "oneOf")) {
            if (object.path(combinator).isArray()) {
                object.get(combinator).elements().forEachRemaining(K8sManifestsTest::strict);
            }
        }
    }

    @Test
    void theDataPodHoldsTheSyncsVolumeAndSettingsForAPersonAndEndsOnItsOwn() throws IOException {
        Map<String, Object> pod = DOCS.stream().filter(d -> "Pod".equals(d.get("kind"))).findFirst().orElseThrow();
        Map<String, Object> spec = podSpec(pod);
        Map<String, Object> cronJob = podSpec(kind("CronJob"));
        assertThat(list(spec.get("volumes"))).as("the CronJob's volumes: its claim, settings and sync files")
                .containsExactlyInAnyOrderElementsOf(list(cronJob.get("volumes")));
        Map<String, Object> container = map(list(spec.get("containers")).get(0));
        Map<String, Object> sync = map(list(cronJob.get("containers")).get(0));
        assertThat(container.get("volumeMounts")).isEqualTo(sync.get("volumeMounts"));
        assertThat(container.get("envFrom")).as("auth needs the app's credentials").isEqualTo(sync.get("envFrom"));
        assertThat(container.get("image")).isEqualTo(sync.get("image"));
        assertThat(list(container.get("command"))).as("it runs no sync: it holds the volume").first().isEqualTo("sleep");
        assertThat(((Number) spec.get("activeDeadlineSeconds")).intValue()).isPositive();
        assertThat(spec.get("restartPolicy")).isEqualTo("Never");
        assertThat(Files.readString(K8S.resolve("kustomization.yaml"))).doesNotContain("data-pod.yaml");
    }

    @Test
    void podsPassKubernetesRestrictedPodSecurityProfile() {
        // The rules of the "restricted" Pod Security Standard, and a read-only root file system besides.
        Set<String> allowedVolumes = Set.of("configMap", "csi", "downwardAPI", "emptyDir", "ephemeral",
                "persistentVolumeClaim", "projected", "secret");
        List<Map<String, Object>> everyPod = new ArrayList<>(workloads());
        everyPod.addAll(DOCS.stream().filter(d -> "Pod".equals(d.get("kind"))).toList());
        assertThat(everyPod).extracting(d -> d.get("kind")).contains("Pod");
        for (Map<String, Object> workload : everyPod) {
            String where = workload.get("kind") + " " + map(workload.get("metadata")).get("name");
            Map<String, Object> pod = podSpec(workload);
            Map<String, Object> podSecurity = map(pod.get("securityContext"));
            assertThat(pod).as(where).doesNotContainKeys("hostNetwork", "hostPID", "hostIPC");
            assertThat(podSecurity.get("runAsNonRoot")).as(where + " runAsNonRoot").isEqualTo(true);
            assertThat(podSecurity.get("runAsUser")).as(where + " runAsUser").isNotEqualTo(0);
            assertThat(map(podSecurity.get("seccompProfile")).get("type")).as(where + " seccomp").isIn("RuntimeDefault", "Localhost");
            for (Object v : list(pod.get("volumes"))) {
                assertThat(map(v).keySet()).as(where + " volume types").anySatisfy(key -> assertThat(allowedVolumes).contains(key))
                        .doesNotContain("hostPath");
            }
            List<Object> containers = new ArrayList<>(list(pod.get("containers")));
            containers.addAll(list(pod.get("initContainers")));
            for (Object c : containers) {
                Map<String, Object> security = map(map(c).get("securityContext"));
                String container = where + " container " + map(c).get("name");
                assertThat(security.get("allowPrivilegeEscalation")).as(container + " allowPrivilegeEscalation").isEqualTo(false);
                assertThat(security.get("privileged")).as(container + " privileged").isNotEqualTo(true);
                assertThat(list(map(security.get("capabilities")).get("drop"))).as(container + " drops").contains("ALL");
                assertThat(list(map(security.get("capabilities")).get("add"))).as(container + " adds")
                        .allSatisfy(cap -> assertThat(cap).isEqualTo("NET_BIND_SERVICE"));
                assertThat(security.get("readOnlyRootFilesystem")).as(container + " readOnlyRootFilesystem").isEqualTo(true);
                assertThat(list(map(c).get("volumeMounts"))).as(container + " has a writable /tmp")
                        .anySatisfy(m -> assertThat(map(m).get("mountPath")).isEqualTo("/tmp"));
            }
        }
    }

    @Test
    void theCronJobFailsAtOnceOnAConfigurationErrorAndNamesItsTimeZone() {
        Map<String, Object> cronJob = map(kind("CronJob").get("spec"));
        assertThat(cronJob.get("timeZone")).isEqualTo("Etc/UTC");
        Map<String, Object> job = map(map(cronJob.get("jobTemplate")).get("spec"));
        assertThat(list(map(job.get("podFailurePolicy")).get("rules"))).anySatisfy(rule -> {
            assertThat(map(rule).get("action")).isEqualTo("FailJob");
            Map<String, Object> codes = map(map(rule).get("onExitCodes"));
            assertThat(codes.get("operator")).isEqualTo("In");
            assertThat(list(codes.get("values"))).containsExactly(2);
            assertThat(codes.get("containerName")).isEqualTo(map(list(podSpec(kind("CronJob")).get("containers")).get(0)).get("name"));
        });
        // podFailurePolicy needs pods that are never restarted in place.
        assertThat(podSpec(kind("CronJob")).get("restartPolicy")).isEqualTo("Never");
    }

    @Test
    void theDaemonWaitsForItsStartBeforeItIsProbedAndCanBeScraped() {
        Map<String, Object> container = map(list(podSpec(kind("Deployment")).get("containers")).get(0));
        assertThat(map(map(container.get("startupProbe")).get("httpGet")).get("path")).isEqualTo("/observe/health/live");
        Map<String, Object> service = kind("Service");
        assertThat(map(map(service.get("spec")).get("selector"))).isEqualTo(map(map(map(map(kind("Deployment")
                .get("spec")).get("template")).get("metadata")).get("labels")));
        Map<String, Object> monitor = kind("ServiceMonitor");
        assertThat(map(list(map(monitor.get("spec")).get("endpoints")).get(0)).get("port"))
                .isEqualTo(map(list(map(service.get("spec")).get("ports")).get(0)).get("name"));
    }

    @Test
    void theImageIsBuiltFromSourcesAndItsContextLeavesTokensAndStateOut() throws IOException {
        String dockerfile = Files.readString(K8S.resolve("Dockerfile"));
        assertThat(dockerfile).contains("AS build").contains("COPY --from=build").contains("USER 10001:10001");
        List<String> ignore = Files.readAllLines(Path.of(".dockerignore"));
        assertThat(ignore).contains("*").as("only what the build needs is let in").allSatisfy(line ->
                assertThat(line.isBlank() || line.startsWith("#") || line.equals("*") || line.startsWith("!")).isTrue());
        assertThat(ignore).doesNotContain("!data/", "!target/", "!data");
    }

    private static Properties settingsAt(String path, Map<String, String> mounts, Map<String, Map<String, Object>> volumes)
            throws IOException {
        String dir = path.substring(0, path.lastIndexOf('/'));
        String key = path.substring(path.lastIndexOf('/') + 1);
        assertThat(mounts).as("--config %s is on a mounted volume", path).containsKey(dir);
        Map<String, Object> data = CONFIG_MAPS.get(configMapOf(mounts.get(dir), volumes));
        assertThat(data).as("the ConfigMap at %s holds %s", dir, key).containsKey(key);
        return properties((String) data.get(key));
    }

    private static String configMapOf(String volumeName, Map<String, Map<String, Object>> volumes) {
        return (String) map(volumes.get(volumeName).get("configMap")).get("name");
    }

    private static Properties properties(String text) throws IOException {
        Properties p = new Properties();
        p.load(new StringReader(text));
        return p;
    }

    private static List<Map<String, Object>> workloads() {
        return DOCS.stream().filter(d -> d.get("kind").equals("Deployment") || d.get("kind").equals("CronJob")).toList();
    }

    private static Map<String, Object> kind(String kind) {
        return DOCS.stream().filter(d -> kind.equals(d.get("kind"))).findFirst().orElseThrow();
    }

    private static Map<String, Object> podSpec(Map<String, Object> doc) {
        Map<String, Object> spec = map(doc.get("spec"));
        if ("Pod".equals(doc.get("kind"))) {
            return spec;
        }
        if ("CronJob".equals(doc.get("kind"))) {
            spec = map(map(spec.get("jobTemplate")).get("spec"));
        }
        return map(map(spec.get("template")).get("spec"));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o) {
        return o == null ? Map.of() : (Map<String, Object>) o;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object o) {
        return o == null ? List.of() : (List<Object>) o;
    }
}
