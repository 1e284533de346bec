using System.Data.Common;
using System.Diagnostics;
using Cluster.Host;

namespace JournalBench;

/// <summary>
/// The raw limit: one loop of INSERTs, one transaction per batch, into a table shaped like the plugin's journal
/// (same columns, same unique (persistence_id, sequence_number), same indexes on created and sequence_number),
/// with the payloads the domains write. Each database
/// gets its fastest plain form: SQLite a prepared one-row statement run once per row (in-process, no round trips;
/// binding thousands of named parameters of a multi-row statement costs more than the rows), PostgreSQL one
/// statement over arrays per batch (one round trip, seven parameters; a multi-row VALUES list binds eight a row and
/// was slower than the node's journal).
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
            UNIQUE (persistence_id, sequence_number));
          {Indexes}
          """
        : $"""
          CREATE TABLE {Table} (
            ordering BIGSERIAL PRIMARY KEY, deleted BOOLEAN NOT NULL, persistence_id VARCHAR(255) NOT NULL,
            sequence_number BIGINT NOT NULL, created BIGINT NOT NULL, tags VARCHAR(100), message BYTEA NOT NULL,
            identifier INTEGER, manifest VARCHAR(500) NOT NULL, writer_uuid VARCHAR(128),
            UNIQUE (persistence_id, sequence_number));
          {Indexes}
          """;

    private const string Indexes =
        $"CREATE INDEX {Table}_created_idx ON {Table} (created); CREATE INDEX {Table}_sequence_number_idx ON {Table} (sequence_number);";

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
        await using var insert = database.Kind == "sqlite" ? SqliteInsert(connection) : PostgresInsert(connection);
        var writer = Guid.NewGuid().ToString();
        insert.Parameters[6].Value = writer;
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
            var rows = Enumerable.Range(0, batchSize).Select(i => row + i).Select(r =>
                (Pid: "domain-" + (r % domains).ToString("D5"), Seq: r / domains + 1, Payload: payloads[(int)(r / domains % payloads.Count)])).ToList();
            row += batchSize;
            var values = insert.Parameters;
            if (database.Kind == "sqlite")
                foreach (var r in rows)
                {
                    (values[0].Value, values[1].Value, values[2].Value, values[3].Value, values[4].Value, values[5].Value) =
                        (r.Pid, r.Seq, DateTime.UtcNow.Ticks, r.Payload.Bytes, Actors.Domains.Serialization.DomainEventSerializer.SerializerId, r.Payload.Manifest);
                    await insert.ExecuteNonQueryAsync();
                }
            else
            {
                values[0].Value = rows.Select(r => r.Pid).ToArray();
                values[1].Value = rows.Select(r => r.Seq).ToArray();
                values[2].Value = rows.Select(_ => DateTime.UtcNow.Ticks).ToArray();
                values[3].Value = rows.Select(r => r.Payload.Bytes).ToArray();
                values[4].Value = rows.Select(_ => Actors.Domains.Serialization.DomainEventSerializer.SerializerId).ToArray();
                values[5].Value = rows.Select(r => r.Payload.Manifest).ToArray();
                await insert.ExecuteNonQueryAsync();
            }
            await tx.CommitAsync();
        }
        var (seconds, cpuUs) = (measured ?? throw new InvalidOperationException("the measured window never started")).Elapsed();
        return ((row - measuredFrom) / seconds, cpuUs / Math.Max(1, row - measuredFrom));
    }

    private const string Columns = "deleted, persistence_id, sequence_number, created, tags, message, identifier, manifest, writer_uuid";

    private static DbCommand SqliteInsert(DbConnection connection) =>
        WithParameters(connection, $"INSERT INTO {Table} ({Columns}) VALUES (0, $p0, $p1, $p2, NULL, $p3, $p4, $p5, $p6)", "$");

    private static DbCommand PostgresInsert(DbConnection connection) =>
        WithParameters(connection, $"""
            INSERT INTO {Table} ({Columns})
            SELECT false, pid, seq, created, NULL, message, id, manifest, @p6
            FROM unnest(@p0::text[], @p1::bigint[], @p2::bigint[], @p3::bytea[], @p4::int[], @p5::text[]) AS r(pid, seq, created, message, id, manifest)
            """, "@");

    private static DbCommand WithParameters(DbConnection connection, string sql, string marker)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        for (var i = 0; i < 7; i++)
        {
            var p = command.CreateParameter();
            p.ParameterName = $"{marker}p{i}";
            command.Parameters.Add(p);
        }
        return command;
    }
}
