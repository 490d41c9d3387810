package io.audiencesync.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import de.siegmar.fastcsv.reader.CsvReader;
import de.siegmar.fastcsv.reader.NamedCsvRecord;
import io.audiencesync.SyncApp;
import io.audiencesync.identity.RejectReason;
import io.audiencesync.emulator.PinterestEmulator;
import io.audiencesync.records.WireLines;
import io.audiencesync.report.Json;
import io.audiencesync.report.RunReport;
import io.audiencesync.state.ListState;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

@Command(name = "demo",
        mixinStandardHelpOptions = true,
        description = "Shows a sync end to end with no account and no setup: starts the local Pinterest emulator on a "
                + "free loopback port, drops a sample snapshot and syncs it, then a changed one, then the same one "
                + "again, and prints what happened (list and audience created, values added, removed, rejected and "
                + "why).")
final class DemoCommand implements Callable<Integer> {

    static final String DAY_1 = """
            customer_id,email,maid,idfa
            1001,jane.doe@example.com,6d1f3a2e-9b7c-4e8f-a1d2-3c4b5a6f7e80,
            1002,  John.Smith@Example.COM ,,AEBE52E7-03EE-455A-B3C4-E57283966239
            1003,amy@example.org,,
            1004,not-an-email,,00000000-0000-0000-0000-000000000000
            1005,"bob,jones@example.com",b1c2d3e4-0000-4000-8000-123456789abc,
            1006,5F4DCC3B5AA765D61D8327DEB882CF99,,
            1007,carol@example.net,,
            """;
    /** Day 2: 1003 left the segment, 1007 changed email, 1008 joined. */
    static final String DAY_2 = """
            customer_id,email,maid,idfa
            1001,jane.doe@example.com,6d1f3a2e-9b7c-4e8f-a1d2-3c4b5a6f7e80,
            1002,  John.Smith@Example.COM ,,AEBE52E7-03EE-455A-B3C4-E57283966239
            1004,not-an-email,,00000000-0000-0000-0000-000000000000
            1005,"bob,jones@example.com",b1c2d3e4-0000-4000-8000-123456789abc,
            1006,5F4DCC3B5AA765D61D8327DEB882CF99,,
            1007,carol.new@example.net,,
            1008,dave@example.com,,
            """;

    @Option(names = "--dir", paramLabel = "DIR", description = "Where the demo keeps its files (default: a new temporary directory).")
    Path dir;

    @Option(names = "--verbose", description = "Also show the sync's own log lines.")
    boolean verbose;

    private final PrintStream out = System.out;

    @Override
    public Integer call() throws IOException {
        if (!verbose) {
            ((Logger) LoggerFactory.getLogger("io.audiencesync")).setLevel(Level.WARN);
        }
        Path home = dir != null ? Files.createDirectories(dir) : Files.createTempDirectory("pinterest-audience-sync-demo");
        Path data = home.resolve("data");
        Path inbox = data.resolve("inbox");
        try (PinterestEmulator emulator = PinterestEmulator.builder().port(0).start()) {
            out.println("Pinterest emulator started on " + emulator.baseUrl() + " (no account, nothing leaves this machine)");
            out.println("Demo files: " + home);
            Map<String, String> settings = new LinkedHashMap<>();
            settings.put("pinterest.api-url", emulator.baseUrl());
            settings.put("pinterest.ad-account-id", PinterestEmulator.DEFAULT_AD_ACCOUNT_ID);
            settings.put("pinterest.access-token", PinterestEmulator.DEFAULT_ACCESS_TOKEN);
            settings.put("sync.name", "Demo customers");
            settings.put("sync.identifiers", "email=EMAIL,maid=MAID,idfa=IDFA");
            settings.put("sync.data-dir", data.toString());
            settings.put("source.file.dir", inbox.toString());
            settings.put("source.file.read-lock-check-interval-ms", "100");
            // the demo writes each file whole before its run starts: no writer to wait for
            settings.put("source.file.stable-seconds", "0");
            settings.put("source.file.poll-delay-ms", "100");
            settings.put("sync.once", "true");

            int worst = 0;
            worst = Math.max(worst, step(1, "day-1.csv", DAY_1, "the first snapshot creates the list and the audience",
                    inbox, data, settings, emulator));
            worst = Math.max(worst, step(2, "day-2.csv", DAY_2,
                    "customer 1003 left, 1007 changed email, 1008 joined", inbox, data, settings, emulator));
            long writesBefore = emulator.writeCalls();
            worst = Math.max(worst, step(3, "day-3.csv", DAY_2, "the same model again", inbox, data, settings, emulator));
            out.printf("  write calls to Pinterest in step 3: %d (nothing changed, nothing sent)%n", emulator.writeCalls() - writesBefore);

            String listId = emulator.customerLists().get(0).id();
            Set<String> pinterest = emulator.members(listId);
            Set<String> state = stateValues(data, listId);
            boolean equal = pinterest.equals(state);
            out.println();
            out.printf("Pinterest's customer list %s holds %d values; this tool's state holds %d: %s%n", listId, pinterest.size(),
                    state.size(), equal ? "identical" : "DIFFERENT");
            out.println("Reports: " + data.resolve("runs") + "   rejects: " + data.resolve("rejects"));
            return equal && worst == 0 ? 0 : 1;
        }
    }

    private int step(int n, String file, String csv, String what, Path inbox, Path data, Map<String, String> settings,
                     PinterestEmulator emulator) throws IOException {
        out.println();
        out.printf("Step %d: drop %s (%s)%n", n, file, what);
        Files.createDirectories(inbox);
        Files.writeString(inbox.resolve(file), csv, StandardCharsets.UTF_8);
        int code = SyncApp.runIsolated(settings);
        RunReport report = latestReport(data);
        out.printf("  rows read %d, values %s, rejected %d%n", report.rowsRead(), report.valuesByType(), report.rejected());
        if (report.rejectsFile() != null) {
            try (CsvReader<NamedCsvRecord> rejects = CsvReader.builder().ofNamedCsvRecord(Path.of(report.rejectsFile()))) {
                for (NamedCsvRecord r : rejects) {
                    out.printf("    rejected: line %s, column %s (%s): %s, %s; sample %s%n", r.getField("row"), r.getField("column"),
                            r.getField("type"), r.getField("reason"), RejectReason.valueOf(r.getField("reason")).description(),
                            r.getField("sample"));
                }
            }
        }
        out.printf("  customer list %s '%s'%s, audience %s '%s'%s%n",
                report.customerListId(), report.customerListName(), report.customerListCreated() ? " CREATED" : "",
                report.audienceId(), report.audienceName(), report.audienceCreated() ? " CREATED" : "");
        out.printf("  added %d, removed %d (planned %d / %d), dead-lettered %d%n", report.adds().sent(), report.removes().sent(),
                report.adds().planned(), report.removes().planned(), report.deadLetterBatches());
        out.printf("  exit code %d, outcome %s%n", code, report.outcome());
        return code;
    }

    private static RunReport latestReport(Path data) throws IOException {
        try (Stream<Path> files = Files.list(data.resolve("runs"))) {
            Path newest = files.filter(p -> p.toString().endsWith(".json")).max(Comparator.naturalOrder()).orElseThrow();
            return Json.read(newest, RunReport.class);
        }
    }

    private static Set<String> stateValues(Path data, String listId) throws IOException {
        Set<String> values = new HashSet<>();
        ListState.open(data.resolve("state"), listId).lines().forEach(line -> values.add(WireLines.value(line)));
        return values;
    }
}
