package io.audiencesync.emulator;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * What one {@code PATCH} of 5000 values costs the emulator, stage by stage: parsing the body, checking the records,
 * adding them to a compact (fingerprint) membership, and the whole call over HTTP. Not a test: run it by hand on a
 * quiet machine after {@code mvn package -DskipTests}:
 *
 * <pre>
 * java -Xmx1g -cp target/test-classes:target/pinterest-audience-sync.jar \
 *     io.audiencesync.emulator.IngestBenchmark [emailPercent]
 * </pre>
 *
 * Values are random 64-digit lowercase hex strings (what SHA-256 digests look like), plus {@code emailPercent}
 * (default 0) percent of short emails. Each stage runs warm-up rounds first; the numbers are the CPU time of one
 * 5000-value call: the median (and the fastest) of the measured rounds, or for the membership, which grows as it
 * goes, the mean of every call. The whole call is measured from the client (wall time) and as the CPU time of the
 * emulator's threads, the JDK server's included.
 */
public final class IngestBenchmark {

    private static final int VALUES_PER_CALL = 5000;
    private static final int ROUNDS = 15;
    /** 7 rounds of 100 calls: 3.5 million members, a table of 2^23 fingerprints (64 MB), beyond the caches. */
    private static final int MEMBERSHIP_ROUNDS = 7;
    private static final int CALLS_PER_ROUND = 100;

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static long sink;

    private IngestBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int emailPercent = args.length > 0 ? Integer.parseInt(args[0]) : 0;
        SplittableRandom random = new SplittableRandom(42);
        System.out.printf("CPU per call of %,d values (%d%% emails), %d rounds of %d calls: median (fastest round)%n",
                VALUES_PER_CALL, emailPercent, ROUNDS, CALLS_PER_ROUND);

