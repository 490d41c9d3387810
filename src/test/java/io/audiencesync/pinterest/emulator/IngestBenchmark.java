package io.audiencesync.pinterest.emulator;

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
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * What one {@code PATCH} of 5000 values costs the emulator, stage by stage: parsing the body, checking the records,
 * adding them to a compact (fingerprint) membership, and the whole call over HTTP. Not a test: run it by hand on a
 * quiet machine after {@code mvn package -DskipTests}:
 *
 * <pre>
 * java -Xmx1g -cp target/test-classes:target/pinterest-audience-sync.jar \
 *     io.audiencesync.pinterest.emulator.IngestBenchmark [emailPercent]
 * </pre>
 *
 * Values are random 64-digit lowercase hex strings (what SHA-256 digests look like), plus {@code emailPercent}
 * (default 0) percent of short emails. Each stage runs warm-up rounds first; the numbers are per 5000-value call,
 * the median of the measured rounds.
 */
public final class IngestBenchmark {

    private static final int VALUES_PER_CALL = 5000;
    private static final int ROUNDS = 7;
    private static final int CALLS_PER_ROUND = 100;

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static long sink;

    private IngestBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int emailPercent = args.length > 0 ? Integer.parseInt(args[0]) : 0;
        SplittableRandom random = new SplittableRandom(42);
        System.out.printf("per call of %,d values (%d%% emails), median of %d rounds of %d calls%n", VALUES_PER_CALL,
                emailPercent, ROUNDS, CALLS_PER_ROUND);

        List<byte[]> bodies = new ArrayList<>();
        List<String> recordStrings = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            String records = records(random, emailPercent);
            recordStrings.add(records);
            bodies.add(patchBody(records));
        }

        report("body parse", median(() -> {
            for (int i = 0; i < CALLS_PER_ROUND; i++) {
                sink += parseBody(bodies.get(i % bodies.size()));
            }
        }));
        report("records check", median(() -> {
            for (int i = 0; i < CALLS_PER_ROUND; i++) {
                sink += checkRecords(recordStrings.get(i % recordStrings.size()));
            }
        }));
        report("membership add", membershipAdd(random, emailPercent));
        httpCalls(random, emailPercent);
        if (sink == 42) {
            System.out.println();
        }
    }

    // ---- the stages, as the emulator runs them ----

    private static final ObjectMapper STRICT = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private static long parseBody(byte[] body) throws Exception {
        return STRICT.readTree(body).get("records").asText().length();
    }

    private static long checkRecords(String records) {
        return Records.parse(records, ListType.EMAIL, PinterestEmulator.DEFAULT_MAX_RECORDS_PER_REQUEST).size();
    }

    /**
     * Adds distinct values call after call into one list, as a sync does: 5 warm-up rounds into a throw-away
     * membership, then the measured rounds into a fresh one that grows to {@code ROUNDS * CALLS_PER_ROUND * 5000}
     * members, growth included.
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
        double[] perCall = new double[ROUNDS];
        for (int r = 0; r < ROUNDS; r++) {
            calls.clear();
            for (int i = 0; i < CALLS_PER_ROUND; i++) {
                calls.add(Records.parse(records(random, emailPercent), ListType.EMAIL, Integer.MAX_VALUE));
            }
            long t0 = System.nanoTime();
            for (List<String> values : calls) {
                members.addAll(values);
            }
            perCall[r] = (System.nanoTime() - t0) / 1e6 / CALLS_PER_ROUND;
        }
        sink += members.size();
        System.out.printf("  (membership grew to %,d members; per round: %s)%n", members.size(), rounds(perCall));
        return medianOf(perCall);
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
            report("whole PATCH, wall", wallMs / measured);
            report("whole PATCH, emulator CPU", cpuNanos / 1e6 / measured);
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

    /** Milliseconds per call: 3 warm-up rounds, then the median of {@code ROUNDS}. */
    private static double median(Round round) throws Exception {
        for (int r = 0; r < 3; r++) {
            round.run();
        }
        double[] perCall = new double[ROUNDS];
        for (int r = 0; r < ROUNDS; r++) {
            long t0 = System.nanoTime();
            round.run();
            perCall[r] = (System.nanoTime() - t0) / 1e6 / CALLS_PER_ROUND;
        }
        return medianOf(perCall);
    }

    private static double medianOf(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    private static String rounds(double[] values) {
        StringBuilder sb = new StringBuilder();
        for (double v : values) {
            sb.append(String.format("%.3f ", v));
        }
        return sb.toString().trim();
    }

    private static void report(String stage, double msPerCall) {
        System.out.printf("%-28s %8.3f ms%n", stage, msPerCall);
    }
}
