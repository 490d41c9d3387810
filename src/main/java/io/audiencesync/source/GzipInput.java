package io.audiencesync.source;

import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;

/**
 * A {@code *.csv.gz} file read to its very end: every gzip member (a {@code cat a.gz b.gz} file has two) is checked
 * to its trailer (CRC-32 and size), and anything after the last member that is not a whole member is an error.
 * java.util.zip's GZIPInputStream ends quietly at a member whose header it cannot read and takes trailing bytes for
 * the end of the file, so a damaged or cut second member read as a complete, shorter file. Every fault is a
 * {@link DamagedException} naming the compressed byte offset.
 */
final class GzipInput extends InputStream {

    /** The gzip data is damaged or cut off; the message names where, in the compressed file, and what to do. */
    static final class DamagedException extends IOException {
        DamagedException(IOException fault, String where) {
            super("the gzip data is damaged or cut off (" + reason(fault) + ") " + where + "; the rows before it were read."
                    + " Compress the file again, or drop it uncompressed as .csv");
        }
    }

    private final GzipCompressorInputStream in;
    private DamagedException fault;

    private GzipInput(GzipCompressorInputStream in) {
        this.in = in;
    }

    /** Reads the first member's header; a file that does not start as gzip data fails here. */
    static GzipInput open(InputStream raw) throws DamagedException {
        try {
            // A stream with mark and reset lets the decompressor count the compressed bytes it used exactly.
            return new GzipInput(GzipCompressorInputStream.builder().setInputStream(new BufferedInputStream(raw, 1 << 16))
                    .setDecompressConcatenated(true).get());
        } catch (IOException e) {
            try {
                raw.close();
            } catch (IOException ignored) {
                // read-only file: nothing is lost when closing fails
            }
            throw new DamagedException(e, "in the gzip header at byte 0 of the compressed file");
        }
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (fault != null) {
            throw fault;
        }
        long before = in.getUncompressedCount();
        try {
            return in.read(b, off, len);
        } catch (IOException e) {
            // One read runs on across members: what it inflated before the fault (a whole first member) is handed
            // out first, so that its rows are read; the fault comes with the next read.
            fault = damaged(e);
            int inflated = (int) (in.getUncompressedCount() - before);
            if (inflated > 0) {
                return inflated;
            }
            throw fault;
        }
    }

    private DamagedException damaged(IOException e) {
        return new DamagedException(e, "at byte " + in.getCompressedCount() + " of the compressed file");
    }

    private static String reason(IOException fault) {
        if (fault instanceof EOFException) {
            return "the file ends inside a gzip member";
        }
        String message = fault.getMessage() == null ? fault.getClass().getSimpleName() : fault.getMessage().strip();
        if (message.startsWith("Unexpected data after a valid .gz stream")) {
            return "bytes after the last gzip member that are not a gzip member";
        }
        return message.endsWith(".") ? message.substring(0, message.length() - 1) : message;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
