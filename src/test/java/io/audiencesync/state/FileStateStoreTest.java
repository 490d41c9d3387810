package io.audiencesync.state;

import java.nio.file.Path;

class FileStateStoreTest extends StateStoreContract {

    @Override
    StateStore newStore(Path dir, int sortBufferValues) {
        return new FileStateStore(dir.resolve("state"), sortBufferValues);
    }
}
