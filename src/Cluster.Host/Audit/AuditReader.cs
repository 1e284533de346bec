using System.Data.Common;

namespace Cluster.Host.Audit;

public sealed record AuditCount(string Key, long Count);

/// <summary>Counts over a window: in all, by event type and by principal, largest first.</summary>
public sealed record AuditStats(DateTimeOffset? Since, DateTimeOffset? Until, long Total, IReadOnlyList<AuditCount> ByType,
    IReadOnlyList<AuditCount> ByPrincipal);

/// <summary>Answers audit questions from the indexed table (never from the journal).</summary>
public sealed class AuditReader(AuditDatabase db)
{
    /// <summary>Newest first; oldest first when following (After set). At most Limit rows.</summary>
    public async Task<IReadOnlyList<AuditRow>> ListAsync(AuditQuery query, CancellationToken ct = default)
    {
        var (where, parameters) = query.Where();
        var order = query.After is null ? "DESC" : "ASC";
        parameters.Add(("@limit", query.Limit));
        await using var connection = await db.OpenAsync(ct);
        await using var command = AuditDatabase.Command(connection, null,
            $"SELECT {AuditSchema.Columns} FROM audit{where} ORDER BY ordering {order} LIMIT @limit", [.. parameters]);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var rows = new List<AuditRow>();
        while (await reader.ReadAsync(ct)) rows.Add(Read(reader));
        return rows;
    }

    public async Task<AuditStats> StatsAsync(AuditQuery query, CancellationToken ct = default)
    {
        await using var connection = await db.OpenAsync(ct);
        var byType = await CountAsync(connection, query, "type", ct);
        var byPrincipal = await CountAsync(connection, query, "principal", ct);
        return new AuditStats(query.Since, query.Until, byType.Sum(c => c.Count), byType, byPrincipal);
    }

    /// <summary>The newest row's ordering, 0 when the table is empty: where a follower starts.</summary>
    public async Task<long> LastOrderingAsync(CancellationToken ct = default)
    {
        await using var connection = await db.OpenAsync(ct);
        await using var command = AuditDatabase.Command(connection, null, "SELECT COALESCE(MAX(ordering), 0) FROM audit");
        return Convert.ToInt64(await command.ExecuteScalarAsync(ct));
    }

    private static async Task<List<AuditCount>> CountAsync(DbConnection connection, AuditQuery query, string column, CancellationToken ct)
    {
        var (where, parameters) = query.Where();
        await using var command = AuditDatabase.Command(connection, null,
            $"SELECT {column}, COUNT(*) FROM audit{where} GROUP BY {column} ORDER BY 2 DESC, 1", [.. parameters]);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var counts = new List<AuditCount>();
        while (await reader.ReadAsync(ct)) counts.Add(new AuditCount(reader.GetString(0), reader.GetInt64(1)));
        return counts;
    }

    private static AuditRow Read(DbDataReader r) => new(
        r.GetInt64(0), DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(1)), r.GetString(2), Text(r, 3), Text(r, 4), Text(r, 5),
        r.GetString(6), Text(r, 7), Text(r, 8), r.GetString(9), r.GetInt64(10), r.GetString(11), r.GetString(12));

    private static string? Text(DbDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);
}
