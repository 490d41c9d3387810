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
 * valid in the file's encoding, and of the first character no text holds (NUL or another control character: binary
 * data, such as a file padded with zeros), where every character before it is handed out first, so the rows before it
 * are read; a quoted field still open at the end of the file (a parser takes it as a last field that swallows the rest
 * of the file), whether the file ends with a line end, and whether its first line is Excel's delimiter hint
 * ({@code sep=;}). The quote tracking follows RFC 4180: a quote opens a quoted field only as the field's first
 * character; inside one, a doubled quote is a quote.
 */
final class SnapshotFileReader extends Reader {

    /** The file stopped being valid text in its encoding at {@code line}. */
    static final class NotDecodableException extends IOException {
        NotDecodableException(long line, String encoding) {
            super("line " + line + ": the file is not valid " + encoding + " from this line on (save it as " + encoding
                    + ", or set source.file.encoding to the encoding it is written in, e.g. windows-1252)");
        }
    }

    /**
     * The file holds a character no text holds: NUL, or a control character other than TAB, LF and CR (U+0001-U+0008,
     * U+000B, U+000C, U+000E-U+001F, U+007F, U+0080-U+009F). Where it is: its line, and its byte offset (from 0) in
     * the file's text where that is exact and cheap (UTF-8 and single-byte encodings), else its column.
     */
    static final class BinaryDataException extends IOException {
        private final long line;
        private final long byteOffset;
        private final long column;
        private final char character;

        BinaryDataException(long line, long byteOffset, long column, char character) {
            super("line " + line + ": binary data");
            this.line = line;
            this.byteOffset = byteOffset;
            this.column = column;
            this.character = character;
        }

        long line() {
            return line;
        }

        /** {@code a NUL byte}, {@code the control character U+001A}. */
        String what() {
            return character == 0 ? "a NUL byte" : String.format("the control character U+%04X", (int) character);
        }

        /** {@code at byte offset 1234}, or {@code at column 17} where the byte offset is not known. */
        String where(boolean compressed) {
            return byteOffset >= 0 ? "at byte offset " + byteOffset + (compressed ? " of the uncompressed data" : "")
                    : "at column " + column;
        }
    }

    private final InputStream in;
    private char separator;
    private final char quote;
    private final CharsetDecoder decoder;
    private final ByteBuffer bytes = ByteBuffer.allocate(1 << 16);
    private final CharBuffer chars = CharBuffer.allocate(1 << 16);
    /** Bytes per character when exactly one (ISO-8859-1, windows-1252), 0 for UTF-8, -1 when neither. */
    private final int bytesPerChar;
    private boolean endOfInput;
    private boolean flushed;
    /** What stopped the text (bytes not valid in the encoding, binary data): thrown once what came before is handed out. */
    private IOException fault;
    /** Bytes the decoder consumed before the characters in {@link #chars}, and for them. */
    private long bytesBefore;
    private long batchBytes;
    /** Characters handed out since the last line end, for a column. */
    private long columnCarry;
    /** The first line while it may still be Excel's delimiter hint ({@code sep=;}); null once decided. */
    private StringBuilder firstLine = new StringBuilder(8);
    /** The delimiter the file's first line gives ({@code sep=X}), or 0. */
    private char delimiterHint;

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
        java.nio.charset.Charset charset = format.encoding();
        this.bytesPerChar = charset.equals(java.nio.charset.StandardCharsets.UTF_8) ? 0
                : charset.canEncode() && charset.newEncoder().maxBytesPerChar() == 1.0f ? 1 : -1;
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

