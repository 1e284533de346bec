using Akka.Actor;

namespace Actors.Domains.Index;

/// <summary>What the scheduler needs to know of a domain, replicated to every node.</summary>
public sealed record DomainIndexEntry(
    string Name,
    string Server,
    string Pool,
    string State,
    string Desired,
    bool Ha,
    int Vcpus,
    int MemoryMiB,
    DateTimeOffset UpdatedAt)
{
    /// <summary>True while the domain holds its server's resources (anything but stopped or crashed).</summary>
    public bool UsesResources => State is not ("stopped" or "crashed");
}

/// <summary>Where domain actors publish their entry: a replicated map (or nothing, in unit tests).</summary>
public interface IDomainIndex
{
    void Publish(DomainIndexEntry entry);
    void Remove(string name);
}

/// <summary>
/// The domain index as a replicated map (name → entry), written locally by each domain actor and spread by
/// gossip; every node reads it without asking anyone (placement, failover).
/// </summary>
public sealed class DomainIndex(ActorSystem system) : IDomainIndex
{
    /// <summary>Buckets of the index: about 400 domains each at 100,000 (see ReplicatedIndex).</summary>
    public const int Buckets = 256;

    private readonly ReplicatedIndex<DomainIndexEntry> _map = new(system, "domain-index", Buckets);

    public void Publish(DomainIndexEntry entry) => _map.Publish(entry.Name, entry);

    public void Remove(string name) => _map.Remove(name);

    /// <summary>This node's current copy of the index.</summary>
    public Task<IReadOnlyDictionary<string, DomainIndexEntry>> ReadAsync() => _map.ReadAsync();
}
