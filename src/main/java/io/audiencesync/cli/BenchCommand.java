package io.audiencesync.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import com.fasterxml.jackson.databind.JsonNode;
import de.siegmar.fastcsv.reader.CsvReader;
import de.siegmar.fastcsv.reader.CsvRecord;
import io.audiencesync.SyncApp;
import io.audiencesync.config.SyncSettings;
import io.audiencesync.identity.Identifier;
import io.audiencesync.identity.IdentifierMapping;
import io.audiencesync.identity.IdentifierType;
import io.audiencesync.identity.Normalizer;
import io.audiencesync.plan.Batches;
import io.audiencesync.plan.Plan;
import io.audiencesync.plan.Planner;
import io.audiencesync.records.RecordFile;
import io.audiencesync.records.SnapshotCollector;
import io.audiencesync.records.SortedRecords;
import io.audiencesync.records.WireRecords;
import io.audiencesync.report.Json;
import io.audiencesync.report.RunReport;
import io.audiencesync.source.CsvSource;
import io.audiencesync.source.Row;
import io.audiencesync.state.ListState;
import io.audiencesync.state.PostgresStateStore;
import io.audiencesync.state.StateStore;
import io.audiencesync.sync.RunHistory;
import io.audiencesync.sync.StateStores;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

@Command(name = "bench",
        mixinStandardHelpOptions = true,
        description = "Measures the sync on a synthetic model (emails, MAIDs, IDFAs with the usual dirt) in this "
                + "process and prints a table: the floor (a plain loop that parses, normalizes and hashes the "
                + "file), each stage of the pipeline, and the whole sync through the real routes to the emulator "
                + "over HTTP (first sync, then a re-sync with --churn %% of rows replaced), for the file store and "
                + "PostgreSQL, with rows/s, the ratio to the floor and peak heap. Run it with the heap you mean to "
                + "give the sync, e.g. java -Xmx512m -jar ...")
final class BenchCommand implements Callable<Integer> {

    @Option(names = "--rows", defaultValue = "1000000", description = "Rows in the model (default ${DEFAULT-VALUE}).")
    long rows;

    @Option(names = "--churn", defaultValue = "1", description = "Percent of rows replaced for the re-sync (default ${DEFAULT-VALUE}).")
    double churn;

    @Option(names = "--dir", paramLabel = "DIR", description = "Where the model and state go (default: a new temporary directory, deleted after).")
    Path dir;

    @Option(names = "--batch-size", defaultValue = "5000", description = "Records per ADD/REMOVE call (default ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--jdbc-url", defaultValue = "jdbc:postgresql://127.0.0.1:5432/test",
            description = "PostgreSQL for the postgres store rows (default ${DEFAULT-VALUE}); skipped when it does not answer.")
    String jdbcUrl;

    @Option(names = "--jdbc-user", defaultValue = "postgres", description = "PostgreSQL user (default ${DEFAULT-VALUE}).")
    String jdbcUser;

    @Option(names = "--jdbc-password", defaultValue = "", description = "PostgreSQL password (default: none).")
    String jdbcPassword;

    @Option(names = "--no-postgres", description = "Leave out the PostgreSQL store.")
    boolean noPostgres;

    @Option(names = "--pairs", paramLabel = "N", defaultValue = "3", description = "With PostgreSQL: the first syncs of"
            + " the two stores run N times in turn (file, postgres, then postgres, file, ...), each into a new list; the table shows"
            + " each store's median, and the postgres store's share of the file store's is the median of the N pairs',"
            + " so that the machine's speed drifting during the bench does not land on one store (default ${DEFAULT-VALUE}).")
    int pairs;

    @Option(names = "--syncs", paramLabel = "N", defaultValue = "0", description = "Instead: N syncs of --rows rows each,"
            + " synced by one workspace process, then by N single-sync processes one after another (each -Xmx512m):"
            + " time and peak resident memory of each (default ${DEFAULT-VALUE}: not this).")
    int syncs;

    @Option(names = "--takeover", paramLabel = "N", defaultValue = "0", description = "Instead: N times, two daemons of one"
            + " workspace (cluster.service=file, the default lease) first-sync --rows rows, the leader is killed with"
            + " SIGKILL mid-send: the time to the other replica's first batch, and its median (default ${DEFAULT-VALUE}:"
            + " not this).")
    int takeover;

