package io.audiencesync.source;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;

/**
 * Decodes a CSV file strictly and watches what a parser cannot report: the line of the first byte that is not
 * valid in the file's encoding (every character before it is handed out first, so the rows before it are read), a quoted field still
 * open at the end of the file (a parser takes it as a last field that swallows the rest of the file), and whether
 * the file ends with a line end. The quote tracking follows RFC 4180: a quote opens a quoted field only as the
 * field's first character; inside one, a doubled quote is a quote.
 */
final class SnapshotFileReader extends Reader {

    /** The file stopped being valid text in its encoding at {@code line}. */
    static final class NotDecodableException extends IOException {
        NotDecodableException(long line, String encoding) {
            super("line " + line + ": the file is not valid " + encoding + " from this line on (save it as " + encoding
                    + ", or set source.file.encoding to the encoding it is written in, e.g. windows-1252)");
        }
    }

    private final InputStream in;
    private final char separator;
    private final char quote;
    private final CharsetDecoder decoder;
    private final ByteBuffer bytes = ByteBuffer.allocate(1 << 16);
    private final CharBuffer chars = CharBuffer.allocate(1 << 16);
    private boolean endOfInput;
    private boolean flushed;
    private NotDecodableException malformed;

    /** Line of the next character handed out, 1-based. */
    private long line = 1;
    private boolean fieldStart = true;
    private boolean inQuotes;
    /** Inside quotes, the last character was a quote: either a doubled quote or the closing one. */
    private boolean quotePending;
    private long quoteOpenedAt;
    private int last = -1;

    SnapshotFileReader(InputStream in, CsvFormat format) {
        this.in = in;
        this.separator = format.delimiter();
        this.quote = format.quote();
        this.decoder = format.encoding().newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        chars.flip();
    }

    /** The line a quoted field opened on when the file ended inside it, else 0. */
    long openQuoteLine() {
        return inQuotes && !quotePending ? quoteOpenedAt : 0;
    }

    /** Whether the file's last character is a line end (true for an empty file). */
    boolean endsWithLineEnd() {
        return last == -1 || last == '\n' || last == '\r';
    }

    /** Lines handed out so far: the last line's number. */
    long lines() {
        return last == '\n' ? line - 1 : line;
    }

    @Override
    public int read(char[] cbuf, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        while (!chars.hasRemaining()) {
            if (malformed != null) {
                throw malformed;
            }
            if (flushed) {
                return -1;
            }
            fill();
        }
        int n = Math.min(len, chars.remaining());
        chars.get(cbuf, off, n);
        track(cbuf, off, n);
        return n;
    }

    private void fill() throws IOException {
        chars.clear();
        try {
            while (chars.position() == 0 && malformed == null && !flushed) {
                if (!endOfInput) {
                    int read = in.read(bytes.array(), bytes.position(), bytes.remaining());
                    if (read < 0) {
                        endOfInput = true;
                    } else {
                        bytes.position(bytes.position() + read);
                    }
                }
                bytes.flip();
                CoderResult result = decoder.decode(bytes, chars, endOfInput);
                bytes.compact();
                if (result.isError()) {
                    // Hand out what came before the bad bytes; the next read reports them at their line.
                    malformed = new NotDecodableException(lineAfter(chars), decoder.charset().name());
                } else if (endOfInput && bytes.position() == 0 && decoder.flush(chars).isUnderflow()) {
                    flushed = true;
                }
            }
        } finally {
            chars.flip();
        }
    }

    /** The line the bad bytes are on: the lines handed out so far plus the line ends decoded before them. */
    private long lineAfter(CharBuffer decoded) {
        long n = line;
        for (int i = 0; i < decoded.position(); i++) {
            if (decoded.get(i) == '\n') {
                n++;
            }
        }
        return n;
    }

    private void track(char[] cbuf, int off, int len) {
        for (int i = off; i < off + len; i++) {
            char c = cbuf[i];
            if (c == '\uFEFF' && last == -1 && i == off) {
                continue; // a byte order mark is not part of the first field
            }
            if (inQuotes) {
                if (quotePending) {
                    quotePending = false;
                    if (c != quote) {
                        inQuotes = false;
                        outside(c);
                    }
                } else if (c == quote) {
                    quotePending = true;
                } else if (c == '\n') {
                    line++;
                }
            } else {
                outside(c);
            }
        }
        if (len > 0) {
            last = cbuf[off + len - 1];
        }
    }

    private void outside(char c) {
        if (c == '\n') {
            line++;
            fieldStart = true;
        } else if (c == '\r' || c == separator) {
            fieldStart = true;
        } else if (c == quote && fieldStart) {
            inQuotes = true;
            quoteOpenedAt = line;
            fieldStart = false;
        } else {
            fieldStart = false;
        }
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
