package io.audiencesync.k8s;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.audiencesync.sync.ChildSync;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The image's runtime stage without docker (none runs here): its {@code COPY --from=build} lines applied to this
 * build's target/ under a directory standing for the image's root, then its ENTRYPOINT run there with the demo as
 * the command. The class path is exactly what the image holds: the thin jar and the jars of its declared dependencies.
 */
class ImageLayoutIT {

    @TempDir
    Path root;

    @Test
    void theRuntimeStageRunsTheDemoFromTheThinJarAndItsDependencies() throws Exception {
        List<String> dockerfile = Files.readAllLines(Path.of("k8s/Dockerfile"));
        List<String> runtimeStage = dockerfile.subList(lastIndexOf(dockerfile, "FROM "), dockerfile.size());
        for (String line : runtimeStage) {
            if (line.startsWith("COPY --from=build ")) {
                String[] parts = line.split(" ");
                copy(parts[2], root.resolve(parts[3].substring(1)));
            }
        }
        Path jar = root.resolve("opt/pinterest-audience-sync/pinterest-audience-sync.jar");
        try (JarFile thin = new JarFile(jar.toFile())) {
            assertThat(thin.getEntry("io/audiencesync/cli/Cli.class")).isNotNull();
            assertThat(thin.getEntry("org/apache/camel/main/Main.class")).as("the thin jar, not the shaded one").isNull();
        }
        try (Stream<Path> lib = Files.list(root.resolve("opt/pinterest-audience-sync/lib"))) {
            assertThat(lib.map(p -> p.getFileName().toString())).anyMatch(n -> n.startsWith("camel-main-"))
                    .noneMatch(n -> n.startsWith("pinterest-audience-sync")).noneMatch(n -> n.startsWith("junit"));
        }

        List<String> command = new ArrayList<>();
        for (String arg : entrypoint(runtimeStage)) {
            command.add(arg.equals("java") ? ChildSync.java()
                    : arg.replace("/opt/", root + "/opt/"));
        }
        command.add("demo");
        Path workdir = Files.createDirectories(root.resolve("data"));
        Process image = new ProcessBuilder(command).directory(workdir.toFile()).redirectErrorStream(true).start();
        String output = new String(image.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(image.waitFor(3, TimeUnit.MINUTES)).as(output).isTrue();
        assertThat(image.exitValue()).as(output).isZero();
        assertThat(output).contains("this tool's state holds 8: identical");
    }

    /** {@code COPY --from=build /build/target/X DST}: target/X (a file, a directory, or a file name pattern) to DST. */
    private static void copy(String source, Path destination) throws IOException {
        assertThat(source).startsWith("/build/target/");
        Path local = Path.of(source.substring("/build/".length()));
        if (Files.isDirectory(local)) {
            Files.createDirectories(destination);
            try (Stream<Path> files = Files.list(local)) {
                for (Path file : files.toList()) {
                    Files.copy(file, destination.resolve(file.getFileName().toString()));
                }
            }
            return;
        }
        PathMatcher pattern = FileSystems.getDefault().getPathMatcher("glob:" + local.getFileName());
        try (Stream<Path> files = Files.list(local.getParent())) {
            List<Path> matches = files.filter(p -> pattern.matches(p.getFileName())).toList();
            assertThat(matches).as("%s matches one file of target/", source).hasSize(1);
            Files.createDirectories(destination.getParent());
            Files.copy(matches.get(0), destination);
        }
    }

    private static List<String> entrypoint(List<String> stage) throws IOException {
        for (String line : stage) {
            if (line.startsWith("ENTRYPOINT ")) {
                return new ObjectMapper().readValue(line.substring("ENTRYPOINT ".length()), new TypeReference<>() { });
            }
        }
        throw new AssertionError("the runtime stage has no ENTRYPOINT");
    }

    private static int lastIndexOf(List<String> lines, String prefix) {
        for (int i = lines.size() - 1; i >= 0; i--) {
            if (lines.get(i).startsWith(prefix)) {
                return i;
            }
        }
        throw new AssertionError("no " + prefix + "line");
    }
}