    /** This run's scratch schema, dropped afterwards: two benchmarks on one database never share one. */
    private final String pgSchema = "pas_bench_" + Long.toHexString(System.nanoTime() ^ ProcessHandle.current().pid() << 40);

    private final PrintStream out = System.out;
    private final List<Line> table = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();
    /** Each pair's first sync, file store's seconds ÷ postgres store's: the postgres store's share of the file store's. */
    private final List<Double> firstSyncShares = new ArrayList<>();
    private double floorRate;

    /** One row of the printed table. */
    record Line(String stage, long rows, long values, double seconds, double ratioToFloor, long peakHeapMb) {
    }

    @Override
    public Integer call() throws Exception {
        if (pairs < 1) {
            System.err.println("bench: --pairs must be 1 or more (first syncs of each store, run in turn), got " + pairs);
            return 2;
        }
        Logger app = (Logger) LoggerFactory.getLogger("io.audiencesync");
        Logger camel = (Logger) LoggerFactory.getLogger("org.apache.camel");
        Level appLevel = app.getLevel();
        Level camelLevel = camel.getLevel();
        // The table is the output; the runs' own summaries would bury it.
        app.setLevel(Level.WARN);
        camel.setLevel(Level.WARN);
        boolean temporary = dir == null;
        Path home = temporary ? Files.createTempDirectory("pinterest-audience-sync-bench") : Files.createDirectories(dir);
        try {
            return run(home);
        } finally {
            app.setLevel(appLevel);
            camel.setLevel(camelLevel);
            if (temporary) {
                deleteTree(home);
            }
        }
    }

    private int run(Path home) throws Exception {
        if (takeover > 0) {
            try (Emulator emulator = Emulator.start(home.resolve("emulator.log"))) {
                return new TakeoverBench(out, takeover, rows).run(home, emulator);
            }
        }
        if (syncs > 0) {
            try (Emulator emulator = Emulator.start(home.resolve("emulator.log"))) {
                return new WorkspaceBench(out, syncs, rows, "512m").run(home, emulator);
            }
        }
        out.printf("bench: %,d rows, %s%% churn, batches of %,d, %d cores, max heap %,d MB, %s%n", rows, fmt(churn),
                batchSize, Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20, home);
        // A --dir used before holds an earlier bench's state, bound to lists of an emulator that is gone: every run
        // would stop on a list not found. The bench's own directories start empty.
        List<String> owns = new ArrayList<>(List.of("stages", "warm-up", "warm-up-sync"));
        for (int round = 0; round < pairs; round++) {
            owns.add(dataDirName("file", round));
            owns.add(dataDirName("postgres", round));
        }
        for (String own : owns) {
            if (Files.exists(home.resolve(own))) {
                deleteTree(home.resolve(own));
                out.printf("removed %s, an earlier bench's%n", home.resolve(own));
            }
        }
        Path model = home.resolve("model.csv");
        Path churned = home.resolve("model-churned.csv");
        long t0 = System.nanoTime();
        SyntheticModel.write(model, rows);
        long replaced = SyntheticModel.write(churned, rows, churn);
        out.printf("generated %s (%,d MB) and %s (%,d rows replaced) in %.1f s%n", model.getFileName(),
                Files.size(model) >> 20, churned.getFileName(), replaced, seconds(t0));

        // The same work on a small model first, so that no measurement below pays for the JIT compiler's warm-up.
        Path warmUp = home.resolve("warm-up.csv");
        SyntheticModel.write(warmUp, Math.min(rows, 200_000));
        floor(warmUp, 1);
        pipelineStages(warmUp, home.resolve("warm-up"));
        table.clear();

        floor(model, FLOOR_REPEATS);
        long values = pipelineStages(model, home.resolve("stages"));

        boolean postgres = !noPostgres && postgresAnswers();
        int rounds = postgres ? pairs : 1;
        try (Emulator emulator = Emulator.start(home.resolve("emulator.log"), emulatorHeap(values, 2 * rounds))) {
            // The routes and the emulator's JVM warm up too, on a list of their own, before anything is measured; in
            // small batches, so that the code of a call (HTTP, JSON) runs as often as in the runs measured.
            Map<String, String> warmUpSettings = syncSettings(emulator, home.resolve("warm-up-sync"));
            warmUpSettings.put("sync.name", "Bench warm-up");
            warmUpSettings.put("sync.batch-size", Integer.toString(WARM_UP_BATCH));
            sync(home.resolve("warm-up-sync"), warmUp, warmUpSettings, "warm-up");
            table.remove(table.size() - 1);
            deleteTree(home.resolve("warm-up-sync"));
            Files.delete(warmUp);
            List<String> stores = postgres ? List.of("file", "postgres") : List.of("file");
            if (!postgres) {
                notes.add("PostgreSQL store: left out (" + (noPostgres ? "--no-postgres" : "nothing answers at " + jdbcUrl) + ")");
            }
            try {
                endToEnd(stores, rounds, emulator, home, model, churned, values);
            } finally {
                if (postgres) {
                    for (int round = 0; round < rounds; round++) {
                        dropBenchSchema(schema(round));
                    }
                }
            }
        }
        print();
        // Figures of runs that did not sync what they should measure nothing: the exit code says so.
        long failed = notes.stream().filter(n -> n.startsWith("CHECK FAILED")).count();
        if (failed > 0) {
            out.printf("bench: %d check(s) failed (the notes above): these figures do not measure a working sync%n", failed);
            return 1;
        }
        return 0;
    }

