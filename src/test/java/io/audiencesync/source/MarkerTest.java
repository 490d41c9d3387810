package io.audiencesync.source;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MarkerTest {

    @TempDir
    Path dir;

    @Test
    void theMarkersNameComesFromTheFilesNameOrItsBase() {
        Marker name = Marker.of("{name}.done");
        Marker base = Marker.of("{base}.ok");
        assertThat(name.nameFor("day1.csv")).isEqualTo("day1.csv.done");
        assertThat(name.nameFor("day1.csv.gz")).isEqualTo("day1.csv.gz.done");
        assertThat(base.nameFor("day1.csv")).isEqualTo("day1.ok");
        assertThat(base.nameFor("day1.CSV.GZ")).isEqualTo("day1.ok");
        assertThat(base.beside(dir.resolve("day1.csv"))).isEqualTo(dir.resolve("day1.ok"));
        assertThat(name.isMarker("day1.csv.done")).isTrue();
        assertThat(name.isMarker("day1.csv")).isFalse();
        assertThat(base.isMarker("x.ok")).isTrue();
    }

    @Test
    void aPatternThatNamesNoFileBesideTheSnapshotIsRefused() {
        for (String pattern : new String[] {"done", "../{name}.done", "{base}\\x", "{base}.csv", "{base}.csv.gz"}) {
            assertThatThrownBy(() -> Marker.of(pattern)).as(pattern).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("must name a file beside the snapshot with {name}");
        }
    }

    @Test
    void theCountIsTheWholeContentWhenThatIsOneWholeNumber() {
        assertThat(Marker.rowCount("12345")).isEqualTo(new Marker.RowCount.Rows(12_345));
        assertThat(Marker.rowCount("  12345 \r\n")).isEqualTo(new Marker.RowCount.Rows(12_345));
        assertThat(Marker.rowCount("0\n")).isEqualTo(new Marker.RowCount.Rows(0));
    }

    @Test
    void orALineRowsAmongOthersInAnyCaseWithEqualsOrColon() {
        assertThat(Marker.rowCount("exported=2026-12-01T03:00Z\nrows=42\nsha256=abc\n")).isEqualTo(new Marker.RowCount.Rows(42));
        assertThat(Marker.rowCount("file: day1.csv\r\nRows: 42\r\n")).isEqualTo(new Marker.RowCount.Rows(42));
        assertThat(Marker.rowCount("ROWS = 7")).isEqualTo(new Marker.RowCount.Rows(7));
    }

    @Test
    void anyOtherContentHoldsNoCount() {
        for (String content : new String[] {"", "\n", "done", "12 345", "-5", "+5", "1e3", "{\"rows\": 5}", "rowsets=5", "12345 rows"}) {
            assertThat(Marker.rowCount(content)).as("'%s'", content).isEqualTo(new Marker.RowCount.None());
        }
    }

    @Test
    void aRowsLineWhoseValueIsNotAWholeNumberIsInvalidWithoutShowingIt() {
        assertThat(Marker.rowCount("rows=12,345\n")).isEqualTo(new Marker.RowCount.Invalid(
                "has a rows line whose value is not a whole number (6 characters)"));
        assertThat(Marker.rowCount("rows:\n")).isEqualTo(new Marker.RowCount.Invalid(
                "has a rows line whose value is not a whole number (it is empty)"));
        assertThat(Marker.rowCount("99999999999999999999")).isInstanceOf(Marker.RowCount.Invalid.class);
    }

    @Test
    void theMarkerFileIsReadBesideTheSnapshotAndAMissingOneHoldsNoCount() throws IOException {
        Marker marker = Marker.of("{name}.done");
        Path file = dir.resolve("day1.csv");
        assertThat(marker.rowCount(file)).isEqualTo(new Marker.RowCount.None());
        Files.writeString(dir.resolve("day1.csv.done"), "3\n");
        assertThat(marker.rowCount(file)).isEqualTo(new Marker.RowCount.Rows(3));
    }
}
