using System.Data.Common;
using System.Diagnostics;
using Cluster.Host;

namespace JournalBench;

/// <summary>
/// The raw limit: one loop of INSERTs, one transaction per batch, into a table shaped like the plugin's journal
/// (same columns, same unique (persistence_id, sequence_number)), with the payloads the domains write. Each database
/// gets its fastest plain form: SQLite a prepared one-row statement run once per row (in-process, no round trips;
/// binding thousands of named parameters of a multi-row statement costs more than the rows), PostgreSQL one
/// multi-row statement per batch (one round trip).
/// </summary>
public static class RawInsert
{
    public const string Table = "raw_journal";

    private static string CreateTable(string kind) => kind == "sqlite"
        ? $"""
          CREATE TABLE {Table} (
            ordering INTEGER PRIMARY KEY AUTOINCREMENT, deleted INTEGER NOT NULL, persistence_id TEXT NOT NULL,
            sequence_number INTEGER NOT NULL, created INTEGER NOT NULL, tags TEXT, message BLOB NOT NULL,
            identifier INTEGER, manifest TEXT NOT NULL, writer_uuid TEXT,
            UNIQUE (persistence_id, sequence_number))
          """
        : $"""
          CREATE TABLE {Table} (
            ordering BIGSERIAL PRIMARY KEY, deleted BOOLEAN NOT NULL, persistence_id VARCHAR(255) NOT NULL,
            sequence_number BIGINT NOT NULL, created BIGINT NOT NULL, tags VARCHAR(100), message BYTEA NOT NULL,
            identifier INTEGER, manifest VARCHAR(500) NOT NULL, writer_uuid VARCHAR(128),
            UNIQUE (persistence_id, sequence_number))
          """;

    /// <summary>Rows per second written during the measured window, and CPU microseconds per row.</summary>
    public static async Task<(double RowsPerSecond, double CpuUsPerRow)> RunAsync(BenchDatabase database, DatabaseSetup db, IReadOnlyList<Payload> payloads,
        int batchSize, int domains, TimeSpan warmup, TimeSpan measure)
    {
        await using var connection = database.Connect(db);
        await connection.OpenAsync();
        await using (var create = connection.CreateCommand())
        {
            create.CommandText = CreateTable(database.Kind);
            await create.ExecuteNonQueryAsync();
        }
        var rowsPerStatement = database.Kind == "sqlite" ? 1 : batchSize;
        await using var insert = BatchInsert(connection, database.Kind, rowsPerStatement);
        var writer = Guid.NewGuid().ToString();
        long row = 0;
        var clock = Stopwatch.StartNew();
        CpuClock? measured = null;
        long measuredFrom = 0;
        var end = warmup + measure;
        while (clock.Elapsed < end)
        {
            if (measured is null && clock.Elapsed >= warmup) (measured, measuredFrom) = (CpuClock.Start(), row);
            await using var tx = await connection.BeginTransactionAsync();
            insert.Transaction = tx;
            for (var i = 0; i < batchSize; i++, row++)
            {
                var at = i % rowsPerStatement * 8;
                var p = payloads[(int)(row / domains % payloads.Count)];
                var values = insert.Parameters;
                values[at].Value = "domain-" + (row % domains).ToString("D5");
                values[at + 1].Value = row / domains + 1;
                values[at + 2].Value = DateTime.UtcNow.Ticks;
                values[at + 3].Value = p.Bytes;
                values[at + 4].Value = Actors.Domains.Serialization.DomainEventSerializer.SerializerId;
                values[at + 5].Value = p.Manifest;
                values[at + 6].Value = writer;
                values[at + 7].Value = false;
                if (at == (rowsPerStatement - 1) * 8) await insert.ExecuteNonQueryAsync();
            }
            await tx.CommitAsync();
        }
        var (seconds, cpuUs) = (measured ?? throw new InvalidOperationException("the measured window never started")).Elapsed();
        return ((row - measuredFrom) / seconds, cpuUs / Math.Max(1, row - measuredFrom));
    }

    private static DbCommand BatchInsert(DbConnection connection, string kind, int rows)
    {
        var command = connection.CreateCommand();
        var marker = kind == "sqlite" ? "$" : "@";
        var tuples = Enumerable.Range(0, rows).Select(r =>
        {
            string P(int k) => $"{marker}p{r * 8 + k}";
            return $"({P(7)}, {P(0)}, {P(1)}, {P(2)}, NULL, {P(3)}, {P(4)}, {P(5)}, {P(6)})";
        });
        command.CommandText = $"INSERT INTO {Table} (deleted, persistence_id, sequence_number, created, tags, message, identifier, manifest, writer_uuid) VALUES "
                              + string.Join(", ", tuples);
        for (var i = 0; i < rows * 8; i++)
        {
            var p = command.CreateParameter();
            p.ParameterName = $"{marker}p{i}";
            command.Parameters.Add(p);
        }
        return command;
    }
}