    /** Records per call while the routes warm up: several hundred calls, as many as a measured run makes. */
    static final int WARM_UP_BATCH = 250;

    /** Floor measurements; the fastest counts. */
    static final int FLOOR_REPEATS = 3;

    /**
     * (a) The floor: one thread, FastCSV, the project's Normalizer, nothing kept. Measured {@value #FLOOR_REPEATS}
     * times and the fastest kept: a slow moment of the machine must not make every ratio to the floor look better.
     */
    private void floor(Path model, int repeats) throws IOException {
        double best = Double.MAX_VALUE;
        long n = 0;
        long wire = 0;
        for (int i = 0; i < repeats; i++) {
            Heap.reset();
            long t0 = System.nanoTime();
            long[] counts = floorOnce(model);
            best = Math.min(best, seconds(t0));
            n = counts[0];
            wire = counts[1];
        }
        floorRate = n / best;
        table.add(new Line("(a) floor: parse + normalize + hash, plain loop (fastest of " + repeats + ")", n, wire, best, 1.0,
                Heap.peakMb()));
    }

    /** Rows and wire values of one pass. */
    private long[] floorOnce(Path model) throws IOException {
        IdentifierType[] types = {IdentifierType.EMAIL, IdentifierType.MAID, IdentifierType.IDFA};
        Normalizer normalizer = new Normalizer(true, true);
        long n = 0;
        long wire = 0;
        long sink = 0;
        try (CsvReader<CsvRecord> csv = CsvReader.builder().ofCsvRecord(model)) {
            Iterator<CsvRecord> it = csv.iterator();
            it.next();
            while (it.hasNext()) {
                CsvRecord record = it.next();
                n++;
                for (int c = 0; c < 3; c++) {
                    if (normalizer.normalize(types[c], record.getField(c + 1)) instanceof Identifier.Wire w) {
                        wire++;
                        sink += w.value().length();
                    }
                }
            }
        }
        if (sink == 0 && wire > 0) {
            notes.add("the floor produced only empty values");
        }
        return new long[] {n, wire};
    }