    /**
     * The delimiter a first line {@code sep=X} gives (Excel writes {@code sep=;} so that it opens the file right), or 0;
     * known once the first line was handed out. From its line end on, the quotes are followed with that delimiter.
     */
    char delimiterHint() {
        return delimiterHint;
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
            if (fault != null) {
                throw fault;
            }
            if (flushed) {
                return -1;
            }
            fill();
        }
        int n = Math.min(len, chars.remaining());
        int index = chars.position();
        chars.get(cbuf, off, n);
        if (firstLine != null) {
            firstLine(cbuf, off, n);
        }
        int text = track(cbuf, off, n);
        if (text < n) {
            // Binary data: hand out what came before it; the next read reports it at its line (it comes before any
            // bytes not valid in the encoding that the decoder may have found further on).
            index += text;
            fault = new BinaryDataException(line, byteOffsetOf(index), columnOf(index), cbuf[off + text]);
            chars.position(chars.limit());
            if (text == 0) {
                throw fault;
            }
        }
        return text;
    }

    private void fill() throws IOException {
        carry();
        chars.clear();
        try {
            while (chars.position() == 0 && fault == null && !flushed) {
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
                int consumed = bytes.position();
                bytes.compact();
                if (result.isError()) {
                    // Hand out what came before the bad bytes; the next read reports them at their line.
                    fault = new NotDecodableException(lineAt(chars.position()), decoder.charset().name());
                } else if (endOfInput && bytes.position() == 0 && decoder.flush(chars).isUnderflow()) {
                    flushed = true;
                }
                if (chars.position() == 0) {
                    bytesBefore += consumed;
                } else {
                    batchBytes = consumed;
                }
            }
        } finally {
            chars.flip();
        }
    }

    /** The line of the decoded character at {@code index}: the lines handed out so far plus the line ends before it. */
    private long lineAt(int index) {
        long n = line;
        char[] decoded = chars.array();
        for (int i = 0; i < index; i++) {
            if (decoded[i] == '\n') {
                n++;
            }
        }
        return n;
    }

    /** The byte offset of the decoded character at {@code index} in the file's text, or -1 where it is not exact. */
    private long byteOffsetOf(int index) {
        if (bytesPerChar == 1) {
            return bytesBefore + index;
        }
        if (bytesPerChar < 0) {
            return -1;
        }
        long offset = bytesBefore;
        char[] decoded = chars.array();
        for (int i = 0; i < index; i++) {
            char c = decoded[i];
            // UTF-8: a surrogate pair's four bytes, two for each half
            offset += c < 0x80 ? 1 : c < 0x800 || Character.isSurrogate(c) ? 2 : 3;
        }
        return offset;
    }

    /** The column (from 1) of the decoded character at {@code index}. */
    private long columnOf(int index) {
        char[] decoded = chars.array();
        for (int i = index - 1; i >= 0; i--) {
            if (decoded[i] == '\n') {
                return index - i;
            }
        }
        return columnCarry + index + 1;
    }

    /** Before the next characters are decoded: the bytes of those handed out, and how many came after their line's start. */
    private void carry() {
        bytesBefore += batchBytes;
        batchBytes = 0;
        int end = chars.limit();
        char[] decoded = chars.array();
        int i = end - 1;
        while (i >= 0 && decoded[i] != '\n') {
            i--;
        }
        columnCarry = i < 0 ? columnCarry + end : end - 1 - i;
    }

    /** Collects the first line until its line end, then decides whether it is a delimiter hint: exactly {@code sep=X}. */
    private void firstLine(char[] cbuf, int off, int len) {
        for (int i = off; i < off + len && firstLine != null; i++) {
            char c = cbuf[i];
            if (c == '\n') {
                String line = firstLine.toString();
                line = line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
                char hint = line.length() == 5 && line.startsWith("sep=") ? line.charAt(4) : 0;
                if (hint != 0 && hint != quote && hint != '\r') {
                    delimiterHint = hint;
                    separator = hint;
                }
                firstLine = null;
            } else if (c == '\uFEFF' && last == -1 && i == off && firstLine.length() == 0) {
                continue; // a byte order mark
            } else if (firstLine.length() < 6) {
                firstLine.append(c);
            } else {
                firstLine = null; // longer than sep=X and a CR
            }
        }
    }

    /**
     * Follows the quoting and the lines of the characters handed out, and checks each is text: returns how many are,
     * {@code len} unless binary data comes first. One pass over the characters does both.
     */
    private int track(char[] cbuf, int off, int len) {
        int end = off + len;
        for (int i = off; i < end; i++) {
            char c = cbuf[i];
            if (c < 0x20 ? c != '\t' && c != '\n' && c != '\r' : c >= 0x7F && c <= 0x9F) {
                end = i;
                break;
            }
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
        if (end > off) {
            last = cbuf[end - 1];
        }
        return end - off;
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
