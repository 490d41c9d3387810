package io.audiencesync.cli;

import io.audiencesync.identity.Normalizer;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.UUID;

/**
 * The benchmark's model: {@code customer_id,email,maid,idfa} rows with the dirt real exports have. Row {@code i}
 * is a pure function of {@code i}, so a churned model is the same rows minus some plus new ones. Per row: an email
 * (2% invalid, 5% pre-hashed SHA-256 in upper or lower case, the rest plain with mixed case and stray spaces), a
 * MAID in 40% of rows (1 in 200 of them the all-zero id), an IDFA in 20% (upper case, as iOS prints them).
 */
final class SyntheticModel {

    static final String MAPPING = "email=EMAIL,maid=MAID,idfa=IDFA";
    static final String HEADER = "customer_id,email,maid,idfa\n";

    private SyntheticModel() {
    }

    /** Rows {@code 0..rows-1}. */
    static void write(Path file, long rows) throws IOException {
        write(file, rows, 0);
    }

    /**
     * Rows {@code 0..rows-1} less those churned, plus as many new rows from {@code rows} on.
     *
     * @param churnPercent the share of rows replaced, 0 to 100 (fractions allowed)
     * @return the number of rows replaced
     */
    static long write(Path file, long rows, double churnPercent) throws IOException {
        long threshold = Math.round(churnPercent * 100);
        long replaced = 0;
        try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            char[] buf = new char[1 << 20];
            StringBuilder line = new StringBuilder(256);
            out.write(HEADER);
            for (long i = 0; i < rows; i++) {
                if (Long.remainderUnsigned(mix(i ^ 0x5eed), 10_000) < threshold) {
                    replaced++;
                    continue;
                }
                row(i, line, out, buf);
            }
            for (long i = rows; i < rows + replaced; i++) {
                row(i, line, out, buf);
            }
        }
        return replaced;
    }

    private static void row(long i, StringBuilder line, BufferedWriter out, char[] buf) throws IOException {
        line.setLength(0);
        line.append(i).append(',');
        long r = mix(i);
        int pick = (int) Long.remainderUnsigned(r, 1000);
        if (pick < 20) {
            line.append("not-an-email-").append(i);
        } else if (pick < 70) {
            String digest = Normalizer.sha256("hashed" + i + "@example.com");
            line.append(pick < 45 ? digest.toUpperCase(Locale.ROOT) : digest);
        } else {
            String email = "user" + i + "@example.com";
            if ((r >>> 10 & 7) == 0) {
                email = "User" + i + "@Example.COM";
            }
            line.append((r >>> 13 & 15) == 0 ? "  " + email + " " : email);
        }
        line.append(',');
        long device = mix(r);
        if (Long.remainderUnsigned(device, 100) < 40) {
            if (Long.remainderUnsigned(device >>> 8, 200) == 0) {
                line.append("00000000-0000-0000-0000-000000000000");
            } else {
                line.append(new UUID(mix(device), mix(device + 1)));
            }
        }
        line.append(',');
        long ios = mix(device);
        if (Long.remainderUnsigned(ios, 100) < 20) {
            line.append(new UUID(mix(ios), mix(ios + 1)).toString().toUpperCase(Locale.ROOT));
        }
        line.append('\n');
        int n = line.length();
        line.getChars(0, n, buf, 0);
        out.write(buf, 0, n);
    }

    /** SplitMix64's finalizer: a well-spread 64-bit function of the row number. */
    static long mix(long z) {
        z += 0x9e3779b97f4a7c15L;
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }
}