    /** (b) The pipeline's stages, called as the routes call them, on the first model against an empty state. */
    private long pipelineStages(Path model, Path work) throws IOException {
        IdentifierMapping mapping = IdentifierMapping.parse(SyntheticModel.MAPPING);
        Normalizer normalizer = new Normalizer(true, true);
        CsvSource csv = new CsvSource(mapping, 5_000);

        Heap.reset();
        long t0 = System.nanoTime();
        long n = 0;
        Iterator<List<Row>> chunks = csv.snapshot(model).chunks();
        while (chunks.hasNext()) {
            n += chunks.next().size();
        }
        add("(b1) read CSV in chunks of 5,000 rows (CsvSource)", n, 0, t0);

        Heap.reset();
        t0 = System.nanoTime();
        SnapshotCollector collector = new SnapshotCollector(work, 500_000);
        long wire = 0;
        chunks = csv.snapshot(model).chunks();
        List<IdentifierMapping.Column> columns = mapping.columns();
        while (chunks.hasNext()) {
            for (Row row : chunks.next()) {
                for (int i = 0; i < columns.size(); i++) {
                    if (normalizer.normalize(columns.get(i).type(), row.cells()[i]) instanceof Identifier.Wire w) {
                        collector.add(w.value(), w.type());
                        wire++;
                    }
                }
            }
        }
        SortedRecords sorted = collector.finish();
        add("(b2) + normalize + hash + sorted runs (SnapshotCollector)", n, wire, t0);

        Heap.reset();
        t0 = System.nanoTime();
        Plan plan = Planner.plan(sorted, SortedRecords.empty(), work);
        add("(b3) plan: merge runs, diff with an empty state (Planner)", n, plan.snapshotCount(), t0);

        Heap.reset();
        t0 = System.nanoTime();
        long batches = 0;
        try (Batches it = new Batches(plan, batchSize)) {
            while (it.hasNext()) {
                it.next();
                batches++;
            }
        }
        add("(b4) read the plan as " + String.format(Locale.ROOT, "%,d", batches) + " batches (Batches)", n, plan.addCount(), t0);
        deleteTree(work);
        return plan.snapshotCount();
    }

    /**
     * (c) The real application: each store's first sync (with both stores, {@code rounds} pairs run in turn, each into a
     * new list), then each store's re-sync of its first list: the plan measured alone, then the whole run.
     */
    private void endToEnd(List<String> stores, int rounds, Emulator emulator, Path home, Path model, Path churned,
                          long distinct) throws Exception {
        Map<String, List<Line>> firstSyncs = new LinkedHashMap<>();
        Map<String, RunReport> firstReports = new LinkedHashMap<>();
        for (int round = 0; round < rounds; round++) {
            // Every other pair the other store goes first (file, postgres, postgres, file, ...): a machine getting
            // steadily faster or slower through the pairs favours neither store.
            List<String> order = new ArrayList<>(stores);
            if (round % 2 == 1) {
                Collections.reverse(order);
            }
            for (String store : order) {
                Path data = home.resolve(dataDirName(store, round));
                if (store.equals("postgres")) {
                    dropBenchSchema(schema(round));
                }
                RunReport first = sync(data, model, syncSettings(emulator, data, store, round),
                        "(c) end to end, first sync, " + store + " store");
                firstSyncs.computeIfAbsent(store, s -> new ArrayList<>()).add(table.remove(table.size() - 1));
                long members = emulator.memberCount(first.customerListId());
                if (members != distinct || first.adds().sent() != distinct) {
                    notes.add("CHECK FAILED (" + store + "): the list holds " + members + " values, the model " + distinct);
                }
                if (round == 0) {
                    firstReports.put(store, first);
                } else {
                    // Only the first round's lists are synced again: the others' state goes, their disk with it.
                    deleteTree(data);
                    if (store.equals("postgres")) {
                        dropBenchSchema(schema(round));
                    }
                }
            }
        }
        for (Map.Entry<String, List<Line>> e : firstSyncs.entrySet()) {
            table.add(median(e.getValue(), rounds == 1 ? "" : " (median of " + rounds + ", in turn with the other store)"));
        }
        if (firstSyncs.containsKey("postgres")) {
            List<String> seconds = new ArrayList<>();
            for (int round = 0; round < rounds; round++) {
                double file = firstSyncs.get("file").get(round).seconds();
                double pg = firstSyncs.get("postgres").get(round).seconds();
                firstSyncShares.add(file / pg);
                seconds.add(String.format(Locale.ROOT, "%.2f s / %.2f s", file, pg));
            }
            notes.add("first syncs, file store / postgres store, pair by pair: " + String.join("; ", seconds));
        }
        for (String store : stores) {
            Path data = home.resolve(dataDirName(store, 0));
            reSync(store, emulator, data, churned, firstReports.get(store), syncSettings(emulator, data, store, 0));
        }
    }

