package io.audiencesync.report;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Appends dead letters, one JSON line per batch, forced to disk before the run goes on. */
public final class DeadLetterWriter {

    private final Path dir;

    public DeadLetterWriter(Path dir) {
        this.dir = dir;
    }

    public Path write(DeadLetter letter) {
        Path file = dir.resolve(letter.runId() + ".jsonl");
        try {
            Files.createDirectories(dir);
            byte[] line = (Json.MAPPER.writeValueAsString(letter) + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8);
            try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                    StandardOpenOption.APPEND)) {
                ByteBuffer buf = ByteBuffer.wrap(line);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(false);
            }
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the dead letter file " + file, e);
        }
    }
}
