using System.Text.Json;
using Akka.Persistence.Query;
using Actors.Domains.Serialization;

namespace Cluster.Host.Audit;

/// <summary>What one transaction of the projection writes: rows, the domain pools they taught it, and the new offset.</summary>
public sealed record AuditBatch(IReadOnlyList<AuditRow> Rows, IReadOnlyDictionary<string, string> NewPools, long Offset);

/// <summary>
/// Turns journal envelopes into audit rows. A domain's pool is named only by its Created event, so the maker
/// remembers the pool of every domain it has seen (loaded from the table at start) and puts it on all its rows.
/// </summary>
public sealed class AuditRowMaker(IReadOnlyDictionary<string, string> knownPools)
{
    private readonly Dictionary<string, string> _pools = new(knownPools, StringComparer.Ordinal);

    public AuditBatch Make(IReadOnlyList<EventEnvelope> envelopes, long previousOffset)
    {
        var rows = new List<AuditRow>(envelopes.Count);
        var newPools = new Dictionary<string, string>(StringComparer.Ordinal);
        var offset = previousOffset;
        foreach (var envelope in envelopes)
        {
            offset = Math.Max(offset, ((Sequence)envelope.Offset).Value);
            if (AuditFacts.Of(envelope.Event) is not { } facts) continue; // not an audited event; the offset still moves past it
            var pool = facts.Pool;
            if (facts.Domain is { } domain)
            {
                if (pool is not null && (!_pools.TryGetValue(domain, out var known) || known != pool))
                    _pools[domain] = newPools[domain] = pool;
                pool ??= _pools.GetValueOrDefault(domain);
            }
            rows.Add(new AuditRow(((Sequence)envelope.Offset).Value, facts.At, facts.Type, facts.Domain, facts.Server, pool,
                facts.Principal, facts.JobId, facts.Node, envelope.PersistenceId, envelope.SequenceNr, facts.Summary,
                JsonSerializer.Serialize(envelope.Event, envelope.Event.GetType(), ManifestJsonSerializer.Json)));
        }
        return new AuditBatch(rows, newPools, offset);
    }
}