    /** The line of the median seconds of {@code lines} (the upper one of an even count), with the highest peak heap. */
    private static Line median(List<Line> lines, String suffix) {
        List<Line> sorted = lines.stream().sorted(Comparator.comparingDouble(Line::seconds)).toList();
        Line m = sorted.get(sorted.size() / 2);
        long peak = lines.stream().mapToLong(Line::peakHeapMb).max().orElse(0);
        return new Line(m.stage() + suffix, m.rows(), m.values(), m.seconds(), m.ratioToFloor(), peak);
    }

    /** A store's data directory in a round of first syncs: {@code file} and {@code pg}, then {@code file-2}, ... */
    private static String dataDirName(String store, int round) {
        String name = store.equals("postgres") ? "pg" : store;
        return round == 0 ? name : name + "-" + (round + 1);
    }

    /** The PostgreSQL schema of a round of first syncs: every round's sync its own state. */
    private String schema(int round) {
        return round == 0 ? pgSchema : pgSchema + "_" + (round + 1);
    }

    /** The settings of a run-once sync of {@code data}'s inbox into the emulator, with the store's. */
    private Map<String, String> syncSettings(Emulator emulator, Path data, String store, int round) {
        Map<String, String> settings = syncSettings(emulator, data);
        String name = store.equals("postgres") ? "Bench postgres" : "Bench file";
        settings.put("sync.name", round == 0 ? name : name + " " + (round + 1));
        if (store.equals("postgres")) {
            settings.putAll(Map.of("state.store", "postgres", "state.jdbc-url", jdbcUrl, "state.jdbc-user", jdbcUser,
                    "state.jdbc-password", jdbcPassword, "state.jdbc-schema", schema(round)));
        }
        return settings;
    }

    /** The settings of a run-once sync of {@code data}'s inbox into the emulator. */
    private Map<String, String> syncSettings(Emulator emulator, Path data) {
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("pinterest.api-url", emulator.baseUrl());
        settings.put("pinterest.ad-account-id", "549755885175");
        settings.put("pinterest.access-token", "emulator-token");
        settings.put("pinterest.write-rate-per-minute", "100000");
        settings.put("sync.name", "Bench file");
        settings.put("sync.identifiers", SyntheticModel.MAPPING);
        settings.put("sync.batch-size", Integer.toString(batchSize));
        settings.put("sync.data-dir", data.toString());
        settings.put("source.file.dir", data.resolve("inbox").toString());
        // the bench writes each file whole before its run starts: no writer to wait for
        settings.put("source.file.stable-seconds", "0");
        settings.put("source.file.read-lock-check-interval-ms", "100");
        settings.put("source.file.poll-delay-ms", "100");
        settings.put("sync.once", "true");
        return settings;
    }

    /** A store's re-sync of the list its first sync made: the plan alone, the reference, then the whole run. */
    private void reSync(String store, Emulator emulator, Path data, Path churned, RunReport first,
                        Map<String, String> settings) throws Exception {
        String listId = first.customerListId();
        // The re-sync's plan alone (same values for every approach, normalized once beforehand), then the reference.
        Path values = data.resolve("churned-values.bin");
        long churnedValues = normalizedValues(churned, values);
        Path work = data.resolve("bench-plan");
        Heap.reset();
        long t0 = System.nanoTime();
        Plan plan;
        if (store.equals("file")) {
            plan = ListState.open(data.resolve("state"), listId).plan(collect(values, work), work);
        } else {
            try (PostgresStateStore pg = new PostgresStateStore(jdbcUrl, jdbcUser, jdbcPassword, pgSchema,
                    data.resolve("postgres-work"), ListState.DEFAULT_SORT_BUFFER);
                 StateStore.Session session = pg.begin("bench")) {
                plan = session.open(listId).plan(collect(values, work), work);
            }
        }
        add("(c) re-sync plan: sort + diff " + String.format(Locale.ROOT, "%,d", churnedValues) + " vs "
                + String.format(Locale.ROOT, "%,d", plan.stateCount()) + " (" + store + ")", rows, plan.snapshotCount(), t0);
        long planAdds = plan.addCount();
        long planRemoves = plan.removeCandidates();
        deleteTree(work);
        if (store.equals("file")) {
            referenceDiff(values, churnedValues, data.resolve("state/lists").resolve(listId).resolve("members.bin"),
                    plan.stateCount(), planAdds, planRemoves);
        }
        Files.delete(values);

        RunReport again = sync(data, churned, settings, "(c) end to end, re-sync " + fmt(churn) + "% churn, " + store + " store");
        if (again.adds().sent() != planAdds || again.removes().sent() != planRemoves) {
            notes.add("CHECK FAILED (" + store + "): the re-sync sent " + again.adds().sent() + " adds and "
                    + again.removes().sent() + " removes, the plan had " + planAdds + " and " + planRemoves);
        }
        notes.add(String.format(Locale.ROOT, "%s store: first sync sent %,d values in %,d calls; re-sync sent %,d adds"
                + " and %,d removes; the emulator's list holds %,d values", store, first.adds().sent(),
                (first.adds().sent() + batchSize - 1) / batchSize, again.adds().sent(), again.removes().sent(),
                emulator.memberCount(listId)));
    }

