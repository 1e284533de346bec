using Akka.Actor;
using Akka.Cluster;
using Akka.DistributedData;

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
/// The domain index as a Distributed Data map (name → entry), written locally by each domain actor and spread
/// by gossip; every node reads it without asking anyone (placement, failover).
/// </summary>
public sealed class DomainIndex(ActorSystem system) : IDomainIndex
{
    public static readonly LWWDictionaryKey<string, DomainIndexEntry> Key = new("domain-index");

    private readonly IActorRef _replicator = DistributedData.Get(system).Replicator;
    private readonly UniqueAddress _self = Akka.Cluster.Cluster.Get(system).SelfUniqueAddress;

    public void Publish(DomainIndexEntry entry) =>
        _replicator.Tell(Dsl.Update(Key, LWWDictionary<string, DomainIndexEntry>.Empty, WriteLocal.Instance,
            d => d.SetItem(_self, entry.Name, entry)), ActorRefs.Nobody);

    public void Remove(string name) =>
        _replicator.Tell(Dsl.Update(Key, LWWDictionary<string, DomainIndexEntry>.Empty, WriteLocal.Instance,
            d => d.Remove(_self, name)), ActorRefs.Nobody);

    /// <summary>This node's current copy of the index.</summary>
    public async Task<IReadOnlyDictionary<string, DomainIndexEntry>> ReadAsync()
    {
        var response = await _replicator.Ask<IGetResponse>(Dsl.Get(Key, ReadLocal.Instance), TimeSpan.FromSeconds(5));
        return response.IsSuccessful
            ? response.Get(Key).Entries
            : new Dictionary<string, DomainIndexEntry>();
    }
}
