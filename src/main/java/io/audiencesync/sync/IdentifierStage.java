package io.audiencesync.sync;

import io.audiencesync.identity.Identifier;
import io.audiencesync.identity.IdentifierMapping;
import io.audiencesync.identity.Normalizer;
import io.audiencesync.source.Row;

import java.util.List;

/** Normalizes a chunk of rows into wire values for the snapshot; rejected values go to the rejects file. */
public final class IdentifierStage {

    private final IdentifierMapping mapping;
    private final Normalizer normalizer;

    public IdentifierStage(IdentifierMapping mapping, Normalizer normalizer) {
        this.mapping = mapping;
        this.normalizer = normalizer;
    }

    public void collect(SyncRun run, List<Row> rows) {
        List<IdentifierMapping.Column> columns = mapping.columns();
        for (Row row : rows) {
            run.rowsRead++;
            for (int i = 0; i < columns.size(); i++) {
                IdentifierMapping.Column column = columns.get(i);
                Identifier identifier = normalizer.normalize(column.type(), row.cells()[i]);
                if (identifier instanceof Identifier.Wire wire) {
                    run.snapshot.add(wire.value(), wire.type());
                    run.valuesByType.merge(wire.type(), 1L, Long::sum);
                } else if (identifier instanceof Identifier.Rejected rejected) {
                    run.rejects.write(row.line(), column.name(), rejected);
                    run.rejectedByReason.merge(rejected.reason(), 1L, Long::sum);
                } else {
                    run.emptyCells++;
                }
            }
        }
    }
}