    private RunReport sync(Path data, Path csv, Map<String, String> settings, String stage) throws IOException {
        Path inbox = Files.createDirectories(data.resolve("inbox"));
        Path copy = inbox.resolve(csv.getFileName());
        Files.copy(csv, copy);
        // The copy is the bench's, not the run's: written to the disk before the clock starts, so that its writeback
        // does not share the disk with the run's own writes (a PostgreSQL store's WAL flushes wait behind it).
        try (FileChannel channel = FileChannel.open(copy, StandardOpenOption.WRITE)) {
            channel.force(true);
        }
        Heap.reset();
        long t0 = System.nanoTime();
        int exit = SyncApp.runIsolated(settings);
        double s = seconds(t0);
        RunReport report = latestReport(data, settings);
        if (exit != 0) {
            notes.add("CHECK FAILED: " + stage + " exited " + exit + ": " + report.error());
        }
        table.add(new Line(stage, report.rowsRead(), report.distinctValues(), s, report.rowsRead() / s / floorRate, Heap.peakMb()));
        return report;
    }

    /** Normalizes a model once into unsorted records, so every diff below starts from the same values. */
    private long normalizedValues(Path model, Path file) {
        IdentifierMapping mapping = IdentifierMapping.parse(SyntheticModel.MAPPING);
        Normalizer normalizer = new Normalizer(true, true);
        byte[] record = new byte[WireRecords.MAX_LENGTH];
        long n = 0;
        try (RecordFile.Writer w = new RecordFile.Writer(file)) {
            Iterator<List<Row>> chunks = new CsvSource(mapping, 5_000).snapshot(model).chunks();
            while (chunks.hasNext()) {
                for (Row row : chunks.next()) {
                    for (int i = 0; i < 3; i++) {
                        if (normalizer.normalize(mapping.columns().get(i).type(), row.cells()[i]) instanceof Identifier.Wire v) {
                            WireRecords.encode(v.value(), v.type(), record, 0);
                            w.write(record, 0);
                            n++;
                        }
                    }
                }
            }
        }
        return n;
    }

    private static SortedRecords collect(Path values, Path work) {
        SnapshotCollector collector = new SnapshotCollector(work, 500_000);
        try (SortedRecords in = RecordFile.readAnyOrder(values)) {
            while (in.next()) {
                collector.addRecord(in.buffer(), in.offset());
            }
        }
        return collector.finish();
    }

