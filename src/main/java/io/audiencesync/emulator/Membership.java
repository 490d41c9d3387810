package io.audiencesync.emulator;

import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The members of one emulated customer list: every value exactly, or only 64-bit fingerprints (benchmarks). Both
 * count the members that {@link Matching} matches as they join and leave, so an audience's size never needs a pass
 * over the whole list.
 */
interface Membership {

    void addAll(Collection<String> values);

    void removeAll(Collection<String> values);

    int size();

    /** How many members have a Pinterest account ({@link Matching}). */
    int matched();

    /** The members, sorted; empty when only fingerprints are kept. */
    Optional<SortedSet<String>> values();

    /** Every value ever removed; empty when only fingerprints are kept. */
    Set<String> removedEver();

    static Membership exact() {
        return new Exact();
    }

    static Membership fingerprints() {
        return new Fingerprints();
    }

    final class Exact implements Membership {
        private final Set<String> members = new HashSet<>();
        private final Set<String> removed = new HashSet<>();
        private int matched;

        @Override
        public void addAll(Collection<String> values) {
            for (String value : values) {
                if (members.add(value) && Matching.matched(value)) {
                    matched++;
                }
            }
        }

        @Override
        public void removeAll(Collection<String> values) {
            // Not Set.removeAll: when the set is the smaller one, it asks values.contains() for each member.
            for (String value : values) {
                if (members.remove(value) && Matching.matched(value)) {
                    matched--;
                }
                removed.add(value);
            }
        }

        @Override
        public int size() {
            return members.size();
        }

        @Override
        public int matched() {
            return matched;
        }

        @Override
        public Optional<SortedSet<String>> values() {
            return Optional.of(new TreeSet<>(members));
        }

        @Override
        public Set<String> removedEver() {
            return Set.copyOf(removed);
        }
    }

    /**
     * An open-addressing set of 64-bit fingerprints (8 bytes a member instead of a String and a hash node, about
     * 150 bytes): a benchmark's 15 million members fit in a small heap. A hex digest's fingerprint is its first 16
     * digits; any other value's is a 64-bit hash of its characters. Counts are exact unless two members share a
     * fingerprint, which for 10^7 random members is about one chance in 10^5.
     */
    final class Fingerprints implements Membership {
        private static final long EMPTY = 0;
        private long[] slots = new long[1 << 16];
        private int size;
        private boolean hasZero;
        private int matched;

        @Override
        public void addAll(Collection<String> added) {
            List<String> values = list(added);
            long[] batch = fingerprints(values);
            // One growth at most, before the batch rather than somewhere in the middle of it.
            reserve(size + batch.length);
            for (int i = 0; i < batch.length; i++) {
                // Only a value that joins is hashed: one sent again, already a member, costs nothing more.
                if (add(batch[i]) && matched(values, i)) {
                    matched++;
                }
            }
        }

        @Override
        public void removeAll(Collection<String> removed) {
            List<String> values = list(removed);
            long[] batch = fingerprints(values);
            for (int i = 0; i < batch.length; i++) {
                if (remove(batch[i]) && matched(values, i)) {
                    matched--;
                }
            }
        }

        @Override
        public int size() {
            return size + (hasZero ? 1 : 0);
        }

        @Override
        public int matched() {
            return matched;
        }

        private static List<String> list(Collection<String> values) {
            return values instanceof List<String> list ? list : List.copyOf(values);
        }

        private static boolean matched(List<String> values, int i) {
            return values instanceof Records.Values parsed ? Matching.matched(parsed, i) : Matching.matched(values.get(i));
        }

        @Override
        public Optional<SortedSet<String>> values() {
            return Optional.empty();
        }

        @Override
        public Set<String> removedEver() {
            return Set.of();
        }

