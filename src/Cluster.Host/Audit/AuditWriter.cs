using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;
using NpgsqlTypes;

namespace Cluster.Host.Audit;

/// <summary>
/// The projection's writes, on a connection of its own for as long as the projection runs. A batch of rows, their
/// tag rows in the journal's tag table, the pools it learned and the new offset commit in one transaction, so
/// after a crash the projection resumes exactly after the last batch that is in the tables: no gap, and no
/// duplicate (the journal ordering is also the tables' key, so a replayed row could not be inserted twice).
/// </summary>
public sealed class AuditWriter : IAsyncDisposable
{
    /// <summary>
    /// SQLite's page cache for the projection's connection (its default is 2 MiB): each event inserts into the
    /// audit table's four indexes and the tag table's three at scattered places, which outgrow 2 MiB by 100,000
    /// events; measured 32,600 events/s with the default, 37,700 with this (100,000 events). synchronous=NORMAL
    /// measured no faster (a batch's commit time is the WAL checkpoint it triggers, not the fsync), so the
    /// connection keeps SQLite's default durability.
    /// </summary>
    private const string SqliteTuning = "PRAGMA cache_size = -65536";

    private readonly DbConnection _connection;
    private readonly bool _postgres;

    private AuditWriter(DbConnection connection, bool postgres) => (_connection, _postgres) = (connection, postgres);

    /// <summary>On SQLite a connection outside the pool, so that its tuning leaves with it (the journal shares the pool).</summary>
    public static async Task<AuditWriter> OpenAsync(AuditDatabase db, CancellationToken ct = default)
    {
        var connection = await db.OpenAsync(ct, pooled: db.Postgres);
        try
        {
            if (!db.Postgres) await AuditDatabase.ExecuteAsync(connection, null, SqliteTuning, ct);
            return new AuditWriter(connection, db.Postgres);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <param name="before">The write of the batch before this one (on another writer), or a completed task. This
    /// batch's rows go in meanwhile, but its pools and offset only once that write has committed, and not at all if it
    /// failed: an offset never passes rows that are not in the tables.</param>
    public async Task WriteAsync(AuditBatch batch, Task before, CancellationToken ct = default)
    {
        await using var tx = await _connection.BeginTransactionAsync(ct);
        if (batch.Rows.Count > 0)
        {
            if (_postgres) await PostgresRowWriter.WriteAsync((NpgsqlConnection)_connection, batch.Rows, ct);
            else SqliteRowWriter.Write((SqliteConnection)_connection, batch.Rows);
        }
        await before;
        if (batch.NewPools.Count > 0) await WritePoolsAsync(tx, batch.NewPools, ct);
        await AuditDatabase.ExecuteAsync(_connection, tx,
            "INSERT INTO audit_offset (projection, ordering) VALUES (@p, @o) ON CONFLICT (projection) DO UPDATE SET ordering = excluded.ordering",
            ct, ("@p", AuditStore.ProjectionName), ("@o", batch.Offset));
        await tx.CommitAsync(ct);
    }

    public ValueTask DisposeAsync() => _connection.DisposeAsync();

    /// <summary>
    /// The pools the batch learned: on PostgreSQL one statement over arrays (a batch of creations teaches one per
    /// domain, each a round trip otherwise); SQLite has no round trips to save.
    /// </summary>
    private async Task WritePoolsAsync(DbTransaction tx, IReadOnlyDictionary<string, string> pools, CancellationToken ct)
    {
        const string upsert = " ON CONFLICT (domain) DO UPDATE SET pool = excluded.pool";
        if (_postgres)
        {
            await using var command = new NpgsqlCommand("INSERT INTO audit_domain_pools (domain, pool) SELECT * FROM unnest(@d, @p)" + upsert,
                (NpgsqlConnection)_connection, (NpgsqlTransaction)tx);
            command.Parameters.Add(new NpgsqlParameter("@d", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = pools.Keys.ToArray() });
            command.Parameters.Add(new NpgsqlParameter("@p", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = pools.Values.ToArray() });
            await command.ExecuteNonQueryAsync(ct);
            return;
        }
        foreach (var (domain, pool) in pools)
            await AuditDatabase.ExecuteAsync(_connection, tx, "INSERT INTO audit_domain_pools (domain, pool) VALUES (@d, @p)" + upsert,
                ct, ("@d", domain), ("@p", pool));
    }
}