        List<byte[]> bodies = new ArrayList<>();
        List<String> recordStrings = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            String records = records(random, emailPercent);
            recordStrings.add(records);
            bodies.add(patchBody(records));
        }

        report("body parse (as a tree)", rounds(() -> {
            for (int i = 0; i < CALLS_PER_ROUND; i++) {
                sink += parseBodyAsTree(bodies.get(i % bodies.size()));
            }
        }));
        report("body parse", rounds(() -> {
            for (int i = 0; i < CALLS_PER_ROUND; i++) {
                sink += parseBody(bodies.get(i % bodies.size()));
            }
        }));
        report("records check", rounds(() -> {
            for (int i = 0; i < CALLS_PER_ROUND; i++) {
                sink += checkRecords(recordStrings.get(i % recordStrings.size()));
            }
        }));
        report("membership add (mean)", membershipAdd(random, emailPercent));
        httpCalls(random, emailPercent);
        if (sink == 42) {
            System.out.println();
        }
    }

    // ---- the stages, as the emulator runs them ----

    private static final ObjectMapper STRICT = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private static final Set<String> PATCH_FIELDS = Set.of("operation_type", "records");

    /** How every body was read before the streaming path, and still is when that path declines: a tree. */
    private static long parseBodyAsTree(byte[] body) {
        return RequestBody.tree(STRICT, body, PATCH_FIELDS).get("records").asText().length();
    }

    private static long parseBody(byte[] body) {
        return RequestBody.read(STRICT, body, PATCH_FIELDS).get("records").asText().length();
    }

    private static long checkRecords(String records) {
        return Records.parse(records, ListType.EMAIL, PinterestEmulator.DEFAULT_MAX_RECORDS_PER_REQUEST).size();
    }

    /**
     * Fingerprints and adds distinct values call after call into one list, as a sync does: 5 warm-up rounds into a throw-away
     * membership, then the measured rounds into a fresh one that grows to
     * {@code MEMBERSHIP_ROUNDS * CALLS_PER_ROUND * 5000} members. The mean over every measured call, growth included.
     */
    private static double membershipAdd(SplittableRandom random, int emailPercent) {
        List<List<String>> calls = new ArrayList<>();
        for (int i = 0; i < CALLS_PER_ROUND; i++) {
            calls.add(Records.parse(records(random, emailPercent), ListType.EMAIL, Integer.MAX_VALUE));
        }
        Membership warm = Membership.fingerprints();
        for (int r = 0; r < 5; r++) {
            for (List<String> values : calls) {
                warm.addAll(values);
            }
        }
        Membership members = Membership.fingerprints();
        double[] perCall = new double[MEMBERSHIP_ROUNDS];
        for (int r = 0; r < MEMBERSHIP_ROUNDS; r++) {
            calls.clear();
            for (int i = 0; i < CALLS_PER_ROUND; i++) {
                calls.add(Records.parse(records(random, emailPercent), ListType.EMAIL, Integer.MAX_VALUE));
            }
            long t0 = cpuNanos();
            for (List<String> values : calls) {
                members.addAll(values);
            }
            perCall[r] = (cpuNanos() - t0) / 1e6 / CALLS_PER_ROUND;
        }
        sink += members.size();
        System.out.printf("  (membership grew to %,d members; per round: %s)%n", members.size(), format(perCall));
        return Arrays.stream(perCall).average().orElseThrow();
    }

    /** PATCHes over loopback to an emulator in this JVM: wall time per call and the emulator threads' CPU per call. */
    private static void httpCalls(SplittableRandom random, int emailPercent) throws Exception {
        try (PinterestEmulator emulator = PinterestEmulator.builder().port(0).compactMembership(true).start()) {
            String listId = emulator.seedCustomerList(PinterestEmulator.DEFAULT_AD_ACCOUNT_ID, "bench", "EMAIL",
                    List.of("seed@example.com"));
            URI uri = URI.create(emulator.baseUrl() + "/ad_accounts/" + PinterestEmulator.DEFAULT_AD_ACCOUNT_ID
                    + "/customer_lists/" + listId);
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            int warmUp = 200;
            int measured = 300;
            double wallMs = 0;
            long cpuNanos = 0;
            for (int i = 0; i < warmUp + measured; i++) {
                byte[] body = patchBody(records(random, emailPercent));
                HttpRequest request = HttpRequest.newBuilder(uri)
                        .header("Authorization", "Bearer " + PinterestEmulator.DEFAULT_ACCESS_TOKEN)
                        .header("Content-Type", "application/json")
                        .method("PATCH", HttpRequest.BodyPublishers.ofByteArray(body))
                        .build();
                long cpu0 = emulatorCpu(threads);
                long t0 = System.nanoTime();
                HttpResponse<String> answer = http.send(request, HttpResponse.BodyHandlers.ofString());
                long t1 = System.nanoTime();
                long cpu1 = emulatorCpu(threads);
                if (answer.statusCode() != 200) {
                    throw new IllegalStateException(answer.statusCode() + " " + answer.body());
                }
                if (i >= warmUp) {
                    wallMs += (t1 - t0) / 1e6;
                    cpuNanos += cpu1 - cpu0;
                }
            }
            report("whole PATCH, wall (mean)", wallMs / measured);
            report("whole PATCH, emulator CPU (mean)", cpuNanos / 1e6 / measured);
            System.out.printf("  (%d warm-up and %d measured calls; list has %,d members)%n", warmUp, measured,
                    emulator.customerLists().get(0).memberCount());
        }
    }

    /** CPU time of the emulator's threads: its handler pool and the JDK server's dispatcher. */
    private static long emulatorCpu(ThreadMXBean threads) {
        long total = 0;
        for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info != null && (info.getThreadName().startsWith("pinterest-emulator-")
                    || info.getThreadName().startsWith("HTTP-Dispatcher"))) {
                total += Math.max(0, threads.getThreadCpuTime(info.getThreadId()));
            }
        }
        return total;
    }

    // ---- data and timing helpers ----

    private static String records(SplittableRandom random, int emailPercent) {
        StringBuilder sb = new StringBuilder(VALUES_PER_CALL * 65);
        for (int i = 0; i < VALUES_PER_CALL; i++) {
            if (i > 0) {
                sb.append(',');
            }
            if (random.nextInt(100) < emailPercent) {
                sb.append("user").append(Long.toUnsignedString(random.nextLong(), 36)).append("@example.com");
            } else {
                for (int j = 0; j < 4; j++) {
                    String hex = Long.toHexString(random.nextLong());
                    sb.append("0".repeat(16 - hex.length())).append(hex);
                }
            }
        }
        return sb.toString();
    }

    private static byte[] patchBody(String records) throws Exception {
        return MAPPER.writeValueAsBytes(java.util.Map.of("operation_type", "ADD", "records", records));
    }

    private interface Round {
        void run() throws Exception;
    }

    /** CPU milliseconds per call of each of {@code ROUNDS} rounds, after 3 warm-up rounds. */
    private static double[] rounds(Round round) throws Exception {
        for (int r = 0; r < 3; r++) {
            round.run();
        }
        double[] perCall = new double[ROUNDS];
        for (int r = 0; r < ROUNDS; r++) {
            long t0 = cpuNanos();
            round.run();
            perCall[r] = (cpuNanos() - t0) / 1e6 / CALLS_PER_ROUND;
        }
        return perCall;
    }

    /**
     * This thread's CPU time: unlike the wall clock, it leaves out the time the thread waits for a core, which on
     * a shared 2-core machine is most of the noise.
     */
    private static long cpuNanos() {
        return ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
    }

    private static double medianOf(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    private static String format(double[] values) {
        StringBuilder sb = new StringBuilder();
        for (double v : values) {
            sb.append(String.format("%.3f ", v));
        }
        return sb.toString().trim();
    }

    private static void report(String stage, double[] msPerCall) {
        System.out.printf("%-28s %8.3f ms  (%.3f)%n", stage, medianOf(msPerCall),
                Arrays.stream(msPerCall).min().orElseThrow());
    }

    private static void report(String stage, double msPerCall) {
        System.out.printf("%-28s %8.3f ms%n", stage, msPerCall);
    }
}
