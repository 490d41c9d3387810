package io.audiencesync.state;

import io.audiencesync.identity.IdentifierType;
import io.audiencesync.records.RecordFile;
import io.audiencesync.records.WireRecords;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

class FileStateStoreTest extends StateStoreContract {

    @Override
    StateStore newStore(Path dir, int sortBufferValues) {
        return new FileStateStore(dir.resolve("state"), sortBufferValues);
    }

    private Path members(String listId) {
        return dir.resolve("state/lists/" + listId + "/members.bin");
    }

    @Override
    void damage(Damage damage, String listId) throws Exception {
        Path file = members(listId);
        byte[] bytes = Files.readAllBytes(file);
        switch (damage) {
            // the seal and the last record (d@example.com: 1 kind, 2 length, 13 bytes, 1 type) cut off
            case CUT -> Files.write(file, Arrays.copyOf(bytes, bytes.length - RecordFile.Seal.LENGTH - 17));
            case CHANGED -> {
                bytes[5] ^= 1;
                Files.write(file, bytes);
            }
            case EMPTIED -> Files.write(file, new byte[0]);
            case ADDED -> {
                byte[] extra = WireRecords.encode("z@example.com", IdentifierType.EMAIL);
                byte[] grown = Arrays.copyOf(bytes, bytes.length + extra.length);
                System.arraycopy(extra, 0, grown, bytes.length, extra.length);
                Files.write(file, grown);
            }
        }
    }

    @Override
    void lose(String listId) throws Exception {
        Files.delete(members(listId));
        Files.delete(members(listId).getParent());
    }

    @Override
    String where(String listId) {
        return members(listId).toString();
    }
}