    /**
     * The reference: the same snapshot values and state as 64-bit fingerprints in two long arrays (8 bytes a value,
     * no objects), sorted, then diffed by one merge. Only counts: nothing written.
     */
    private void referenceDiff(Path values, long valueCount, Path members, long memberCount, long expectedAdds,
                               long expectedRemoves) {
        Heap.reset();
        long t0 = System.nanoTime();
        long[] snapshot = fingerprints(values, valueCount);
        long[] state = fingerprints(members, memberCount);
        Arrays.sort(snapshot);
        Arrays.sort(state);
        long adds = 0;
        long removes = 0;
        int i = 0;
        int j = 0;
        while (i < snapshot.length || j < state.length) {
            if (j == state.length || i < snapshot.length && snapshot[i] < state[j]) {
                if (i == 0 || snapshot[i] != snapshot[i - 1]) {
                    adds++;
                }
                i++;
            } else if (i == snapshot.length || state[j] < snapshot[i]) {
                removes++;
                j++;
            } else {
                long v = snapshot[i];
                while (i < snapshot.length && snapshot[i] == v) {
                    i++;
                }
                j++;
            }
        }
        add("(ref) the same diff in memory: sorted long arrays", rows, snapshot.length, t0);
        if (adds != expectedAdds || removes != expectedRemoves) {
            notes.add("reference diff: " + adds + " adds, " + removes + " removes (plan: " + expectedAdds + ", " + expectedRemoves + ")");
        }
    }

    /** Sized exactly (the counts are known): growing by copies would need half as much again, at the peak. */
    private static long[] fingerprints(Path file, long count) {
        long[] out = new long[Math.toIntExact(count)];
        int n = 0;
        try (SortedRecords in = RecordFile.readAnyOrder(file)) {
            while (in.next()) {
                byte[] b = in.buffer();
                int off = in.offset();
                long f = 0;
                int len = WireRecords.keyLength(b, off);
                for (int k = 0; k < len; k++) {
                    f = f * 0x100000001b3L ^ (b[off + k] & 0xFF);
                }
                out[n++] = f;
            }
        }
        return n == out.length ? out : Arrays.copyOf(out, n);
    }

    private void add(String stage, long n, long values, long t0) {
        double s = seconds(t0);
        table.add(new Line(stage, n, values, s, n / s / floorRate, Heap.peakMb()));
    }

    private void print() {
        out.println();
        out.println("| stage | rows | values | seconds | rows/s | × floor | peak heap MB |");
        out.println("|---|---:|---:|---:|---:|---:|---:|");
        for (Line l : table) {
            out.printf(Locale.ROOT, "| %s | %,d | %,d | %.2f | %,.0f | %.2f | %,d |%n", l.stage(), l.rows(), l.values(),
                    l.seconds(), l.rows() / l.seconds(), l.ratioToFloor(), l.peakHeapMb());
        }
        out.println();
        Line file = find("re-sync plan", "(file)");
        Line reference = find("(ref)", "");
        Line pg = find("re-sync plan", "(postgres)");
        if (file != null && reference != null) {
            out.printf(Locale.ROOT, "re-sync plan vs the in-memory reference: file store %.2f×%s%n",
                    file.seconds() / reference.seconds(),
                    pg == null ? "" : String.format(Locale.ROOT, ", postgres store %.2f×", pg.seconds() / reference.seconds()));
        }
        Line e2e = find("first sync, file", "");
        Line e2ePg = find("first sync, postgres", "");
        if (e2e != null) {
            out.printf(Locale.ROOT, "end-to-end first sync vs the floor: file store %.2f%s%n", e2e.ratioToFloor(),
                    e2ePg == null ? "" : String.format(Locale.ROOT, ", postgres store %.2f (%s)", e2ePg.ratioToFloor(),
                            share()));
        }
        notes.forEach(n -> out.println("note: " + n));
    }

    /** The postgres store's first sync as a share of the file store's: one pair's, or the median of the pairs'. */
    private String share() {
        List<Double> sorted = firstSyncShares.stream().sorted().toList();
        if (sorted.size() == 1) {
            return String.format(Locale.ROOT, "%.2f of the file store's", sorted.get(0));
        }
        int n = sorted.size();
        double median = n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
        return String.format(Locale.ROOT, "%.2f of the file store's, the median of %d pairs run in turn: %s;"
                        + " the two medians' ratio %.2f", median, n,
                firstSyncShares.stream().map(r -> String.format(Locale.ROOT, "%.2f", r)).collect(Collectors.joining(", ")),
                find("first sync, file", "").seconds() / find("first sync, postgres", "").seconds());
    }

    private Line find(String part, String other) {
        return table.stream().filter(l -> l.stage().contains(part) && l.stage().contains(other)).findFirst().orElse(null);
    }

