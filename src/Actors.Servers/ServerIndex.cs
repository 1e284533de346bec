using Akka.Actor;
using Akka.Cluster;
using Akka.DistributedData;

namespace Actors.Servers;

/// <summary>
/// Every registered server's facts as a Distributed Data map (name → view), written by each server when it
/// registers and spread by gossip. Placement and failover read it locally: a failed server's entity may be out of
/// reach exactly when its domains need new homes, and a failover manager that just took over must not wait for it.
/// </summary>
public sealed class ServerIndex(ActorSystem system)
{
    public static readonly LWWDictionaryKey<string, ServerView> Key = new("server-index");

    private readonly IActorRef _replicator = DistributedData.Get(system).Replicator;
    private readonly UniqueAddress _self = Akka.Cluster.Cluster.Get(system).SelfUniqueAddress;

    public void Publish(ServerView server) =>
        _replicator.Tell(Dsl.Update(Key, LWWDictionary<string, ServerView>.Empty, WriteLocal.Instance,
            d => d.SetItem(_self, server.Name, server)), ActorRefs.Nobody);

    /// <summary>This node's current copy of the index.</summary>
    public async Task<IReadOnlyCollection<ServerView>> ReadAsync()
    {
        var response = await _replicator.Ask<IGetResponse>(Dsl.Get(Key, ReadLocal.Instance), TimeSpan.FromSeconds(5));
        return response.IsSuccessful ? [.. response.Get(Key).Entries.Values] : [];
    }
}
