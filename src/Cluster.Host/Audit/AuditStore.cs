namespace Cluster.Host.Audit;

/// <summary>Where the projection stands: the last journal ordering it wrote, and the pool of every domain it has seen.</summary>
public sealed record AuditPosition(long Offset, IReadOnlyDictionary<string, string> DomainPools);

/// <summary>
/// Where the projection stands, and its reset for a rebuild; its batches are written by an <see cref="AuditWriter"/>.
/// </summary>
public sealed class AuditStore(AuditDatabase db)
{
    public const string ProjectionName = "audit";

    public AuditDatabase Database => db;

    /// <summary>
    /// Where the projection stands. The tag rows past the offset are cleared in the same transaction: the batches'
    /// writers insert without a conflict check, and such rows exist only when the projection starts again from
    /// before them (a rebuild, from 0) or when they came from elsewhere (an older node's journal tagged events
    /// itself). The offset row is locked (PostgreSQL) or the database is (SQLite) meanwhile, so a batch another
    /// projector commits at that moment is not cleared under its offset.
    /// </summary>
    public async Task<AuditPosition> LoadAsync(CancellationToken ct = default)
    {
        await using var connection = await db.OpenAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        await AuditDatabase.ExecuteAsync(connection, tx,
            "INSERT INTO audit_offset (projection, ordering) VALUES (@p, 0) ON CONFLICT (projection) DO NOTHING", ct, ("@p", ProjectionName));
        long offset;
        await using (var command = AuditDatabase.Command(connection, tx,
                         "SELECT ordering FROM audit_offset WHERE projection = @p" + (db.Postgres ? " FOR UPDATE" : ""), ("@p", ProjectionName)))
            offset = Convert.ToInt64(await command.ExecuteScalarAsync(ct));
        if (await db.TableExistsAsync(connection, tx, "tags", ct))
            await AuditDatabase.ExecuteAsync(connection, tx, "DELETE FROM tags WHERE ordering_id > @o", ct, ("@o", offset));
        var pools = new Dictionary<string, string>(StringComparer.Ordinal);
        await using (var command = AuditDatabase.Command(connection, tx, "SELECT domain, pool FROM audit_domain_pools"))
        await using (var reader = await command.ExecuteReaderAsync(ct))
            while (await reader.ReadAsync(ct)) pools[reader.GetString(0)] = reader.GetString(1);
        await tx.CommitAsync(ct);
        return new AuditPosition(offset, pools);
    }

    /// <summary>
    /// Empties the table, the pools and the offset together: the projection then rebuilds from the journal's start
    /// (and its <see cref="LoadAsync"/> clears the tags).
    /// </summary>
    public async Task ResetAsync(CancellationToken ct = default)
    {
        await using var connection = await db.OpenAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        await AuditDatabase.ExecuteAsync(connection, tx, "DELETE FROM audit; DELETE FROM audit_domain_pools; DELETE FROM audit_offset", ct);
        await tx.CommitAsync(ct);
    }
}