    private boolean postgresAnswers() {
        try (Connection c = DriverManager.getConnection(jdbcUrl, jdbcUser, jdbcPassword)) {
            return c.isValid(5);
        } catch (SQLException e) {
            return false;
        }
    }

    private void dropBenchSchema(String schema) throws SQLException {
        try (Connection c = DriverManager.getConnection(jdbcUrl, jdbcUser, jdbcPassword);
             Statement st = c.createStatement()) {
            st.execute("drop schema if exists " + schema + " cascade");
        }
    }

    /** The newest run report, where the run's settings keep it (the data directory, or the PostgreSQL store). */
    private static RunReport latestReport(Path data, Map<String, String> settings) {
        SyncSettings sync = SyncApp.readSettings(data.resolve("no-settings-file.properties"), settings, SyncSettings::load);
        List<RunReport> reports = new RunHistory(StateStores.files(sync), data).reports();
        return reports.get(reports.size() - 1);
    }

    private static double seconds(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }

    private static String fmt(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }

    static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Peak heap of a stage: the pools' peaks since the last reset, added up (an upper bound of the real peak). */
    static final class Heap {
        private Heap() {
        }

        static void reset() {
            System.gc();
            for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
                if (pool.getType() == MemoryType.HEAP) {
                    pool.resetPeakUsage();
                }
            }
        }

        static long peakMb() {
            long sum = 0;
            for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
                if (pool.getType() == MemoryType.HEAP) {
                    sum += pool.getPeakUsage().getUsed();
                }
            }
            return sum >> 20;
        }
    }

    /**
     * The emulator in a JVM of its own with compact membership: Pinterest is not in the sync's process, and its
     * members must not count against the sync's heap.
     */
    /** This tool in a JVM of its own, on this JVM's class path, with a heap of {@code heap} ({@code -Xmx}). */
    static List<String> tool(String heap, String... args) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx" + heap, "-cp", System.getProperty("java.class.path"), Cli.class.getName()));
        command.addAll(List.of(args));
        return command;
    }

    /**
     * The emulator's heap for {@code lists} lists of up to {@code values} members each (and the churn's): its
     * fingerprint tables, 8 bytes a slot, at most three quarters full, a power of two of slots, and one table more for
     * a table being grown, with half as much again: each table is one huge array, which the collector must find
     * contiguous room for (ten lists of 15.8M values ran out of a heap of exactly that much); 1 GB at least.
     */
    static String emulatorHeap(long values, int lists) {
        long slots = Long.highestOneBit(Math.max(1, values * 101 / 100 * 4 / 3)) << 1;
        long tableMb = slots * 8 >> 20;
        return Math.max(1024, 512 + (lists + 1) * tableMb * 3 / 2) + "m";
    }

    static final class Emulator implements AutoCloseable {
        private final Process process;
        private final int port;
        private final HttpClient http = HttpClient.newHttpClient();

        private Emulator(Process process, int port) {
            this.process = process;
            this.port = port;
        }

        static Emulator start(Path log) throws IOException, InterruptedException {
            return start(log, "1g");
        }

        static Emulator start(Path log, String heap) throws IOException, InterruptedException {
            int port;
            try (ServerSocket socket = new ServerSocket(0)) {
                port = socket.getLocalPort();
            }
            List<String> command = tool(heap, "emulator", "--port", Integer.toString(port), "--compact-membership");
            Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            Emulator emulator = new Emulator(process, port);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (true) {
                try {
                    emulator.lists();
                    return emulator;
                } catch (IOException e) {
                    if (!process.isAlive() || System.nanoTime() > deadline) {
                        process.destroyForcibly();
                        throw new IOException("the emulator did not start: " + Files.readString(log), e);
                    }
                    Thread.sleep(100);
                }
            }
        }

        String baseUrl() {
            return "http://127.0.0.1:" + port + "/v5";
        }

        JsonNode lists() throws IOException, InterruptedException {
            HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/_emulator/lists"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            return Json.MAPPER.readTree(answer.body());
        }

        long memberCount(String listId) throws IOException, InterruptedException {
            for (JsonNode list : lists()) {
                if (list.path("id").asText().equals(listId)) {
                    return list.path("member_count").asLong();
                }
            }
            return -1;
        }

        @Override
        public void close() throws InterruptedException {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }
}
