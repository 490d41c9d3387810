package io.audiencesync.source;

import io.audiencesync.identity.IdentifierMapping;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CsvSourceTest {

    @TempDir
    Path dir;

    private final CsvSource source = new CsvSource(IdentifierMapping.parse("email=EMAIL,maid=MAID"), 2);

    @Test
    void readsMappedColumnsWithBomCrlfAndRfc4180Quoting() throws IOException {
        Path file = write("\uFEFFid,Email,name,maid\r\n"
                + "1,a@example.com,\"Doe, Jane\",m1\r\n"
                + "2,\"b@example.com\",\"multi\nline\",\r\n"
                + "\r\n"
                + "3,,\"say \"\"hi\"\"\",m3\r\n");
        List<Row> rows = readAll(file);
        assertThat(rows).hasSize(3);
        assertThat(rows.get(0).cells()).containsExactly("a@example.com", "m1");
        assertThat(rows.get(1).cells()).containsExactly("b@example.com", "");
        assertThat(rows.get(2).cells()).containsExactly("", "m3");
        assertThat(rows).extracting(Row::line).containsExactly(2L, 3L, 6L);
    }

    @Test
    void chunksHoldAtMostChunkSizeRows() throws IOException {
        Path file = write("email,maid\na,1\nb,2\nc,3\nd,4\ne,5\n");
        List<Integer> sizes = new ArrayList<>();
        source.snapshot(file).chunks().forEachRemaining(chunk -> sizes.add(chunk.size()));
        assertThat(sizes).containsExactly(2, 2, 1);
    }

    @Test
    void aMissingMappedColumnNamesTheColumn() throws IOException {
        Path file = write("email,phone\na@example.com,1\n");
        // A header these settings cannot read is a configuration problem (not a damaged snapshot): it says what to set.
        assertThatThrownBy(() -> source.snapshot(file).chunks()).isInstanceOf(SnapshotHeaderException.class)
                .hasMessageContaining("no column 'maid'").hasMessageContaining(file.getFileName().toString())
                .hasMessageContaining("its columns are [email, phone]").hasMessageContaining("Set sync.identifiers");
    }

    @Test
    void anEmptyFileIsAFailedSnapshot() throws IOException {
        Path file = write("");
        assertThatThrownBy(() -> source.snapshot(file).chunks()).isInstanceOf(SnapshotReadException.class).hasMessageContaining("empty");
    }

    @Test
    void aRowWithAnotherNumberOfFieldsStopsTheReadNamingItsLine() throws IOException {
        Path file = write("email,maid\na,1\nb,2\nc\nd,4\n");
        Iterator<List<Row>> chunks = source.snapshot(file).chunks();
        assertThat(chunks.next()).hasSize(2);
        assertThatThrownBy(chunks::next).isInstanceOf(SnapshotReadException.class).hasMessageContaining("line 4");
    }

    @Test
    void badQuotingStopsTheReadNamingItsLine() throws IOException {
        Path file = write("email,maid\na,1\n\"b\"x,2\n");
        Iterator<List<Row>> chunks = source.snapshot(file).chunks();
        assertThatThrownBy(() -> chunks.forEachRemaining(c -> { })).isInstanceOf(SnapshotReadException.class)
                .hasMessageContaining("line 3");
    }

    @Test
    void bytesThatAreNotUtf8StopTheRead() throws IOException {
        Path file = dir.resolve("latin1.csv");
        Files.write(file, "email,maid\na,1\nb\u00e9,2\n".getBytes(StandardCharsets.ISO_8859_1));
        assertThatThrownBy(() -> readAll(file)).isInstanceOf(SnapshotReadException.class).hasMessageContaining("not valid UTF-8");
    }

    @Test
    void aQuotedFieldOpenAtTheEndOfTheFileFailsAfterTheRowsBeforeIt() throws IOException {
        Path file = write("email,maid\na,1\nb,2\nc,\"3\nd,4\ne,5\n");
        List<Row> read = new ArrayList<>();
        Iterator<List<Row>> chunks = source.snapshot(file).chunks();
        assertThatThrownBy(() -> chunks.forEachRemaining(read::addAll)).isInstanceOf(SnapshotReadException.class)
                .hasMessageContaining("model.csv").hasMessageContaining("line 4").hasMessageContaining("never closed");
        assertThat(read).extracting(Row::line).startsWith(2L, 3L);
    }

    @Test
    void quotedFieldsThatCloseAreNotMistakenForOpenOnes() throws IOException {
        Path file = write("email,maid\n\"a\",\"say \"\"hi\"\"\"\nb,\"multi\nline\"\nc,x\"y\n");
        assertThat(readAll(file)).hasSize(3);
    }

    @Test
    void aCutOffLastLineFailsUnlessALineEndIsNotRequired() throws IOException {
        Path file = write("email,maid\na,1\nb,2");
        CsvSource relaxed = new CsvSource(IdentifierMapping.parse("email=EMAIL,maid=MAID"), 2, false, CsvFormat.DEFAULT);
        List<Row> relaxedRows = new ArrayList<>();
        relaxed.snapshot(file).chunks().forEachRemaining(relaxedRows::addAll);
        assertThat(relaxedRows).hasSize(2);
        // the default (source.file.require-line-end=true)
        List<Row> read = new ArrayList<>();
        Iterator<List<Row>> chunks = source.snapshot(file).chunks();
        assertThatThrownBy(() -> chunks.forEachRemaining(read::addAll)).isInstanceOf(SnapshotReadException.class)
                .hasMessage("model.csv: line 3: the last line has no line end, so the file may have been cut off"
                        + " (source.file.require-line-end=true); its rows were read and nothing is removed. Write the file again; if its"
                        + " exporter never ends the last line, set source.file.require-line-end=false");
        assertThat(read).as("the rows, the last one perhaps cut: adds may go out, removals do not").hasSize(2);
        assertThat(source.snapshot(write("email,maid\na,1\r\n")).chunks().next()).hasSize(1);
    }

    @Test
    void bytesThatAreNotUtf8AreReportedAtTheirLineAfterTheRowsBeforeThem() throws IOException {
        StringBuilder text = new StringBuilder("email,maid\n");
        for (int i = 0; i < 3_000; i++) {
            text.append("user").append(i).append("@example.com,").append(i).append('\n');
        }
        byte[] good = text.toString().getBytes(StandardCharsets.UTF_8);
        byte[] bad = "b\u00e9,2\nlast,3\n".getBytes(StandardCharsets.ISO_8859_1);
        byte[] all = new byte[good.length + bad.length];
        System.arraycopy(good, 0, all, 0, good.length);
        System.arraycopy(bad, 0, all, good.length, bad.length);
        Path file = dir.resolve("latin1.csv");
        Files.write(file, all);
        List<Row> read = new ArrayList<>();
        Iterator<List<Row>> chunks = new CsvSource(IdentifierMapping.parse("email=EMAIL,maid=MAID"), 100).snapshot(file).chunks();
        assertThatThrownBy(() -> chunks.forEachRemaining(read::addAll)).isInstanceOf(SnapshotReadException.class)
                .hasMessageContaining("line 3002").hasMessageContaining("not valid UTF-8");
        assertThat(read).as("every row before the bad bytes is read").hasSize(3_000);
    }

    @Test
    void aHeaderNamingAMappedColumnTwiceIsAFailedSnapshot() throws IOException {
        Path file = write("email,maid,Email\na,1,b\n");
        assertThatThrownBy(() -> source.snapshot(file).chunks()).isInstanceOf(SnapshotHeaderException.class)
                .hasMessageContaining("'email' twice").hasMessageContaining("columns 1 and 3");
    }

    @Test
    void aFileWithoutAHeaderLineNeverEchoesItsFirstRow() throws IOException {
        Path file = write("0, JANE.DOE@EXAMPLE.COM ,cd613e30-d8f1-4adf-91b7-584a2265b1f5\n1,b@example.com,x\n");
        assertThatThrownBy(() -> source.snapshot(file).chunks()).isInstanceOf(SnapshotHeaderException.class)
                .hasMessageContaining("the first line does not look like a header (3 cells)")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContainIgnoringCase("jane").doesNotContain("cd613e30"));
    }

    @Test
    void aNulByteFailsTheSnapshotAtItsLineAndExactByteOffsetAfterTheRowsBeforeIt() throws IOException {
        StringBuilder text = new StringBuilder("email,maid\n");
        for (int i = 0; i < 3_000; i++) {
            // two-, three- and four-byte characters, across more than one buffer of decoded text
            text.append("j\u00fcrgen").append(i).append("\u20ac\uD83D\uDE00@example.com,").append(i).append('\n');
        }
        byte[] good = text.toString().getBytes(StandardCharsets.UTF_8);
        byte[] padded = java.util.Arrays.copyOf(good, good.length + 4_096); // a file padded with zeros
        Path file = dir.resolve("day1.csv");
        Files.write(file, padded);
        List<Row> read = new ArrayList<>();
        Iterator<List<Row>> chunks = new CsvSource(IdentifierMapping.parse("email=EMAIL,maid=MAID"), 100).snapshot(file).chunks();
        assertThatThrownBy(() -> chunks.forEachRemaining(read::addAll)).isInstanceOf(SnapshotReadException.class)
                .hasMessage("day1.csv: line 3002: a NUL byte (binary data, not text) at byte offset " + good.length + ": the file"
                        + " holds binary data from here on (a file padded with zeros, or a copy that went wrong); the rows"
                        + " before it were read. Write the file again");
        assertThat(read).as("every row before the binary data is read").hasSize(3_000);
    }

    @Test
    void everyControlCharacterButTabLineFeedAndCarriageReturnIsBinaryData() throws IOException {
        for (char c = 0; c <= 0xA0; c++) {
            boolean binary = c < 0x20 && c != '\t' && c != '\n' && c != '\r' || c >= 0x7F && c <= 0x9F;
            if (c == '\n' || c == '\r' || c == ',' || c == '"') {
                continue; // line ends, the delimiter and the quote are the file's structure
            }
            Path file = write("email,maid\na@example.com,1\nb" + c + "@example.com,2\nc@example.com,3\n");
            String hex = String.format("U+%04X", (int) c);
            if (binary) {
                List<Row> read = new ArrayList<>();
                Iterator<List<Row>> chunks = source.snapshot(file).chunks();
                assertThatThrownBy(() -> chunks.forEachRemaining(read::addAll)).as(hex).isInstanceOf(SnapshotReadException.class)
                        .hasMessageStartingWith("model.csv: line 3: " + (c == 0 ? "a NUL byte" : "the control character " + hex)
                                + " (binary data, not text) at byte offset " + (27 + 1));
                assertThat(read).as(hex + ": the row before it").hasSize(1);
            } else {
                assertThat(readAll(file)).as(hex + " is text").hasSize(3);
            }
        }
    }

    @Test
    void aC1ControlInASingleByteEncodingIsBinaryDataAtItsByte() throws IOException {
        CsvSource latin1 = new CsvSource(IdentifierMapping.parse("email=EMAIL,maid=MAID"), 2, true,
                new CsvFormat(',', '"', StandardCharsets.ISO_8859_1));
        Path file = dir.resolve("model.csv");
        Files.write(file, "email,maid\nRen\u00e9e@example.com,1\nb\u0085@example.com,2\n".getBytes(StandardCharsets.ISO_8859_1));
        assertThatThrownBy(() -> latin1.snapshot(file).chunks().forEachRemaining(c -> { }))
                .isInstanceOf(SnapshotReadException.class)
                .hasMessageStartingWith("model.csv: line 3: the control character U+0085 (binary data, not text) at byte offset 32:");
    }

    @Test
    void whereTheByteOffsetIsNotExactTheColumnIsNamed() throws IOException {
        CsvSource utf16 = new CsvSource(IdentifierMapping.parse("email=EMAIL,maid=MAID"), 2, true,
                new CsvFormat(',', '"', StandardCharsets.UTF_16LE));
        Path file = dir.resolve("model.csv");
        Files.write(file, "email,maid\na@example.com,1\nab\u0000c@example.com,2\n".getBytes(StandardCharsets.UTF_16LE));
        assertThatThrownBy(() -> utf16.snapshot(file).chunks().forEachRemaining(c -> { }))
                .isInstanceOf(SnapshotReadException.class).hasMessageStartingWith("model.csv: line 3: a NUL byte (binary data,"
                        + " not text) at column 3:");
    }

    @Test
    void binaryDataInTheHeaderRowIsNamedAsSuch() throws IOException {
        Path file = dir.resolve("model.csv");
        Files.write(file, "email,ma\u0000\u0000\u0000\nx@example.com,1\n".getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> source.snapshot(file).chunks()).isInstanceOf(SnapshotReadException.class)
                .hasMessage("model.csv: line 1: the header holds binary data, not text: a NUL byte at byte offset 8 (a file"
                        + " padded with zeros, a copy that went wrong, or not a CSV file at all); nothing was read. Write the"
                        + " file again");
    }

    @Test
    void binaryDataInAGzipFileIsNamedAtItsOffsetInTheUncompressedData() throws IOException {
        Path file = dir.resolve("model.csv.gz");
        Files.write(file, GzipMembers.member("email,maid\na@example.com,1\n\u0000\u0000\u0000"));
        assertThatThrownBy(() -> readAll(file)).isInstanceOf(SnapshotReadException.class)
                .hasMessageContaining("line 3: a NUL byte (binary data, not text) at byte offset 27 of the uncompressed data:");
    }

    @Test
    void theRowsReadMustBeTheCountTheMarkerVouchesFor() throws IOException {
        CsvSource counted = new CsvSource(IdentifierMapping.parse("email=EMAIL,maid=MAID"), 2, true, CsvFormat.DEFAULT,
                Marker.of("{name}.done"));
        // the header and empty lines are not data rows
        Path file = write("email,maid\na,1\n\nb,2\n\r\nc,3\n");
        Files.writeString(dir.resolve("model.csv.done"), "3\n");
        assertThat(readAll(counted, file)).hasSize(3);

        Files.writeString(dir.resolve("model.csv.done"), "exported by crm\nrows=5\n");
        List<Row> read = new ArrayList<>();
        Iterator<List<Row>> chunks = counted.snapshot(file).chunks();
        assertThatThrownBy(() -> chunks.forEachRemaining(read::addAll)).isInstanceOf(SnapshotReadException.class)
                .hasMessage("model.csv: the file has 3 data rows, but its marker model.csv.done says 5: the file may have been"
                        + " cut off at a line end, or the count is wrong; its rows were read and nothing is removed. Write the"
                        + " file and its marker again");
        assertThat(read).as("every row is read first").hasSize(3);

        Files.writeString(dir.resolve("model.csv.done"), "4");
        assertThatThrownBy(() -> readAll(counted, file)).isInstanceOf(SnapshotReadException.class)
                .hasMessageContaining("the file has 3 data rows, but its marker model.csv.done says 4 (does the count include"
                        + " the header row?): ");
        Files.writeString(dir.resolve("model.csv.done"), "2");
        assertThatThrownBy(() -> readAll(counted, file)).isInstanceOf(SnapshotReadException.class)
                .hasMessageContaining("says 2: ").hasMessageNotContaining("header row");
    }

    @Test
    void aRowsLineThatIsNotACountFailsTheSnapshotNamingTheMarkerBeforeAnyRow() throws IOException {
        CsvSource counted = new CsvSource(IdentifierMapping.parse("email=EMAIL,maid=MAID"), 2, true, CsvFormat.DEFAULT,
                Marker.of("{base}.ok"));
        Path file = write("email,maid\na,1\n");
        Files.writeString(dir.resolve("model.ok"), "rows=one\n");
        assertThatThrownBy(() -> counted.snapshot(file).chunks()).isInstanceOf(SnapshotReadException.class)
                .hasMessage("model.csv: its marker model.ok has a rows line whose value is not a whole number (3 characters);"
                        + " write the marker again with the number of data rows as its only content (12345) or as a line"
                        + " rows=12345, or with no rows line");
    }

    @Test
    void aMarkerWithoutACountChecksNothingAndSaysSoOnce() throws IOException {
        CsvSource counted = new CsvSource(IdentifierMapping.parse("email=EMAIL,maid=MAID"), 2, true, CsvFormat.DEFAULT,
                Marker.of("{name}.done"));
        Path file = write("email,maid\na,1\nb,2\n");
        Files.writeString(dir.resolve("model.csv.done"), "");
        try (io.audiencesync.LogCapture logs = new io.audiencesync.LogCapture()) {
            assertThat(readAll(counted, file)).hasSize(2);
            assertThat(readAll(counted, file)).hasSize(2);
            assertThat(logs.events()).filteredOn(e -> e.getFormattedMessage().contains("holds no row count")).singleElement()
                    .satisfies(e -> assertThat(e.getLevel()).isEqualTo(ch.qos.logback.classic.Level.INFO))
                    .satisfies(e -> assertThat(e.getFormattedMessage()).isEqualTo("model.csv: its marker model.csv.done holds"
                            + " no row count (a whole number, or a line rows=N), so the rows read are not checked against one"
                            + " (said once)"));
        }
    }

    @Test
    void excelsDelimiterHintGivesTheFilesDelimiterAndIsNotARow() throws IOException {
        Path file = write("\uFEFFsep=;\r\nemail;maid\r\na@example.com;1\r\n\"b;x@example.com\";2\r\n");
        try (io.audiencesync.LogCapture logs = new io.audiencesync.LogCapture()) {
            List<Row> rows = readAll(file);
            assertThat(rows).extracting(r -> r.cells()[0]).containsExactly("a@example.com", "b;x@example.com");
            assertThat(rows).extracting(Row::line).as("file lines: the hint is line 1, the header line 2").containsExactly(3L, 4L);
            assertThat(logs.events()).filteredOn(e -> e.getFormattedMessage().contains("delimiter hint")).singleElement()
                    .satisfies(e -> assertThat(e.getLevel()).isEqualTo(ch.qos.logback.classic.Level.INFO))
                    .satisfies(e -> assertThat(e.getFormattedMessage()).isEqualTo("model.csv: its first line is Excel's"
                            + " delimiter hint sep=;: the file is read with the delimiter ';' (instead of"
                            + " source.file.delimiter=comma), its header is line 2"));
        }
    }

    @Test
    void afterADelimiterHintQuotesAreFollowedWithItsDelimiter() throws IOException {
        // With ',' the quote after ';' would not open a field; with the hint's ';' it does, and is never closed.
        Path file = write("sep=;\nemail;maid\na@example.com;1\nc@example.com;\"2\nd@example.com;3\n");
        assertThatThrownBy(() -> readAll(file)).isInstanceOf(SnapshotReadException.class)
                .hasMessageStartingWith("model.csv: line 4: a quoted field opens here and is never closed");
    }

    @Test
    void aFirstLineThatIsNotExactlyAHintIsTheHeader() throws IOException {
        CsvSource oneColumn = new CsvSource(IdentifierMapping.parse("sep=EMAIL"), 2);
        assertThat(readAll(oneColumn, write("sep\na@example.com\n"))).hasSize(1);
        for (String first : new String[] {"sep=", "sep=;;", "SEP=;", " sep=;"}) {
            assertThatThrownBy(() -> source.snapshot(write(first + "\nemail;maid\na;1\n")).chunks()).as(first)
                    .isInstanceOf(SnapshotHeaderException.class).hasMessageStartingWith("model.csv: line 1: ");
        }
        assertThatThrownBy(() -> source.snapshot(write("sep=|\nemail;maid\na;1\n")).chunks())
                .isInstanceOf(SnapshotHeaderException.class)
                .hasMessage("model.csv: line 2: the header is not separated by '|' (the file's line 1, sep=|) but by ';':"
                        + " write the file's line 1 as sep=;, or without it set source.file.delimiter=semicolon");
    }

    @Test
    void twoWholeGzipMembersAreReadCompletely() throws IOException {
        Path file = dir.resolve("model.csv.gz");
        Files.write(file, GzipMembers.twoMembers("email,maid\n" + lines(0, 100), lines(100, 2_000), GzipMembers.Fault.NONE));
        assertThat(readAll(file)).as("the rows of both members").hasSize(2_000);
    }

    @Test
    void aDamagedOrCutSecondGzipMemberOrGarbageAfterTheLastOneFailsNamingTheCompressedOffset() throws IOException {
        byte[] first = GzipMembers.member("email,maid\n" + lines(0, 100));
        for (GzipMembers.Fault fault : List.of(GzipMembers.Fault.DAMAGED_HEADER, GzipMembers.Fault.CUT_IN_HEADER,
                GzipMembers.Fault.CUT_IN_DATA, GzipMembers.Fault.FLIPPED_BYTE_IN_DATA, GzipMembers.Fault.GARBAGE_AFTER_LAST_MEMBER)) {
            Path file = dir.resolve("model.csv.gz");
            byte[] bytes = GzipMembers.twoMembers("email,maid\n" + lines(0, 100), lines(100, 2_000), fault);
            Files.write(file, bytes);
            List<Row> read = new ArrayList<>();
            Iterator<List<Row>> chunks = new CsvSource(IdentifierMapping.parse("email=EMAIL,maid=MAID"), 50).snapshot(file).chunks();
            Throwable thrown = org.assertj.core.api.Assertions.catchThrowable(() -> chunks.forEachRemaining(read::addAll));
            assertThat(thrown).as(fault.name()).isInstanceOf(SnapshotReadException.class)
                    .hasMessageStartingWith("model.csv.gz: the gzip data is damaged or cut off (")
                    .hasMessageContaining("of the compressed file; the rows before it were read. Compress the file again,"
                            + " or drop it uncompressed as .csv");
            long offset = Long.parseLong(thrown.getMessage().replaceAll(".* at byte (\\d+) of the compressed file.*", "$1"));
            assertThat(offset).as(fault + ": where the fault is, in the second member or after it")
                    .isGreaterThan(first.length).isLessThanOrEqualTo(bytes.length);
            assertThat(read).as(fault + ": the rows before the fault are read").hasSizeBetween(100, 2_000);
        }
        assertThat(catchMessage(GzipMembers.Fault.GARBAGE_AFTER_LAST_MEMBER))
                .contains("(bytes after the last gzip member that are not a gzip member)");
        assertThat(catchMessage(GzipMembers.Fault.CUT_IN_HEADER)).contains("(the file ends inside a gzip member)");
    }

    @Test
    void aFileThatIsNotGzipDataFailsAtItsFirstHeader() throws IOException {
        Path file = dir.resolve("model.csv.gz");
        Files.writeString(file, "email,maid\na,1\n");
        assertThatThrownBy(() -> readAll(file)).isInstanceOf(SnapshotReadException.class)
                .hasMessageContaining("the gzip data is damaged or cut off (Input is not in the .gz format) in the gzip header at"
                        + " byte 0 of the compressed file");
    }

    private String catchMessage(GzipMembers.Fault fault) throws IOException {
        Path file = dir.resolve("model.csv.gz");
        Files.write(file, GzipMembers.twoMembers("email,maid\n" + lines(0, 100), lines(100, 2_000), fault));
        return org.assertj.core.api.Assertions.catchThrowable(() -> readAll(file)).getMessage();
    }

    private static String lines(int from, int to) {
        StringBuilder text = new StringBuilder();
        for (int i = from; i < to; i++) {
            text.append("user").append(i).append("@example.com,").append(i).append('\n');
        }
        return text.toString();
    }

    private List<Row> readAll(Path file) {
        return readAll(source, file);
    }

    private static List<Row> readAll(CsvSource source, Path file) {
        List<Row> rows = new ArrayList<>();
        source.snapshot(file).chunks().forEachRemaining(rows::addAll);
        return rows;
    }

    private Path write(String text) throws IOException {
        Path file = dir.resolve("model.csv");
        Files.writeString(file, text, StandardCharsets.UTF_8);
        return file;
    }
}
