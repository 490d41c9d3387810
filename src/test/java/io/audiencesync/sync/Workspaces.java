package io.audiencesync.sync;

import io.audiencesync.config.StateSettings;
import io.audiencesync.emulator.PinterestEmulator;
import io.audiencesync.report.RunReport;
import io.audiencesync.state.LocalStateFiles;
import io.audiencesync.state.StateFiles;
import io.audiencesync.sync.RunHistory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * A workspace on disk for the tests: the sync files of {@code syncs} (sync.definitions-dir), every sync's inbox, state
 * and runs under {@code data} (sync.data-dir), synced into an emulator.
 */
public final class Workspaces {

    private Workspaces() {
    }

    /** The settings of a workspace of {@code syncs} on {@code data} against {@code emulator} (its write rate unthrottled). */
    public static Map<String, String> settings(PinterestEmulator emulator, Path data, Path syncs) {
        Map<String, String> settings = new HashMap<>();
        settings.put("pinterest.api-url", emulator.baseUrl());
        settings.put("pinterest.ad-account-id", PinterestEmulator.DEFAULT_AD_ACCOUNT_ID);
        settings.put("pinterest.access-token", PinterestEmulator.DEFAULT_ACCESS_TOKEN);
        settings.put("pinterest.write-rate-per-minute", "100000");
        settings.put("sync.data-dir", data.toString());
        settings.put("sync.definitions-dir", syncs.toString());
        settings.put("source.file.stable-seconds", "0");
        settings.put("source.file.poll-delay-ms", "50");
        settings.put("source.file.read-lock-check-interval-ms", "50");
        return settings;
    }

    /** Sync {@code id}'s file, a line per setting. */
    public static void syncFile(Path syncs, String id, String... lines) throws IOException {
        Files.writeString(syncs.resolve(id + ".properties"), String.join("\n", lines) + "\n");
    }

    public static Path inbox(Path data, String id) {
        return data.resolve("syncs").resolve(id).resolve("inbox");
    }

    /** A CSV of one email column: {@code <prefix><i>@example.com} for i from {@code from} to {@code to} (excluded). */
    public static String model(String prefix, int from, int to) {
        return "email\n" + IntStream.range(from, to).mapToObj(i -> prefix + i + "@example.com\n").collect(Collectors.joining());
    }

    /**
     * Where a workspace with these settings keeps its own files (run reports, bindings, desired states): under its data
     * directory {@code data}, or with {@code state.store=postgres} in the store's tables.
     */
    public static StateFiles files(Map<String, String> settings, Path data) {
        if (!"postgres".equals(settings.get("state.store"))) {
            return LocalStateFiles.INSTANCE;
        }
        return new StateSettings(StateSettings.Store.POSTGRES, settings.get("state.jdbc-url"), settings.get("state.jdbc-user"),
                settings.get("state.jdbc-password"), settings.get("state.jdbc-schema")).files(data);
    }

    public static List<RunReport> reports(Path data, String id) {
        return new RunHistory(data.resolve("syncs").resolve(id)).reports();
    }
}
