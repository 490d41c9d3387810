package io.audiencesync.config;

import java.util.List;
import java.util.stream.Collectors;

/** Every problem found in the configuration at once, so that one edit can fix them all. */
public final class ConfigProblems extends ConfigException {

    private final List<ConfigException> problems;

    private ConfigProblems(List<ConfigException> problems) {
        super(problems.get(0).key(), problems.size() + " problems in the configuration:" + problems.stream()
                .map(p -> "\n  - " + p.getMessage()).collect(Collectors.joining()), true);
        this.problems = List.copyOf(problems);
    }

    /** Nothing for no problem, the problem itself for one, all of them for more. */
    public static void throwIfAny(List<ConfigException> problems) {
        if (problems.size() == 1) {
            throw problems.get(0);
        }
        if (!problems.isEmpty()) {
            throw new ConfigProblems(problems);
        }
    }

    public List<ConfigException> problems() {
        return problems;
    }
}
