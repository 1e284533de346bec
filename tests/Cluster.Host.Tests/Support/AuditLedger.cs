using System.Data.Common;
using Actors.Domains.Serialization;
using Actors.Servers;
using Cluster.Host.Audit;

namespace Cluster.Host.Tests.Support;

/// <summary>
/// The journal and the audit table of one database side by side, read in one go: the projection's offset, the
/// journal's last ordering, and each audited journal event and each audit row as "ordering persistence-id seq-nr";
/// and the tag rows the projection owes or must not have written yet: audit rows without their type tag, tag
/// rows past the offset.
/// </summary>
public sealed record AuditLedger(long Offset, long LastJournalOrdering, IReadOnlyList<string> Journal, IReadOnlyList<string> Audit,
    long Untagged, long TagsPastOffset)
{
    /// <summary>The manifests of the events the audit records (the others, if any, are not its business).</summary>
    private static readonly string Audited = string.Join(", ",
        DomainEventSerializer.Manifests.Concat(ServerEventSerializer.Manifests)
            .Where(kv => AuditFacts.TypeNames.ContainsKey(kv.Value))
            .Select(kv => $"'{kv.Key}'"));

    public static async Task<AuditLedger> ReadAsync(Func<DbConnection> open)
    {
        await using var connection = open();
        await connection.OpenAsync();
        var offset = await ScalarAsync(connection, "SELECT COALESCE((SELECT ordering FROM audit_offset WHERE projection = 'audit'), 0)");
        var last = await ScalarAsync(connection, "SELECT COALESCE(MAX(ordering), 0) FROM journal");
        var journal = await RowsAsync(connection,
            $"SELECT ordering, persistence_id, sequence_number FROM journal WHERE manifest IN ({Audited}) AND ordering <= {offset} ORDER BY ordering");
        var audit = await RowsAsync(connection,
            $"SELECT ordering, persistence_id, sequence_nr FROM audit WHERE ordering <= {offset} ORDER BY ordering");
        var untagged = await ScalarAsync(connection,
            $"SELECT COUNT(*) FROM audit a WHERE a.ordering <= {offset} AND NOT EXISTS " +
            "(SELECT 1 FROM tags t WHERE t.ordering_id = a.ordering AND t.tag = 'type:' || a.type)");
        var pastOffset = await ScalarAsync(connection, $"SELECT COUNT(*) FROM tags WHERE ordering_id > {offset}");
        return new AuditLedger(offset, last, journal, audit, untagged, pastOffset);
    }

    /// <summary>
    /// What is wrong, or null: journal events missing from the audit, audit rows the journal lacks, events audited
    /// twice, audit rows without their tags, tags written past the offset (a tag row could not be there twice: the
    /// table's key is ordering and tag).
    /// </summary>
    public string? Differences()
    {
        var missing = Journal.Except(Audit).ToList();
        var extra = Audit.Except(Journal).ToList();
        var twice = Audit.GroupBy(r => r[(r.IndexOf(' ') + 1)..]).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        if (missing.Count + extra.Count + twice.Count + Untagged + TagsPastOffset == 0) return null;
        return $"{missing.Count} missing (first: {string.Join("; ", missing.Take(5))}), {extra.Count} not in the journal " +
               $"(first: {string.Join("; ", extra.Take(5))}), {twice.Count} audited twice (first: {string.Join("; ", twice.Take(5))}), " +
               $"{Untagged} without their type tag, {TagsPastOffset} tag rows past the offset";
    }

    public override string ToString() =>
        $"offset {Offset}, last journal ordering {LastJournalOrdering}, {Journal.Count} audited journal events, {Audit.Count} audit rows, " +
        $"{Untagged} untagged, {TagsPastOffset} tag rows past the offset";

    private static async Task<long> ScalarAsync(DbConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(await command.ExecuteScalarAsync());
    }

    private static async Task<IReadOnlyList<string>> RowsAsync(DbConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<string>();
        while (await reader.ReadAsync()) rows.Add($"{reader.GetInt64(0)} {reader.GetString(1)} {reader.GetInt64(2)}");
        return rows;
    }
}
