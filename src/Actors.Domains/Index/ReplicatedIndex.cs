using Akka.Actor;
using Akka.Cluster;
using Akka.DistributedData;

namespace Actors.Domains.Index;

/// <summary>
/// A Distributed Data map (name → entry) written locally and spread by gossip, so that every node reads it without
/// asking anyone. Last writer wins per name.
/// </summary>
public sealed class ReplicatedIndex<TEntry>(ActorSystem system, string key)
{
    private readonly LWWDictionaryKey<string, TEntry> _key = new(key);
    private readonly IActorRef _replicator = DistributedData.Get(system).Replicator;
    private readonly UniqueAddress _self = Akka.Cluster.Cluster.Get(system).SelfUniqueAddress;

    // Updates are fire-and-forget (local write, gossip later); the replicator's answer goes nowhere, unlogged.
    public void Publish(string name, TEntry entry) =>
        _replicator.Tell(Dsl.Update(_key, LWWDictionary<string, TEntry>.Empty, WriteLocal.Instance,
            d => d.SetItem(_self, name, entry)), ActorRefs.Nobody);

    public void Remove(string name) =>
        _replicator.Tell(Dsl.Update(_key, LWWDictionary<string, TEntry>.Empty, WriteLocal.Instance,
            d => d.Remove(_self, name)), ActorRefs.Nobody);

    /// <summary>This node's current copy.</summary>
    public async Task<IReadOnlyDictionary<string, TEntry>> ReadAsync()
    {
        var response = await _replicator.Ask<IGetResponse>(Dsl.Get(_key, ReadLocal.Instance), TimeSpan.FromSeconds(5));
        return response.IsSuccessful ? response.Get(_key).Entries : new Dictionary<string, TEntry>();
    }
}