        private static long[] fingerprints(Collection<String> values) {
            long[] fingerprints = new long[values.size()];
            if (values instanceof Records.Values parsed) {
                for (int i = 0; i < fingerprints.length; i++) {
                    fingerprints[i] = fingerprint(parsed, i);
                }
            } else {
                int i = 0;
                for (String value : values) {
                    fingerprints[i++] = fingerprint(value);
                }
            }
            return fingerprints;
        }

        /**
         * {@code fingerprint(values.get(i))}; a digest's is read from the records' bytes where it lies, without a
         * String of its own. The bytes hold a hex digit exactly where the string does.
         */
        static long fingerprint(Records.Values values, int i) {
            byte[] latin1 = values.latin1();
            int start = values.start(i);
            int n = values.end(i) - start;
            if ((n == 32 || n == 40 || n == 64) && AsciiWords.isLowerHex(latin1, start, 16)) {
                return AsciiWords.hexValue16(latin1, start);
            }
            return fingerprint(values.get(i));
        }

        static long fingerprint(String value) {
            int n = value.length();
            if ((n == 32 || n == 40 || n == 64) && isLowerHex(value, 16)) {
                return Long.parseUnsignedLong(value, 0, 16, 16);
            }
            long h = 0xcbf29ce484222325L;
            for (int i = 0; i < n; i++) {
                h = (h ^ value.charAt(i)) * 0x100000001b3L;
            }
            return mix(h);
        }

        private static boolean isLowerHex(String value, int n) {
            for (int i = 0; i < n; i++) {
                char c = value.charAt(i);
                if (!(c >= '0' && c <= '9' || c >= 'a' && c <= 'f')) {
                    return false;
                }
            }
            return true;
        }

        private static long mix(long h) {
            h ^= h >>> 33;
            h *= 0xff51afd7ed558ccdL;
            h ^= h >>> 33;
            return h;
        }

        private int slot(long f) {
            return (int) (mix(f) & (slots.length - 1));
        }

        /** Whether {@code f} was not a member yet. */
        private boolean add(long f) {
            if (f == EMPTY) {
                boolean added = !hasZero;
                hasZero = true;
                return added;
            }
            if ((size + 1) * 4L > slots.length * 3L) {
                grow();
            }
            int i = slot(f);
            while (slots[i] != EMPTY) {
                if (slots[i] == f) {
                    return false;
                }
                i = (i + 1) & (slots.length - 1);
            }
            slots[i] = f;
            size++;
            return true;
        }

        /** Whether {@code f} was a member. */
        private boolean remove(long f) {
            if (f == EMPTY) {
                boolean removed = hasZero;
                hasZero = false;
                return removed;
            }
            int i = slot(f);
            while (slots[i] != EMPTY) {
                if (slots[i] == f) {
                    // Backward-shift deletion keeps every probe chain unbroken without tombstones.
                    int gap = i;
                    int j = (i + 1) & (slots.length - 1);
                    while (slots[j] != EMPTY) {
                        int home = slot(slots[j]);
                        if (((j - home) & (slots.length - 1)) >= ((j - gap) & (slots.length - 1))) {
                            slots[gap] = slots[j];
                            gap = j;
                        }
                        j = (j + 1) & (slots.length - 1);
                    }
                    slots[gap] = EMPTY;
                    size--;
                    return true;
                }
                i = (i + 1) & (slots.length - 1);
            }
            return false;
        }

        private void grow() {
            rehash(slots.length * 2);
        }

        /** Grows the table, once, so that {@code members} members fit without growing again. */
        private void reserve(long members) {
            int length = slots.length;
            while (members * 4 > length * 3L) {
                length *= 2;
            }
            if (length != slots.length) {
                rehash(length);
            }
        }

        private void rehash(int length) {
            long[] old = slots;
            slots = new long[length];
            for (long f : old) {
                if (f != EMPTY) {
                    int i = slot(f);
                    while (slots[i] != EMPTY) {
                        i = (i + 1) & (length - 1);
                    }
                    slots[i] = f;
                }
            }
        }
    }
}
