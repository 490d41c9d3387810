package io.audiencesync.observe;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.LoggingEvent;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class StatusLineTest {

    @Test
    void aLogLineWrittenWhileABarIsShownStartsOnACleanLine() {
        LoggerContext context = new LoggerContext();
        PatternLayoutEncoder pattern = new PatternLayoutEncoder();
        pattern.setContext(context);
        pattern.setPattern("%msg%n");
        MaskingEncoder encoder = new MaskingEncoder();
        encoder.setContext(context);
        encoder.setDelegate(pattern);
        encoder.start();
        LoggingEvent event = new LoggingEvent("x", context.getLogger("x"), ch.qos.logback.classic.Level.INFO, "a log line",
                null, null);

        StatusLine.show(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), "[#####] 5/10 values");
        String first = new String(encoder.encode(event), StandardCharsets.UTF_8);
        String second = new String(encoder.encode(event), StandardCharsets.UTF_8);
        assertThat(first).as("the bar is wiped first").isEqualTo("\r" + " ".repeat(StatusLine.WIDTH) + "\ra log line\n");
        assertThat(second).as("no bar shown any more").isEqualTo("a log line\n");
    }
}
