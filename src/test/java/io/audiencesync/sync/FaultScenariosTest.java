package io.audiencesync.sync;

import io.audiencesync.emulator.Faults;
import io.audiencesync.emulator.PinterestEmulator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static io.audiencesync.sync.SyncHarness.email;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Each scenario injects one kind of fault while a changed model is synced (adds and removes), then lets one
 * more run go through: whatever happened, no value of the model may be lost or removed, and the list must end
 * equal to the model. The figures are written to target/fault-scenarios.md (docs/benchmarks.md quotes them).
 */
class FaultScenariosTest {

    enum Scenario {
        THROTTLED("429 code 8 with Retry-After: 1 s, on 3 writes", f -> f.throttleWrites(3, Duration.ofSeconds(1))),
        SERVER_ERRORS("500 and 503 on 4 writes", f -> f.failWrites(2, 500).failWrites(2, 503)),
        SLOW_ANSWERS("answers slower than the 1 s request timeout, on 2 writes", f -> f.slowWrites(2, Duration.ofMillis(1500))),
        DROPPED_CONNECTIONS("connection closed without an answer, on 3 writes", f -> f.dropWrites(3)),
        REFUSED_VALUES("400 for 3 values of the model (accepted again on the next run)", null),
        EXPIRED_TOKEN("401 once (the run stops; the next one completes)", f -> f.unauthorized(1)),
        EVERYTHING("all of the above but the 401, in one run", null);

        final String description;
        final Consumer<Faults> inject;

        Scenario(String description, Consumer<Faults> inject) {
            this.description = description;
            this.inject = inject;
        }
    }

    private static final List<String> FIGURES = new ArrayList<>();

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(Scenario.class)
    void theListConvergesToTheModelWhateverHappens(Scenario scenario) {
        try (PinterestEmulator emulator = PinterestEmulator.builder().port(0).start()) {
            SyncHarness sync = new SyncHarness(emulator, dir).set("sync.identifiers", "email=EMAIL")
                    .set("sync.batch-size", "50").set("pinterest.retry-base-delay-ms", "20")
                    .set("pinterest.retry-max-delay-ms", "200").set("pinterest.request-timeout-seconds", "1");
            assertThat(sync.sync("day1.csv", model(0, 500))).isZero();
            String listId = sync.onlyListId();

            Set<String> model = values(100, 600); // 100 left the model, 100 joined
            List<String> refused = List.of(email("user150@example.com"), email("user520@example.com"),
                    email("user599@example.com"));
            Faults faults = emulator.faults();
            switch (scenario) {
                case REFUSED_VALUES -> faults.refuseValues(refused);
                case EVERYTHING -> {
                    faults.refuseValues(refused);
                    for (Scenario s : Scenario.values()) {
                        if (s.inject != null && s != Scenario.EXPIRED_TOKEN) {
                            s.inject.accept(faults);
                        }
                    }
                }
                default -> scenario.inject.accept(faults);
            }
            int faultyExit = sync.sync("day2.csv", model(100, 600));
            int injected = faults.injected();
            faults.clear();
            int finalExit = sync.sync("day3.csv", model(100, 600));

            Set<String> members = emulator.members(listId);
            Set<String> lost = new HashSet<>(model);
            lost.removeAll(members);
            Set<String> wronglyRemoved = new HashSet<>(emulator.removedValues(listId));
            wronglyRemoved.retainAll(model);
            FIGURES.add(String.format("| %s | %d | exit %d, then %d | %d | %d | %s |", scenario.description, injected,
                    faultyExit, finalExit, lost.size(), wronglyRemoved.size(), members.equals(model) ? "yes" : "NO"));

            assertThat(injected).as("faults were really injected").isPositive();
            assertThat(finalExit).isZero();
            assertThat(lost).as("values lost").isEmpty();
            assertThat(wronglyRemoved).as("values wrongly removed").isEmpty();
            assertThat(members).as("final membership equals the model").isEqualTo(model);
            assertThat(emulator.concurrentWriteViolations()).isZero();
        }
    }

    @AfterAll
    static void writeFigures() throws IOException {
        List<String> lines = new ArrayList<>(List.of(
                "| fault injected while syncing a changed model (100 adds, 100 removes, batches of 50) | faults | runs | values lost | values wrongly removed | list equals model |",
                "|---|---|---|---|---|---|"));
        lines.addAll(FIGURES.stream().sorted().collect(Collectors.toList()));
        Files.createDirectories(Path.of("target"));
        Files.write(Path.of("target/fault-scenarios.md"), lines);
    }

    private static Set<String> values(int from, int to) {
        return IntStream.range(from, to).mapToObj(i -> email("user" + i + "@example.com")).collect(Collectors.toSet());
    }

    private static String model(int from, int to) {
        return "email\n" + IntStream.range(from, to).mapToObj(i -> "user" + i + "@example.com\n").collect(Collectors.joining());
    }
}
