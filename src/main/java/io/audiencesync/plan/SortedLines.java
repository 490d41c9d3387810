package io.audiencesync.plan;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * Reads a file of wire lines in order, one line of look-ahead, so two sorted files can be merged.
 * A missing file reads as empty (a list with no state yet).
 */
final class SortedLines implements Iterator<String>, AutoCloseable {

    private final BufferedReader reader;
    private String next;

    SortedLines(Path file) {
        try {
            this.reader = Files.exists(file) ? Files.newBufferedReader(file, StandardCharsets.UTF_8) : null;
            this.next = reader == null ? null : reader.readLine();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    private SortedLines() {
        this.reader = null;
        this.next = null;
    }

    static SortedLines empty() {
        return new SortedLines();
    }

    @Override
    public boolean hasNext() {
        return next != null;
    }

    String peek() {
        return next;
    }

    @Override
    public String next() {
        if (next == null) {
            throw new NoSuchElementException();
        }
        String current = next;
        try {
            next = reader.readLine();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return current;
    }

    @Override
    public void close() {
        if (reader != null) {
            try {
                reader.close();
            } catch (IOException ignored) {
                // read-only: nothing is lost when closing fails
            }
        }
    }
}
