using Akka.Actor;
using Akka.Persistence;

namespace Actors.Domains.Catalog;

public static class CatalogMessages
{
    /// <summary>Idempotent: persists only when the name is new.</summary>
    public sealed record Add(string Name) : IClusterMessage;
    /// <summary>Idempotent: persists only when the name is known.</summary>
    public sealed record Remove(string Name) : IClusterMessage;
    /// <summary>Add, answered with <see cref="Recorded"/> once the name is durable in the catalog's journal.</summary>
    public sealed record Record(string Name) : IClusterMessage;
    public sealed record Recorded(string Name) : IClusterMessage;
    public sealed record List : IClusterMessage;
    public sealed record Entries(IReadOnlyList<string> Names) : IClusterMessage;
}

/// <summary>Persisted facts of a catalog: which entity names exist.</summary>
public static class CatalogEvents
{
    public sealed record EntryAdded(string Name, DateTimeOffset At);
    public sealed record EntryRemoved(string Name, DateTimeOffset At);
}

/// <summary>
/// The set of names of one kind of entity (domains, servers), so that they can be listed and woken at start.
/// Runs once in the cluster (a singleton). Entities tell it when they come to exist or cease to.
/// </summary>
public sealed class EntityCatalog : ReceivePersistentActor
{
    private readonly SortedSet<string> _names = new(StringComparer.Ordinal);

    public EntityCatalog(string kind)
    {
        PersistenceId = "catalog-" + kind;
        Recover<CatalogEvents.EntryAdded>(e => _names.Add(e.Name));
        Recover<CatalogEvents.EntryRemoved>(e => _names.Remove(e.Name));
        // PersistAsync: a catalog is told of every domain created, and one write at a time fell far behind (14,600 of
        // 100,000 names recorded when the last domain was created), so a node restart then would not wake the rest.
        // Nothing waits for an answer, and the names change at once: an entity tells the catalog only once it exists
        // durably (or has ceased to), so listing a name whose entry is still being written is true; an add and a
        // quick remove of one name are written in that order.
        Command<CatalogMessages.Add>(m =>
        {
            if (_names.Add(m.Name)) PersistAsync(new CatalogEvents.EntryAdded(m.Name, DateTimeOffset.UtcNow), _ => { });
        });
        // A created domain's acknowledgement waits for this: a domain acknowledged but not yet in the catalog was
        // unknown to the failover manager when its server froze right after (found by the fault suite). Handlers
        // of writes in flight run in order, so a name added a moment ago is answered once its write is done.
        Command<CatalogMessages.Record>(m =>
        {
            var recorded = new CatalogMessages.Recorded(m.Name);
            if (_names.Add(m.Name)) PersistAsync(new CatalogEvents.EntryAdded(m.Name, DateTimeOffset.UtcNow), _ => Sender.Tell(recorded));
            else DeferAsync(recorded, r => Sender.Tell(r));
        });
        Command<CatalogMessages.Remove>(m =>
        {
            if (_names.Remove(m.Name)) PersistAsync(new CatalogEvents.EntryRemoved(m.Name, DateTimeOffset.UtcNow), _ => { });
        });
        Command<CatalogMessages.List>(_ => Sender.Tell(new CatalogMessages.Entries([.. _names])));
    }

    public override string PersistenceId { get; }

    public static Props Props(string kind) => Akka.Actor.Props.Create(() => new EntityCatalog(kind));
}
