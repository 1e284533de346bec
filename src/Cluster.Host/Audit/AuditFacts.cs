using Actors.Domains;
using Actors.Domains.Catalog;
using Actors.Domains.Serialization;
using Actors.Servers;
using Actors.Servers.Pools;
using Actors.Servers.Scheduling;
using static Actors.Domains.DomainEvents;
using static System.FormattableString;

namespace Cluster.Host.Audit;

/// <summary>
/// What one persisted event says for the audit: its type, when, who, which job, on which node, and the domain,
/// server and pool it is about (null when the event does not name them). Pure: the tagger and the projection
/// both read events through it, so the tags and the audit table never disagree.
/// </summary>
public sealed record AuditFacts(
    string Type,
    DateTimeOffset At,
    string Principal,
    string? JobId,
    string? Node,
    string? Domain,
    string? Server,
    string? Pool,
    string Summary)
{
    /// <summary>Catalog events carry no principal: the catalogs only mirror what the entities did.</summary>
    public const string SystemPrincipal = "system";

    /// <summary>Every event type the audit knows, e.g. <c>domain.migrated</c> (the journal manifest without its version).</summary>
    public static readonly IReadOnlyDictionary<Type, string> TypeNames =
        DomainEventSerializer.Manifests.Concat(ServerEventSerializer.Manifests)
            .Where(kv => !kv.Key.Contains(".index-entry.", StringComparison.Ordinal)) // replicated, never persisted
            .ToDictionary(kv => kv.Value, kv => kv.Key[..kv.Key.LastIndexOf('.')]);

    public static readonly IReadOnlySet<string> KnownTypes = TypeNames.Values.ToHashSet(StringComparer.Ordinal);

    /// <summary>The facts of a persisted event, or null for anything the audit does not know.</summary>
    public static AuditFacts? Of(object evt)
    {
        if (!TypeNames.TryGetValue(evt.GetType(), out var type)) return null;
        return evt switch
        {
            IDomainEvent e => new AuditFacts(type, e.Meta.At, e.Meta.Principal, e.Meta.JobId, e.Meta.Node, e.Name,
                ServerOf(e) ?? e.Meta.Node, (e as Created)?.Spec.Pool, AuditSummary.Of(e)),
            ServerEvents.Registered e => new AuditFacts(type, e.Meta.At, e.Meta.Principal, e.Meta.JobId, e.Meta.Node, null,
                e.Name, e.Pool, $"registered at {e.Address} in pool {e.Pool} ({e.Facts.Cpus} CPUs, {e.Facts.MemoryMiB} MiB)"),
            ServerEvents.PoolChanged e => new AuditFacts(type, e.Meta.At, e.Meta.Principal, e.Meta.JobId, e.Meta.Node, null,
                e.Name, e.Pool, $"moved to pool {e.Pool}"),
            ServerEvents.MaintenanceChanged e => new AuditFacts(type, e.Meta.At, e.Meta.Principal, e.Meta.JobId, e.Meta.Node, null,
                e.Name, null, e.On ? "maintenance on" : "maintenance off"),
            PoolEvents.Created e => PoolFacts(type, e.Meta, e.Name, $"pool created: {Settings(e.Settings)}"),
            PoolEvents.Changed e => PoolFacts(type, e.Meta, e.Name, $"pool changed: {Settings(e.Settings)}"),
            PoolEvents.Deleted e => PoolFacts(type, e.Meta, e.Name, "pool deleted"),
            PoolEvents.GroupCreated e => PoolFacts(type, e.Meta, e.Name, $"group {e.Group} created"),
            PoolEvents.GroupMembersAdded e => PoolFacts(type, e.Meta, e.Name, $"group {e.Group}: {string.Join(", ", e.Domains)} added"),
            PoolEvents.GroupMembersRemoved e => PoolFacts(type, e.Meta, e.Name, $"group {e.Group}: {string.Join(", ", e.Domains)} removed"),
            PoolEvents.GroupDeleted e => PoolFacts(type, e.Meta, e.Name, $"group {e.Group} deleted"),
            CatalogEvents.EntryAdded e => new AuditFacts(type, e.At, SystemPrincipal, null, null, null, null, null, $"{e.Name} added to a catalog"),
            CatalogEvents.EntryRemoved e => new AuditFacts(type, e.At, SystemPrincipal, null, null, null, null, null, $"{e.Name} removed from a catalog"),
            _ => null,
        };
    }

    private static AuditFacts PoolFacts(string type, EventMeta meta, string pool, string summary) =>
        new(type, meta.At, meta.Principal, meta.JobId, meta.Node, null, null, pool, summary);

    private static string Settings(PoolSettings p) =>
        Invariant($"policy {p.Policy.Word()}, HA {(p.Ha ? "on" : "off")}, balancing {(p.Balancing ? "on" : "off")}, ")
        + Invariant($"thresholds CPU {p.Thresholds.CpuPercent}% memory {p.Thresholds.MemoryPercent}% for {p.Thresholds.SustainFor.TotalSeconds} s");

    /// <summary>The server a domain event names; the others happened where the domain lived, its node.</summary>
    private static string? ServerOf(IDomainEvent e) => e switch
    {
        Started s => s.Server,
        Adopted a => a.Server,
        Migrated m => m.To,
        Placed p => p.To,
        _ => null,
    };
}
