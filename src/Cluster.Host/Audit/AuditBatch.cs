namespace Cluster.Host.Audit;

/// <summary>What one transaction of the projection writes: rows, the domain pools they taught it, and the new offset.</summary>
public sealed record AuditBatch(IReadOnlyList<AuditRow> Rows, IReadOnlyDictionary<string, string> NewPools, long Offset);

/// <summary>
/// Turns journal events into audit rows. A domain's pool is named only by its Created event, so the maker
/// remembers the pool of every domain it has seen (loaded from the table at start) and puts it on all its rows.
/// </summary>
public sealed class AuditRowMaker(IReadOnlyDictionary<string, string> knownPools)
{
    private readonly Dictionary<string, string> _pools = new(knownPools, StringComparer.Ordinal);

    public AuditBatch Make(IReadOnlyList<JournalEvent> events, long previousOffset)
    {
        var rows = new List<AuditRow>(events.Count);
        var newPools = new Dictionary<string, string>(StringComparer.Ordinal);
        var offset = previousOffset;
        foreach (var e in events)
        {
            offset = Math.Max(offset, e.Ordering);
            if (AuditFacts.Of(e.Event) is not { } facts) continue; // not an audited event; the offset still moves past it
            var pool = facts.Pool;
            if (facts.Domain is { } domain)
            {
                if (pool is not null && (!_pools.TryGetValue(domain, out var known) || known != pool))
                    _pools[domain] = newPools[domain] = pool;
                pool ??= _pools.GetValueOrDefault(domain);
            }
            rows.Add(new AuditRow(e.Ordering, facts.At, facts.Type, facts.Domain, facts.Server, pool,
                facts.Principal, facts.JobId, facts.Node, e.PersistenceId, e.SequenceNr, facts.Summary,
                e.Json));
        }
        return new AuditBatch(rows, newPools, offset);
    }
}
